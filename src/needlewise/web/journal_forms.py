"""The home journal page's forms read at the edge: a posted form to a typed entry, or errors by field.

Each reader returns the entry and an empty error map, or ``None`` and the fields' messages (already in
the request's language). The use cases check the rest (a day after today, no area) and name the field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import TypeVar

from django.http import QueryDict
from django.utils.translation import gettext as _

from needlewise.domain.treatment import Answer
from needlewise.domain.vocabulary import Area, DeviceKind, Medication, Product, SkinNow
from needlewise.errors import Problem
from needlewise.services.journal_changes import Changes
from needlewise.services.journal_entries import DeviceEntry, SessionEntry
from needlewise.web.views.common import say

Errors = dict[str, list[str]]
T = TypeVar("T", Area, Product, SkinNow, Medication)
MAX_NEEDLE_MM = 5.0
MAX_USES = 10_000


def problems_to_errors(problems: tuple[Problem, ...] | list[Problem]) -> Errors:
    """A use case's problems as the form's errors, by field."""
    errors: Errors = {}
    for problem in problems:
        errors.setdefault(problem.where, []).append(say(problem))
    return errors


def _day(post: QueryDict, name: str, errors: Errors, *, required: bool) -> date | None:
    text = post.get(name, "").strip()
    if not text:
        if required:
            errors[name] = [_("Enter the date, for example 2026-05-31.")]
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[name] = [_("Enter the date as year-month-day, for example 2026-05-31.")]
        return None


def _needle(post: QueryDict, errors: Errors, *, required: bool) -> float | None:
    text = post.get("needle_mm", "").strip().replace(",", ".")
    if not text:
        if required:
            errors["needle_mm"] = [_("Enter the needle length in millimetres, for example 0.5.")]
        return None
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value <= MAX_NEEDLE_MM:
        errors["needle_mm"] = [_("Enter a needle length between 0.1 and 5 mm, for example 0.5.")]
        return None
    return value


def _choices(post: QueryDict, name: str, kind: type[T], errors: Errors) -> frozenset[T]:
    chosen: set[T] = set()
    for value in post.getlist(name):
        try:
            chosen.add(kind(value))
        except ValueError:
            errors[name] = [_("Choose only from the options shown.")]
    return frozenset(chosen)


def read_session(post: QueryDict) -> tuple[SessionEntry | None, Errors]:
    """The session form: the day, the needle length, the areas, the products applied afterwards."""
    errors: Errors = {}
    on = _day(post, "on", errors, required=True)
    needle = _needle(post, errors, required=True)
    areas = _choices(post, "areas", Area, errors)
    products = _choices(post, "products", Product, errors)
    if not areas and "areas" not in errors:
        errors["areas"] = [_("Choose at least one area you treated.")]
    if errors or on is None or needle is None:
        return None, errors
    return SessionEntry(on, needle, areas, products), errors


def read_device(post: QueryDict) -> tuple[DeviceEntry | None, Errors]:
    """The device form: its kind, needle length (optional), the day it was bought (optional), uses so far."""
    errors: Errors = {}
    try:
        kind: DeviceKind | None = DeviceKind(post.get("kind", ""))
    except ValueError:
        kind = None
        errors["kind"] = [_("Choose the kind of device.")]
    needle = _needle(post, errors, required=False)
    bought = _day(post, "bought_on", errors, required=False)
    text = post.get("uses", "").strip() or "0"
    uses = int(text) if text.isascii() and text.isdecimal() and int(text) <= MAX_USES else None
    if uses is None:
        errors["uses"] = [_("Enter how many times you have used it, a whole number from 0.")]
    if errors or kind is None or uses is None:
        return None, errors
    return DeviceEntry(kind, needle, bought, uses), errors


def answer_field(question_id: str) -> str:
    """The form field (a group of radio buttons) of a skin check's question."""
    return f"answer-{question_id}"


def read_check(post: QueryDict, asked: Sequence[str]) -> tuple[dict[str, Answer] | None, Errors]:
    """The skin check: each question asked answered yes, no or not sure; one left unanswered is an error."""
    answers: dict[str, Answer] = {}
    errors: Errors = {}
    for key in asked:
        try:
            answers[key] = Answer(post.get(answer_field(key), ""))
        except ValueError:
            errors[answer_field(key)] = [_("Answer this question: yes, no or not sure.")]
    return (None if errors else answers), errors


def read_resolved(post: QueryDict, errors: Errors) -> Answer | None:
    """Whether an earlier worrying outcome is resolved (seen by a doctor, or the signs gone): required when asked."""
    try:
        return Answer(post.get("resolved", ""))
    except ValueError:
        errors["resolved"] = [_("Answer this question: yes, no or not sure.")]
        return None


def read_changes(post: QueryDict) -> tuple[Changes | None, Errors]:
    """The "things changed" form: pregnant or breastfeeding, the skin today, the medicines taken now."""
    errors: Errors = {}
    skin = _choices(post, "skin_now", SkinNow, errors)
    medicines = _choices(post, "medications", Medication, errors)
    if errors:
        return None, errors
    return Changes(post.get("pregnant") == "yes", skin, medicines), errors


def values_of(post: QueryDict) -> Mapping[str, str]:
    """What the person typed, to show it again beside the errors."""
    return {name: post.get(name, "") for name in ("on", "needle_mm", "bought_on", "uses", "kind", "email", "time_zone")}
