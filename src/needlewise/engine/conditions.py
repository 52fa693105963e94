"""Structured conditions: ``all`` / ``any`` / ``not`` over ``field operator value`` comparisons.

A comparison on an unknown (null) value is always false, whatever the operator; ask explicitly with
``is_null`` / ``is_not_null``. Conditions are plain immutable data: the knowledge-base loader builds
and type-checks them, and :mod:`needlewise.engine.compiler` turns them into Python once.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TypeAlias

from needlewise.engine.fields import FieldType

ComparisonValue: TypeAlias = str | int | float | bool | tuple[str, ...] | None


class Operator(StrEnum):
    """Comparison operators, and the field types each one applies to."""

    EQ = "eq"
    NE = "ne"
    LT = "lt"
    LE = "le"
    GT = "gt"
    GE = "ge"
    IN = "in"
    NOT_IN = "not_in"
    CONTAINS = "contains"
    INTERSECTS = "intersects"
    IS_NULL = "is_null"
    IS_NOT_NULL = "is_not_null"


NUMERIC = frozenset({FieldType.INT, FieldType.NUMBER})

OPERATOR_FIELD_TYPES: dict[Operator, frozenset[FieldType]] = {
    Operator.EQ: frozenset({FieldType.ENUM, FieldType.BOOL, *NUMERIC}),
    Operator.NE: frozenset({FieldType.ENUM, FieldType.BOOL, *NUMERIC}),
    Operator.LT: NUMERIC,
    Operator.LE: NUMERIC,
    Operator.GT: NUMERIC,
    Operator.GE: NUMERIC,
    Operator.IN: frozenset({FieldType.ENUM}),
    Operator.NOT_IN: frozenset({FieldType.ENUM}),
    Operator.CONTAINS: frozenset({FieldType.SET}),
    Operator.INTERSECTS: frozenset({FieldType.SET}),
    Operator.IS_NULL: frozenset(FieldType),
    Operator.IS_NOT_NULL: frozenset(FieldType),
}

LIST_OPERATORS = frozenset({Operator.IN, Operator.NOT_IN, Operator.INTERSECTS})
UNARY_OPERATORS = frozenset({Operator.IS_NULL, Operator.IS_NOT_NULL})


@dataclass(frozen=True, slots=True)
class Comparison:
    """``field operator value``."""

    field: str
    op: Operator
    value: ComparisonValue = None


@dataclass(frozen=True, slots=True)
class AllOf:
    """True when every item is true (and when there are none)."""

    items: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    """True when at least one item is true."""

    items: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Not:
    """True when the item is false."""

    item: Condition


Condition: TypeAlias = Comparison | AllOf | AnyOf | Not


def fields_read(condition: Condition) -> tuple[str, ...]:
    """The fields a condition reads, in first-use order, without repeats."""
    seen: dict[str, None] = {}
    _collect(condition, seen)
    return tuple(seen)


def _collect(condition: Condition, seen: dict[str, None]) -> None:
    if isinstance(condition, Comparison):
        seen.setdefault(condition.field, None)
    elif isinstance(condition, Not):
        _collect(condition.item, seen)
    else:
        for item in condition.items:
            _collect(item, seen)


def condition_to_json(condition: Condition) -> dict[str, object]:
    """The structured condition as the knowledge base writes it (``all`` / ``any`` / ``not`` / comparison)."""
    if isinstance(condition, Comparison):
        value = list(condition.value) if isinstance(condition.value, tuple) else condition.value
        return {"field": condition.field, "op": condition.op.value, "value": value}
    if isinstance(condition, Not):
        return {"not": condition_to_json(condition.item)}
    key = "all" if isinstance(condition, AllOf) else "any"
    return {key: [condition_to_json(item) for item in condition.items]}
