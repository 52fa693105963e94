"""Builders for test data."""

from __future__ import annotations

from typing import Any

from needlewise.domain.profile import Profile
from needlewise.engine.knowledge import Question
from needlewise.services.profiles import parse_profile


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
