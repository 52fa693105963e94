"""Status columns built from the domain's enums: their choices and the check constraint that keeps them."""

from __future__ import annotations

from enum import StrEnum

from django.db import models


def choices(values: type[StrEnum]) -> list[tuple[str, str]]:
    """The enum's values as a column's choices (stored value and label alike)."""
    return [(value.value, value.value) for value in values]


def one_of(column: str, values: type[StrEnum], name: str, *, or_empty: bool = False) -> models.CheckConstraint:
    """A check constraint named ``name``: ``column`` holds one of the enum's values (or ``""`` if ``or_empty``)."""
    allowed = [v.value for v in values] + ([""] if or_empty else [])
    return models.CheckConstraint(condition=models.Q(**{f"{column}__in": allowed}), name=name)
