"""Builders for test data."""

from __future__ import annotations

from typing import Any

from needlewise.domain.profile import Device, Profile
from needlewise.domain.vocabulary import Area, DeviceKind, Goal, Setting
from needlewise.engine.knowledge import Question
from needlewise.services.profiles import parse_profile

#: A home profile that allows home use (glow, cheeks, a 0.25 mm roller): the journal tests' starting point.
HOME_GLOW = Profile(
    setting=Setting.HOME,
    age=30,
    goals=frozenset({Goal.GLOW}),
    areas=frozenset({Area.CHEEKS}),
    device=Device(DeviceKind.ROLLER, 0.25, 0, shared=False, sterile_single_use=False),
    fitzpatrick=2,
    version=2,
)


def make_profile(**fields: Any) -> Profile:
    """A valid Profile from Profile v1 fields; setting defaults to home and age to 30."""
    document: dict[str, Any] = {"setting": "home", "age": 30, **fields}
    return parse_profile(document)


def no_answer(question: Question) -> str:
    """What a person with nothing to report answers: none of these, no, never (nothing typed is no answer)."""
    if question.kind in ("multi", "procedures"):
        return "none"
    if question.kind == "boolean":
        return "no"
    if question.kind == "single":
        return "undecided" if any(o.value == "undecided" for o in question.options) else question.options[0].value
    if question.kind == "scale":
        return "2"
    if not question.takes_unsure:
        return "30"  # the age
    return "never" if question.none_label else "not sure"
