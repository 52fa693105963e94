"""The client, clearance and consent forms' declarations: what each reads from a post, and the page's fields."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.http import QueryDict
from pydantic import BaseModel

from needlewise.api.clinic_routes import ClientIn
from needlewise.clinic import forms
from needlewise.clinic.clients import client_form
from needlewise.clinic.clients.client_form import ClientDetails, ClientFields
from needlewise.clinic.consent.signatures import SignatureFields
from needlewise.clinic.consent.versions import TemplateFields
from needlewise.clinic.records.screenings import ClearanceFields
from needlewise.errors import Problem

TEMPLATES = Path(forms.__file__).parents[1] / "web" / "templates" / "clinic"
#: A one-pixel PNG as the signature pad's data URL carries it.
PIXEL = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="


def test_the_client_form_reads_each_field_by_its_declaration() -> None:
    post = QueryDict(
        "given_name=Ana&family_name=Ruiz&birth_date=1990-02-03&phone=%2B34+600&email=a%40b.es"
        "&contact_notes=Mornings&clinical_notes=&language=es&confirm_new_person=1&csrfmiddlewaretoken=t"
    )
    details, confirmed = client_form.read(post)
    assert details == ClientDetails("Ana", "Ruiz", date(1990, 2, 3), "+34 600", "a@b.es", "Mornings", "", "es")
    assert confirmed


def test_fields_the_form_does_not_post_keep_their_meaning() -> None:
    details, confirmed = client_form.read(QueryDict("given_name=Ana&birth_date=3000-01-01&confirm_new_person=yes"))
    assert details.clinical_notes is None  # the front desk's form: the notes are left as they are
    assert details.language == "en"
    assert details.birth_date is None  # past the last day a form may name: the use case names the field
    assert not confirmed
    assert client_form.read(QueryDict("language="))[0].language == ""  # posted empty: refused by the use case


def test_the_api_takes_the_client_form_s_fields() -> None:
    assert list(ClientIn.model_fields) == list(ClientFields.model_fields)


def test_the_client_s_details_are_the_form_s_first_fields() -> None:
    assert list(ClientFields.model_fields)[: len(client_form.DETAILS)] == list(client_form.DETAILS)


def test_the_clearance_form_reads_days_from_1900_to_2999() -> None:
    values = forms.read(ClearanceFields, QueryDict("reason=r&cleared_on=2026-12-01&expires_on=3000-01-01"))
    assert values == {"reason": "r", "cleared_on": date(2026, 12, 1), "expires_on": None}


def test_the_signing_form_reads_the_version_and_the_pad_s_drawing() -> None:
    posted = urlencode({"template_id": " 7 ", "signature_data": f"data:image/png;base64,{PIXEL}"})
    values = forms.read(SignatureFields, QueryDict(posted))
    assert values["template_id"] == 7
    assert values["signature_data"].startswith(b"\x89PNG")
    for typed in ("not a data url", "data:image/png;base64,@@"):  # passed on as they are: refused as not a PNG
        drawn = forms.read(SignatureFields, QueryDict(urlencode({"signature_data": typed})))["signature_data"]
        assert drawn == typed.encode()
    assert forms.read(SignatureFields, QueryDict("template_id=v2"))["template_id"] == 0


def test_every_declared_text_field_refuses_a_nul_or_invisible_character_whatever_its_validator() -> None:
    # the signing form's name and the consent intros had their own validators without the typed-text rule:
    # PostgreSQL refused their NUL with a 500
    problems: list[Problem] = []
    posted = {"typed_name": "Ana\x00 Ruiz", "lang": "en", "method": "drawn\u200b"}
    assert forms.parse(SignatureFields, posted, problems) is None
    assert [(p.where, p.message) for p in problems] == [
        ("method", "choose a drawn signature or a signed paper form"),  # its validator's own answer comes first
        ("typed_name", "remove the invisible or control character U+0000 (character 4)"),
    ]
    intros: list[Problem] = []
    assert forms.parse(TemplateFields, {"intro_en": "Line one\r\n\tLine two", "intro_es": "Hola"}, intros) is not None
    assert intros == []


@pytest.mark.parametrize(
    ("template", "declaration", "not_posted"),
    [
        ("client_form.html", ClientFields, set()),
        ("clearance.html", ClearanceFields, set()),
        ("consent_templates.html", TemplateFields, set()),
        ("consent_sign.html", SignatureFields, {"scan"}),  # the scan is a file, read by the page
    ],
)
def test_every_declared_field_is_on_the_page(template: str, declaration: type[BaseModel], not_posted: set[str]) -> None:
    page = (TEMPLATES / template).read_text(encoding="utf-8")
    named = set(re.findall(r'(?:name="|field\(")([a-z_]+)"', page)) - {"csrfmiddlewaretoken"}
    assert named - not_posted == set(declaration.model_fields)
