"""The treatment plan form: goals, a needle length per zone, sessions, products and notes, declared once.

:class:`PlanFields` declares every field the form posts (its name, kind, bounds and messages);
:func:`read` builds a :class:`PlanForm` from a post by that declaration, :func:`echo` gives the
values to show again, and :func:`validate` parses a form with it before the checks that need the
knowledge base. The needle length per zone is posted as ``zone_<zone>``, one per zone of the
knowledge base; only the zones with a length typed in are part of the plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict

from needlewise.clinic import forms
from needlewise.clinic.forms import Many, Posted, fail, text, whole
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.errors import N_, InvalidInputError, Problem

MIN_LENGTH_MM = Decimal("0.1")
MAX_LENGTH_MM = Decimal("3.0")
MAX_SESSIONS = 20
NOTES_LIMIT = 5000
_CENT = Decimal("0.01")
_ZONE = "zone_"

Length = Decimal | float | str
"""A needle length: a number, or as typed (a comma is read as the decimal point)."""


@dataclass(frozen=True, slots=True)
class PlanForm:
    """What the practitioner plans: goals, needle length (mm) per zone, sessions, products, notes.

    Lengths and the number of sessions may be numbers or as typed (parsed by :func:`validate`).
    """

    goals: tuple[str, ...]
    zones: dict[str, Length]
    sessions_planned: int | str
    products: tuple[str, ...] = ()
    notes: str = ""


def _some(chosen: tuple[str, ...]) -> tuple[str, ...]:
    if not chosen:
        fail(N_("choose at least one goal"))
    return chosen


_PLAN_FROM = N_("plan from %(low)s to %(high)s sessions")
_SESSIONS = Problem.worded("sessions_planned", _PLAN_FROM, low="1", high=str(MAX_SESSIONS))


class PlanFields(BaseModel):
    """Every field the plan form posts but the zones, in the form's order: its kind, bounds and messages, once."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    goals: Annotated[Many, AfterValidator(_some)]
    sessions_planned: Annotated[int, whole(1, MAX_SESSIONS, required=True, wrong=_SESSIONS, missing=_SESSIONS)]
    products: Many
    notes: Annotated[str, text(NOTES_LIMIT)]


def echo(post: Posted, areas: list[str]) -> dict[str, Any]:
    """The posted values by field name (checkboxes as tuples, lengths trimmed), to show the form again."""
    return forms.echo(PlanFields, post) | {_ZONE + zone: post.get(_ZONE + zone, "").strip() for zone in areas}


def read(post: Posted, areas: list[str]) -> PlanForm:
    """The form as posted: each declared field read by its kind, the zones whose length was typed in."""
    values = echo(post, areas)
    zones: dict[str, Length] = {zone: typed for zone in areas if (typed := values[_ZONE + zone])}
    declared = {f.name: values[f.name] for f in fields(PlanForm) if f.name in PlanFields.model_fields}
    return PlanForm(zones=zones, **declared)


def _length(value: Length) -> Decimal | None:
    """The length as a decimal if it is a number from 0.1 to 3.0 with at most two decimals."""
    try:
        length = Decimal(value.replace(",", ".")) if isinstance(value, str) else Decimal(str(value))
    except InvalidOperation:
        return None
    if not length.is_finite() or not MIN_LENGTH_MM <= length <= MAX_LENGTH_MM or length != length.quantize(_CENT):
        return None
    return length.quantize(_CENT)


def _unknown(where: str, template: str, value: str) -> Problem:
    """A posted value that is not on the form's list, quoted as it was posted."""
    return Problem.worded(where, template, value=repr(value))


def _zones(zones: Mapping[str, Length], kb: KnowledgeBase, problems: list[Problem]) -> dict[str, Decimal]:
    if not zones:
        problems.append(Problem("zones", N_("enter a needle length for at least one zone")))
    lengths = {}
    for zone, value in zones.items():
        length = _length(value)
        if zone not in kb.vocabulary["areas"]:
            problems.append(_unknown(f"zones.{zone}", N_("unknown zone %(value)s"), zone))
        elif length is None:
            message = N_("enter a needle length from %(low)s to %(high)s mm, with at most two decimals")
            low, high = str(MIN_LENGTH_MM), str(MAX_LENGTH_MM)
            problems.append(Problem.worded(f"zones.{zone}", message, low=low, high=high))
        else:
            lengths[zone] = length
    return lengths


def _order(problem: Problem) -> int:
    """A problem's place on the form: the zones come after the goals."""
    names = ["goals", "zones", *list(PlanFields.model_fields)[1:]]
    return names.index(problem.where.split(".")[0])


def validate(form: PlanForm, kb: KnowledgeBase) -> tuple[PlanFields, dict[str, Decimal]]:
    """The parsed form and the length per zone, or InvalidInputError naming every problem in the form's order."""
    problems: list[Problem] = []
    declared = {f.name: getattr(form, f.name) for f in fields(PlanForm) if f.name in PlanFields.model_fields}
    parsed = forms.parse(PlanFields, declared, problems)
    goals, products = kb.vocabulary["goals"], kb.vocabulary["planned_products"]
    problems += [_unknown("goals", N_("unknown goal %(value)s"), goal) for goal in form.goals if goal not in goals]
    lengths = _zones(form.zones, kb, problems)
    problems += [_unknown("products", N_("unknown product %(value)s"), p) for p in form.products if p not in products]
    if parsed is None or problems:
        raise InvalidInputError(sorted(problems, key=_order))
    return parsed, lengths


def _listed(answer: object, offered: Mapping[str, object]) -> tuple[str, ...]:
    """The answer's values that are offered, in order; nothing for an open answer ("unsure") or none."""
    return tuple(value for value in answer if value in offered) if isinstance(answer, list) else ()


def from_screening(profile: Mapping[str, Any], kb: KnowledgeBase) -> dict[str, tuple[str, ...]]:
    """What a new plan starts from: the screening's goals, planned products and areas (to be checked).

    An answer left open ("unsure") offers nothing. Needle lengths are never offered: the practitioner
    enters them, within the knowledge base's range and their scope.
    """
    return {
        "goals": _listed(profile.get("goals"), kb.vocabulary["goals"]),
        "products": _listed(profile.get("planned_products"), kb.vocabulary["planned_products"]),
        "areas": _listed(profile.get("areas"), kb.vocabulary["areas"]),
    }
