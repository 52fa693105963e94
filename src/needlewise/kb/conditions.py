"""Parse and type-check conditions written in the knowledge base's YAML.

A condition is one of::

    {all: [condition, ...]}   {any: [condition, ...]}   {not: condition}
    {field: NAME, op: OPERATOR, value: VALUE}

Every field must exist in the engine's field registry, every operator must suit the field's type,
and every value must have the field's type (and, for enum and set fields, be in its vocabulary).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from needlewise.engine.conditions import (
    LIST_OPERATORS,
    OPERATOR_FIELD_TYPES,
    UNARY_OPERATORS,
    AllOf,
    AnyOf,
    Comparison,
    ComparisonValue,
    Condition,
    Not,
    Operator,
)
from needlewise.engine.fields import FIELDS_BY_NAME, FieldSpec, FieldType
from needlewise.errors import Problem
from needlewise.kb.suggestions import closest

_GROUP_KEYS = frozenset({"all", "any", "not"})
_COMPARISON_KEYS = frozenset({"field", "op", "value"})


class ConditionParser:
    """Builds conditions, collecting every problem instead of stopping at the first."""

    def __init__(self, problems: list[Problem], *, readable: Collection[str] | None = None) -> None:
        """Report into ``problems``; ``readable`` restricts which fields may be read."""
        self._problems = problems
        self._readable = readable

    def parse(self, raw: object, where: str) -> Condition:
        """The condition ``raw`` describes; problems are recorded and a harmless stand-in returned."""
        if not isinstance(raw, Mapping):
            return self._fail(where, f"a condition must be a mapping, not {type(raw).__name__}")
        keys = set(raw)
        if keys & _GROUP_KEYS:
            return self._group(raw, where)
        unknown = sorted(keys - _COMPARISON_KEYS)
        if unknown:
            hint = closest(unknown[0], sorted(_GROUP_KEYS | _COMPARISON_KEYS))
            return self._fail(where, f"unknown key {unknown[0]!r} in condition", hint)
        return self._comparison(raw, where)

    def _group(self, raw: Mapping[object, object], where: str) -> Condition:
        if len(raw) != 1:
            return self._fail(where, "use exactly one of 'all', 'any' or 'not' per mapping")
        ((key, body),) = raw.items()
        if key == "not":
            return Not(self.parse(body, f"{where}.not"))
        if not isinstance(body, list):
            return self._fail(where, f"'{key}' needs a list of conditions")
        items = tuple(self.parse(item, f"{where}.{key}[{i}]") for i, item in enumerate(body))
        return AllOf(items) if key == "all" else AnyOf(items)

    def _comparison(self, raw: Mapping[object, object], where: str) -> Condition:
        name, op_name = raw.get("field"), raw.get("op")
        if not isinstance(name, str) or not isinstance(op_name, str):
            return self._fail(where, "a comparison needs 'field' and 'op' strings")
        spec = FIELDS_BY_NAME.get(name)
        if spec is None:
            return self._fail(f"{where}.field", f"unknown field {name!r}", closest(name, FIELDS_BY_NAME))
        if self._readable is not None and name not in self._readable:
            return self._fail(f"{where}.field", f"field {name!r} is not known at this point")
        try:
            op = Operator(op_name)
        except ValueError:
            return self._fail(
                f"{where}.op", f"unknown operator {op_name!r}", closest(op_name, [o.value for o in Operator])
            )
        if spec.value_type not in OPERATOR_FIELD_TYPES[op]:
            return self._fail(
                f"{where}.op", f"operator {op.value!r} does not apply to {spec.value_type.value} field {name!r}"
            )
        value = self._value(spec, op, raw.get("value"), f"{where}.value")
        return Comparison(name, op, value)

    def _value(self, spec: FieldSpec, op: Operator, value: object, where: str) -> ComparisonValue:
        if op in UNARY_OPERATORS:
            if value is not None:
                self._problems.append(Problem(where, f"operator {op.value!r} takes no value"))
            return None
        if op in LIST_OPERATORS:
            if not isinstance(value, list) or not value:
                self._problems.append(Problem(where, f"operator {op.value!r} needs a non-empty list of values"))
                return ()
            return tuple(self._term(spec, item, f"{where}[{i}]") for i, item in enumerate(value))
        if spec.value_type in (FieldType.ENUM, FieldType.SET):
            return self._term(spec, value, where)
        return self._scalar(spec, value, where)

    def _term(self, spec: FieldSpec, value: object, where: str) -> str:
        if not isinstance(value, str) or value not in spec.allowed:
            hint = closest(value, spec.allowed) if isinstance(value, str) else None
            allowed = ", ".join(spec.allowed)
            self._problems.append(Problem(where, f"{value!r} is not a {spec.name} value (allowed: {allowed})", hint))
            return ""
        return value

    def _scalar(self, spec: FieldSpec, value: object, where: str) -> ComparisonValue:
        if spec.value_type is FieldType.BOOL:
            ok = isinstance(value, bool)
        elif spec.value_type is FieldType.INT:
            ok = isinstance(value, int) and not isinstance(value, bool)
        else:
            ok = isinstance(value, int | float) and not isinstance(value, bool)
        if not ok:
            self._problems.append(
                Problem(where, f"{value!r} is not a {spec.value_type.value} value for field {spec.name!r}")
            )
            return None
        return value  # type: ignore[return-value]  # narrowed by the checks above

    def _fail(self, where: str, message: str, suggestion: str | None = None) -> Condition:
        self._problems.append(Problem(where, message, suggestion))
        return AllOf(())
