"""Names and notes refuse NUL and invisible or direction-changing characters (review L8).

One rule (``clinic/typed_text.py``), checked by the use cases, so the pages, the API and the command
line refuse the same text with the same field error, in English and Spanish.
"""

from __future__ import annotations

import orjson
import pytest
from django.test import Client
from typer.testing import CliRunner

from needlewise.cli.app import app
from needlewise.clinic.typed_text import character_problem, character_problems
from needlewise.domain.permissions import Role
from needlewise.storage.models import Client as ClientRow
from needlewise.storage.models import Clinic, StaffMember, TreatmentPlan
from web.clinic.support import Site, body, signed_in, staff_client

pytestmark = pytest.mark.django_db

REFUSED = [
    "\x00", "\x1b", "\x7f", "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d",
    "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\ufeff", "\u00ad", "\u2060", "\u2028", "\u2029", "\ud800",
]  # fmt: skip
ACCEPTED = ["Zoë", "José-María O'Neill", "Nguyễn Thị", "渡辺", "Ørsted", "Anne\u0301", "Dr. Ana (Ani)", "🙂"]
NEW_CLIENT = {"given_name": "Newton", "family_name": "Figtree", "birth_date": "1985-01-02", "contact_notes": ""}
EN = "remove the invisible or control character U+202E (character 4)"
ES = "quita el carácter invisible o de control U+202E (carácter 4)"


@pytest.mark.parametrize("char", REFUSED)
def test_each_refused_character_is_named_with_where_it_is(char: str) -> None:
    problem = character_problem("given_name", f"An{char}a")
    assert problem is not None
    assert (problem.where, problem.message) == (
        "given_name",
        f"remove the invisible or control character U+{ord(char):04X} (character 3)",
    )


@pytest.mark.parametrize("text", ACCEPTED)
def test_names_in_any_script_pass(text: str) -> None:
    assert character_problem("given_name", text) is None


def test_notes_may_hold_tabs_and_line_breaks_names_may_not() -> None:
    note = "Line one\r\n\tLine two\n"
    assert character_problems(notes=note, multiline=True) == []
    assert [p.where for p in character_problems(given_name="Ana\nB", family_name="Lee\t")] == [
        "given_name",
        "family_name",
    ]
    assert character_problem("notes", "ok\n\u202eko", multiline=True).message.endswith("U+202E (character 4)")


@pytest.mark.parametrize(("lang", "message"), [("en", EN), ("es", ES)])
def test_the_client_form_refuses_them_in_both_languages(site_a: Site, lang: str, message: str) -> None:
    browser = signed_in(Client(HTTP_ACCEPT_LANGUAGE=lang), site_a.members[Role.FRONT_DESK])
    response = browser.post("/clinic/clients/new/", {**NEW_CLIENT, "family_name": "Fig\u202etree"})
    assert response.status_code == 422
    assert message in body(response)
    nul_note = browser.post("/clinic/clients/new/", {**NEW_CLIENT, "contact_notes": "call\x00 first"})
    assert nul_note.status_code == 422
    assert not ClientRow.objects.filter(given_name="Newton").exists()
    tabbed = browser.post("/clinic/clients/new/", {**NEW_CLIENT, "contact_notes": "Prefers\tmornings.\r\nNo calls."})
    assert tabbed.status_code in {302, 303}


def test_the_api_refuses_them_naming_the_field(site_a: Site) -> None:
    client = staff_client(site_a.members[Role.FRONT_DESK])
    body_ = {"given_name": "Ana\u200b", "family_name": "Lee", "birth_date": "1990-01-01", "contact_notes": "a\x00b"}
    response = client.post("/api/v1/clinic/clients", orjson.dumps(body_), content_type="application/json")
    assert response.status_code == 422
    problems = {p["field"]: p["message"] for p in response.json()["problems"]}
    assert problems == {
        "given_name": "remove the invisible or control character U+200B (character 4)",
        "contact_notes": "remove the invisible or control character U+0000 (character 2)",
    }


def test_staff_names_and_the_clinic_name_refuse_them(site_a: Site) -> None:
    owner = signed_in(Client(HTTP_ACCEPT_LANGUAGE="es"), site_a.owner)
    colleague = {"email": "nadia@alpha.example.org", "display_name": "Nad\u202eia", "role": "nurse"}
    staff = owner.post("/clinic/staff/", colleague)
    assert staff.status_code == 422
    assert ES in body(staff)
    assert not StaffMember.objects.filter(display_name__startswith="Nad").exists()
    data = {"name": "Clinic\ufeff Alpha", "city": "Alphaville", "services": "Lines\nand\ttabs", "accepts_requests": "1"}
    settings_page = owner.post("/clinic/settings/", data)
    assert settings_page.status_code == 422
    assert "quita el carácter invisible o de control U+FEFF (carácter 7)" in body(settings_page)
    assert Clinic.objects.get(pk=site_a.clinic.pk).name == "Clinic Alpha"


def test_plan_notes_refuse_them_through_the_declared_form(site_a: Site) -> None:
    nurse = signed_in(Client(HTTP_ACCEPT_LANGUAGE="es"), site_a.members[Role.NURSE])
    data = {"goals": ["texture"], "zone_cheeks": "1.0", "sessions_planned": "3", "notes": "ok\u2066x"}
    before = TreatmentPlan.objects.count()
    response = nurse.post(f"/clinic/clients/{site_a.client.pk}/plans/new/", data)
    assert response.status_code == 422
    assert "quita el carácter invisible o de control U+2066 (carácter 3)" in body(response)
    assert TreatmentPlan.objects.count() == before


def test_the_command_line_refuses_them() -> None:
    args = ["clinic", "create", "--name", "Del\u202eta", "--city", "Derby", "--owner-email", "d@delta.example.org"]
    args += ["--owner-name", "Dee", "--password-stdin"]
    result = CliRunner().invoke(app, args, input="a long owner passphrase 1987\n")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: name: remove the invisible or control character U+202E (character 4)")
    assert not Clinic.objects.filter(city="Derby").exists()
