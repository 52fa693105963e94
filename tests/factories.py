"""Builders for test data."""

from __future__ import annotations

from typing import Any

from needlewise.domain.profile import Profile
from needlewise.services.profiles import parse_profile


def make_profile(**fields: Any) -> Profile:
    """A valid Profile from Profile v1 fields; setting defaults to home and age to 30."""
    document: dict[str, Any] = {"setting": "home", "age": 30, **fields}
    return parse_profile(document)
