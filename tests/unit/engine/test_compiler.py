"""The compiled rule function agrees with the reference interpreter on any condition and any facts."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from needlewise.engine import compiler, fields
from needlewise.engine.compiler import compile_conditions, compile_resolver, interpret
from needlewise.engine.conditions import (
    OPERATOR_FIELD_TYPES,
    AllOf,
    AnyOf,
    Comparison,
    Condition,
    Not,
    Operator,
    condition_to_json,
    fields_read,
)
from needlewise.engine.fields import FIELDS, FactValue, FieldSpec, FieldType
from needlewise.engine.unsure import evaluate


def _value(spec: FieldSpec, op: Operator) -> st.SearchStrategy[object]:
    if op in (Operator.IS_NULL, Operator.IS_NOT_NULL):
        return st.none()
    if op in (Operator.IN, Operator.NOT_IN, Operator.INTERSECTS):
        return st.lists(st.sampled_from(spec.allowed), min_size=1, max_size=3).map(tuple)
    if spec.value_type in (FieldType.ENUM, FieldType.SET):
        return st.sampled_from(spec.allowed)
    if spec.value_type is FieldType.BOOL:
        return st.booleans()
    if spec.value_type is FieldType.INT:
        return st.integers(-2, 30)
    return st.floats(-1, 30, allow_nan=False)


@st.composite
def comparisons(draw: st.DrawFn) -> Comparison:
    spec = draw(st.sampled_from(FIELDS))
    op = draw(st.sampled_from([o for o in Operator if spec.value_type in OPERATOR_FIELD_TYPES[o]]))
    return Comparison(spec.name, op, draw(_value(spec, op)))  # type: ignore[arg-type]


conditions: st.SearchStrategy[Condition] = st.recursive(
    comparisons(),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(lambda items: AllOf(tuple(items))),
        st.lists(inner, max_size=3).map(lambda items: AnyOf(tuple(items))),
        inner.map(Not),
    ),
    max_leaves=8,
)


def _fact(spec: FieldSpec) -> st.SearchStrategy[FactValue]:
    base: st.SearchStrategy[FactValue]
    if spec.value_type is FieldType.ENUM:
        base = st.sampled_from(spec.allowed)
    elif spec.value_type is FieldType.SET:
        base = st.frozensets(st.sampled_from(spec.allowed), max_size=3)
    elif spec.value_type is FieldType.BOOL:
        base = st.booleans()
    elif spec.value_type is FieldType.INT:
        base = st.integers(-2, 30)
    else:
        base = st.floats(-1, 30, allow_nan=False)
    return st.one_of(st.none(), base) if spec.nullable else base


facts = st.tuples(*(_fact(spec) for spec in FIELDS))


@settings(max_examples=500, deadline=None)
@given(conditions=st.lists(conditions, min_size=1, max_size=6), values=facts)
def test_compiled_function_matches_the_interpreter(conditions: list[Condition], values: tuple[FactValue, ...]) -> None:
    fired = compile_conditions(conditions, name="random")
    assert fired(values) == [i for i, c in enumerate(conditions) if interpret(c, values)]


@settings(max_examples=500, deadline=None)
@given(
    conditions=st.lists(conditions, min_size=1, max_size=6),
    values=facts,
    unknown=st.frozensets(st.integers(0, len(FIELDS) - 1), max_size=6),
    rule_count=st.integers(0, 6),
)
def test_compiled_resolver_matches_the_three_valued_interpreter(
    conditions: list[Condition], values: tuple[FactValue, ...], unknown: frozenset[int], rule_count: int
) -> None:
    """Rules: certain is Kleene-true, possible-only is unknown; sections: not Kleene-false; any negations."""
    rule_count = min(rule_count, len(conditions))
    certain, possible, sections = compile_resolver(conditions, rule_count, unknown, name="random")(values)
    truths = [evaluate(c, values, unknown) for c in conditions]
    assert certain == [i for i, t in enumerate(truths[:rule_count]) if t is True]
    assert possible == [i for i, t in enumerate(truths[:rule_count]) if t is None]
    assert sections == [i for i, t in enumerate(truths[rule_count:]) if t is not False]


def test_the_resolver_reads_an_open_answer_as_unknown_under_negation_and_in_empty_groups() -> None:
    values = tuple(None if s.nullable else _neutral(s) for s in FIELDS)
    length = fields.FIELD_INDEX["device.needle_mm"]
    over = Comparison("device.needle_mm", Operator.GT, 0.5)
    known = Comparison("age", Operator.LE, 18)  # true on the neutral values
    conditions = [
        over,
        Not(over),
        Not(AllOf((over, AnyOf(())))),
        AllOf(()),
        Not(AllOf(())),
        Comparison("device.needle_mm", Operator.IS_NULL),
        AllOf((known, over)),
        AnyOf((known, over)),
        AnyOf((Not(known), over)),
        Not(AnyOf((over, Not(over)))),
    ]
    unknown = frozenset({length})
    assert compile_resolver(conditions, len(conditions), unknown, name="negation")(values) == (
        [2, 3, 7],
        [0, 1, 5, 6, 8, 9],
        [],
    )
    assert compile_resolver(conditions, 0, unknown, name="sections")(values) == ([], [], [0, 1, 2, 3, 5, 6, 7, 8, 9])
    assert compile_resolver(conditions, len(conditions), frozenset(), name="given")(values) == (
        [1, 2, 3, 5, 7],
        [],
        [],
    )


def test_empty_groups_and_negation() -> None:
    values = tuple(None if s.nullable else _neutral(s) for s in FIELDS)
    conditions = [AllOf(()), AnyOf(()), Not(AnyOf(())), Not(AllOf(()))]
    fired = compile_conditions(conditions, name="empty-groups")
    assert fired(values) == [0, 2]
    assert [interpret(c, values) for c in conditions] == [True, False, True, False]


def test_null_compares_false_whatever_the_operator() -> None:
    values = tuple(None if s.nullable else _neutral(s) for s in FIELDS)
    conditions = [
        Comparison("device.needle_mm", Operator.GT, 0.5),
        Comparison("device.needle_mm", Operator.NE, 0.5),
        Comparison("device.needle_mm", Operator.IS_NULL),
        Comparison("device.needle_mm", Operator.IS_NOT_NULL),
    ]
    assert compile_conditions(conditions, name="nulls")(values) == [2]


def test_fields_read_lists_each_field_once_in_order() -> None:
    condition = AllOf(
        (
            Comparison("age", Operator.LT, 18),
            Not(AnyOf((Comparison("goals", Operator.CONTAINS, "glow"), Comparison("age", Operator.GT, 3)))),
        )
    )
    assert fields_read(condition) == ("age", "goals")


def _neutral(spec: FieldSpec) -> FactValue:
    return {
        FieldType.ENUM: spec.allowed[0] if spec.allowed else "",
        FieldType.SET: frozenset(),
        FieldType.BOOL: False,
        FieldType.INT: 0,
        FieldType.NUMBER: 0.0,
    }[spec.value_type]


def test_membership_on_a_null_enum_is_false(monkeypatch: pytest.MonkeyPatch) -> None:
    """No enum field is nullable today; the compiled code must still treat null as unknown."""
    spec = fields.FieldSpec("setting", fields.FieldType.ENUM, fields.FIELDS[0].vocabulary, nullable=True)
    monkeypatch.setitem(compiler.FIELDS_BY_NAME, "setting", spec)
    values = tuple(None if s.nullable or s.name == "setting" else _neutral(s) for s in FIELDS)
    conditions = [Comparison("setting", Operator.NOT_IN, ("home",)), Comparison("setting", Operator.IN, ("home",))]
    assert compile_conditions(conditions, name="nullable-enum")(values) == []
    assert [interpret(c, values) for c in conditions] == [False, False]


def test_conditions_write_back_to_the_knowledge_base_form() -> None:
    condition = AllOf(
        (Not(AnyOf((Comparison("goals", Operator.INTERSECTS, ("glow",)),))), Comparison("age", Operator.LT, 18))
    )
    assert condition_to_json(condition) == {
        "all": [
            {"not": {"any": [{"field": "goals", "op": "intersects", "value": ["glow"]}]}},
            {"field": "age", "op": "lt", "value": 18},
        ]
    }
