"""The session form's one declaration: what it reads from a post, what it shows again, what it parses."""

from __future__ import annotations

import re
from datetime import date, time
from decimal import Decimal
from pathlib import Path

from django.http import QueryDict

from needlewise.clinic.treatment import session_form
from needlewise.clinic.treatment.session_form import NumbingForm, SessionFields
from needlewise.clinic.treatment.session_time import Performed
from needlewise.domain.vocabulary import Lang

TEMPLATE = Path(session_form.__file__).parents[2] / "web" / "templates" / "clinic" / "session_form.html"
PLANNED = {"cheeks": "1", "forehead": "0.5"}


def _post(text: str) -> QueryDict:
    return QueryDict(text)


def test_a_post_is_read_by_the_declaration() -> None:
    post = _post(
        "device_model=Pen&device_kind=pen&cartridge_expiry=2031-02-03&zone_cheeks=1.0&zone_forehead=+&passes=3"
        "&numbing_product=Cream&numbing_zones=cheeks&numbing_zones=forehead&numbing_heat=on"
        "&products_applied=hyaluronic_acid&lang=es&neck=1&performed_date=2026-12-06&performed_time=09:05"
    )
    form = session_form.read(post, 7, PLANNED)
    assert form.performed == Performed(date(2026, 12, 6), time(9, 5))
    assert (form.plan_id, form.device_model, form.device_kind, form.passes) == (7, "Pen", "pen", "3")
    assert form.cartridge_expiry == date(2031, 2, 3)
    assert form.zones == {"cheeks": "1.0"}
    assert form.numbing == NumbingForm(product="Cream", zones=("cheeks", "forehead"), heat=True)
    assert (form.products_applied, form.lang, form.notes) == (("hyaluronic_acid",), Lang.ES, "")


def test_a_date_that_is_not_one_and_an_unknown_language_are_read_as_none_and_english() -> None:
    form = session_form.read(_post("cartridge_expiry=31/12/2031&lang=fr"), 1, PLANNED)
    assert (form.cartridge_expiry, form.lang) == (None, Lang.EN)


def test_the_values_shown_again_are_as_posted() -> None:
    values = session_form.echo(_post("passes=x&numbing_occluded=on&zone_cheeks=9"), PLANNED)
    assert values["passes"] == "x"
    assert values["numbing_occluded"] is True
    assert values["numbing_heat"] is False
    assert values["numbing_zones"] == ()
    assert (values["zone_cheeks"], values["zone_forehead"]) == ("9", "")
    assert set(values) == set(SessionFields.model_fields) | {"zone_cheeks", "zone_forehead"}


def test_every_declared_field_is_on_the_page_and_every_field_on_the_page_is_declared() -> None:
    page = TEMPLATE.read_text(encoding="utf-8")
    on_page = set(re.findall(r'name="([a-z_]+)"', page)) | set(re.findall(r'field\("([a-z_]+)"', page))
    assert on_page - {"action", "zone_"} == set(SessionFields.model_fields)  # zone_<zone>: one per planned zone


def test_the_declaration_parses_numbers_and_reports_each_field() -> None:
    parsed = SessionFields.model_validate(
        {
            "performed_date": None,
            "performed_time": None,
            "device_model": "Pen",
            "device_kind": "pen",
            "device_serial": "",
            "cartridge_lot": "L",
            "cartridge_serial": "S",
            "cartridge_expiry": None,
            "passes": " 4 ",
            "end_point": "erythema",
            "numbing_product": "Cream",
            "numbing_lidocaine_percent": "4.5",
            "numbing_compounded": False,
            "numbing_zones": (),
            "numbing_minutes": "",
            "numbing_occluded": False,
            "numbing_broken_skin": False,
            "numbing_heat": False,
            "pain_score": "0",
            "immediate_reactions": "",
            "products_applied": (),
            "notes": "",
            "lang": "en",
        }
    )
    assert (parsed.passes, parsed.pain_score, parsed.numbing_minutes) == (4, 0, None)
    assert parsed.numbing_lidocaine_percent == Decimal("4.5")
