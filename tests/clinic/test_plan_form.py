"""The plan form's one declaration: what it reads from a post, what it shows again, what it parses."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.http import QueryDict

from needlewise.clinic.records import plan_form
from needlewise.clinic.records.plan_form import PlanFields, PlanForm
from needlewise.errors import InvalidInputError

TEMPLATE = Path(plan_form.__file__).parents[2] / "web" / "templates" / "clinic" / "plan_new.html"
AREAS = ["cheeks", "forehead", "neck"]


def test_a_post_is_read_by_the_declaration() -> None:
    post = QueryDict(
        "goals=texture&goals=glow&zone_cheeks=+1,25+&zone_forehead=+&sessions_planned=4"
        "&products=vitamin_c_serum&notes=+gently+&elbow=1"
    )
    form = plan_form.read(post, AREAS)
    assert form == PlanForm(
        goals=("texture", "glow"),
        zones={"cheeks": "1,25"},
        sessions_planned="4",
        products=("vitamin_c_serum",),
        notes=" gently ",
    )


def test_the_values_shown_again_are_as_posted_with_the_lengths_trimmed() -> None:
    values = plan_form.echo(QueryDict("sessions_planned=x&zone_neck=+2+"), AREAS)
    assert values == {
        "goals": (),
        "sessions_planned": "x",
        "products": (),
        "notes": "",
        "zone_cheeks": "",
        "zone_forehead": "",
        "zone_neck": "2",
    }


def test_every_declared_field_is_on_the_page_and_every_field_on_the_page_is_declared() -> None:
    page = TEMPLATE.read_text(encoding="utf-8")
    on_page = set(re.findall(r'name="([a-z_]+)"', page)) | set(re.findall(r'field\("([a-z_]+)"', page))
    assert on_page - {"zone_"} == set(PlanFields.model_fields)  # zone_<zone>: one per zone of the knowledge base


@pytest.mark.parametrize(
    ("typed", "parsed"),
    [(" 7 ", 7), (7, 7), ("1", 1), ("20", 20)],
)
def test_the_sessions_are_parsed_from_a_number_or_as_typed(typed: Any, parsed: int) -> None:
    fields = PlanFields.model_validate({"goals": ("glow",), "sessions_planned": typed, "products": (), "notes": ""})
    assert fields.sessions_planned == parsed


@pytest.mark.parametrize("typed", ["", " ", "x", "0", "21", "-1", "²", 0])
def test_sessions_that_are_not_from_1_to_20_are_refused_in_the_same_words(kb, typed: Any) -> None:
    form = PlanForm(goals=("glow",), zones={"cheeks": "0.5"}, sessions_planned=typed)
    with pytest.raises(InvalidInputError) as invalid:
        plan_form.validate(form, kb)
    assert [(p.where, p.message) for p in invalid.value.problems] == [
        ("sessions_planned", "plan from 1 to 20 sessions")
    ]


@pytest.mark.parametrize(
    ("typed", "length"),
    [("1,25", Decimal("1.25")), (" 0.5", Decimal("0.50")), (0.1, Decimal("0.10")), (Decimal(3), Decimal("3.00"))],
)
def test_a_length_is_read_from_a_number_or_as_typed_with_a_comma_as_the_decimal_point(
    kb, typed: Any, length: Decimal
) -> None:
    form = PlanForm(goals=("glow",), zones={"cheeks": typed}, sessions_planned="3")
    assert plan_form.validate(form, kb)[1] == {"cheeks": length}


@pytest.mark.parametrize("typed", ["one", "1..", "nan", "Infinity", "1.255", "3,01"])
def test_a_length_that_is_not_one_is_refused(kb, typed: str) -> None:
    form = PlanForm(goals=("glow",), zones={"cheeks": typed}, sessions_planned="3")
    with pytest.raises(InvalidInputError) as invalid:
        plan_form.validate(form, kb)
    assert [(p.where, p.message) for p in invalid.value.problems] == [
        ("zones.cheeks", "enter a needle length from 0.1 to 3.0 mm, with at most two decimals")
    ]


def test_every_problem_comes_in_the_form_s_order(kb) -> None:
    form = PlanForm(
        goals=("tan",), zones={"elbow": "1"}, sessions_planned="", products=("snail_slime",), notes="x" * 5001
    )
    with pytest.raises(InvalidInputError) as invalid:
        plan_form.validate(form, kb)
    assert [(p.where, p.message) for p in invalid.value.problems] == [
        ("goals", "unknown goal 'tan'"),
        ("zones.elbow", "unknown zone 'elbow'"),
        ("sessions_planned", "plan from 1 to 20 sessions"),
        ("products", "unknown product 'snail_slime'"),
        ("notes", "at most 5000 characters"),
    ]
