"""Compile a rule set's conditions once into one straight-line Python function.

The generated function takes the profile's facts (:func:`needlewise.engine.fields.facts_of`) and
returns the indices of the conditions that hold, in order. Source is generated only from
type-checked conditions (field names from the registry, values validated by the loader and embedded
with ``repr``), and executed with no builtins. The engine compiles a knowledge base's conditions once
and keeps the functions with that knowledge base (:mod:`needlewise.engine.evaluate`).

:func:`interpret` is the slow reference evaluator the compiled code is tested against.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from needlewise.engine.conditions import AllOf, AnyOf, Comparison, Condition, Operator, fields_read
from needlewise.engine.fields import FIELD_INDEX, FIELDS, FIELDS_BY_NAME, FactValue

FiredRules = Callable[[Sequence[FactValue]], list[int]]
# facts -> (rules true for certain, rules true for some open answers only, sections true or possibly true)
Resolver = Callable[[Sequence[FactValue]], tuple[list[int], list[int], list[int]]]

_COMPARE_SYMBOL = {
    Operator.EQ: "==",
    Operator.NE: "!=",
    Operator.LT: "<",
    Operator.LE: "<=",
    Operator.GT: ">",
    Operator.GE: ">=",
}


def compile_conditions(conditions: Sequence[Condition], *, name: str = "rules") -> FiredRules:
    """The compiled function for ``conditions`` (``name`` labels its code in tracebacks and profiles)."""
    source, constants = generate_source(conditions)
    namespace: dict[str, object] = {"__builtins__": {}, **constants}
    code = compile(source, f"<needlewise rules {name[:16]}>", "exec")
    exec(code, namespace)  # noqa: S102 - source generated from validated, typed conditions only
    function: FiredRules = namespace["fired"]  # type: ignore[assignment]
    return function


def generate_source(conditions: Sequence[Condition]) -> tuple[str, dict[str, frozenset[object]]]:
    """Python source of ``fired(facts)`` for ``conditions``, and the set constants it uses."""
    constants: dict[str, frozenset[object]] = {}
    names = ", ".join(f"v{i}" for i in range(len(FIELDS)))
    lines = ["def fired(facts):", f"    {names}, = facts", "    r = []", "    a = r.append"]
    for index, condition in enumerate(conditions):
        lines.append(f"    if {_expression(condition, constants)}:")
        lines.append(f"        a({index})")
    lines.append("    return r")
    return "\n".join(lines) + "\n", constants


def _expression(condition: Condition, constants: dict[str, frozenset[object]]) -> str:
    match condition:
        case Comparison():
            return _comparison(condition, constants)
        case AllOf(items=items):
            return "(" + " and ".join(_expression(i, constants) for i in items) + ")" if items else "True"
        case AnyOf(items=items):
            return "(" + " or ".join(_expression(i, constants) for i in items) + ")" if items else "False"
    return f"(not {_expression(condition.item, constants)})"


def compile_resolver(
    conditions: Sequence[Condition], rule_count: int, unknown: frozenset[int], *, name: str = "rules"
) -> Resolver:
    """``conditions`` in three-valued (Kleene) logic for one set of open answers, compiled.

    The first ``rule_count`` conditions are rules, the rest plan sections. A comparison on a fact
    position in ``unknown`` (an open answer) is *unknown*. The function takes the facts and returns the
    rules that hold whatever the open answers are, the rules that hold for some of them only, and the
    sections (numbered from 0) that hold or could hold. Each condition that reads an open position
    is compiled twice in negation normal form, with the unknown comparisons folded to constants: read
    as false (true only if certain), then as true (false only if certainly false). And and or are
    monotone, so the pair is exactly Kleene's value (:func:`needlewise.engine.unsure.evaluate` is the
    reference the tests compare it with). A condition that reads no open position is compiled as
    :func:`compile_conditions` would. The engine compiles one function per set of open positions it
    meets, so that an assessment with open answers costs what one without them does.
    """
    source, constants = generate_resolver_source(conditions, rule_count, unknown)
    namespace: dict[str, object] = {"__builtins__": {}, **constants}
    exec(compile(source, f"<needlewise resolver {name[:16]}>", "exec"), namespace)  # noqa: S102 - as above
    function: Resolver = namespace["resolve"]  # type: ignore[assignment]
    return function


def generate_resolver_source(
    conditions: Sequence[Condition], rule_count: int, unknown: frozenset[int]
) -> tuple[str, dict[str, frozenset[object]]]:
    """Python source of ``resolve(facts)`` (see :func:`compile_resolver`), and the set constants it uses."""
    constants: dict[str, frozenset[object]] = {}
    names = ", ".join(f"v{i}" for i in range(len(FIELDS)))
    lines = ["def resolve(facts):", f"    {names}, = facts", "    c = []", "    q = []", "    s = []"]
    lines += ["    ac = c.append", "    aq = q.append", "    as_ = s.append"]
    for index, condition in enumerate(conditions):
        certain: str | bool
        possible: str | bool
        if unknown.isdisjoint(FIELD_INDEX[field] for field in fields_read(condition)):
            certain = possible = _expression(condition, constants)
        else:
            certain = _fold(condition, constants, unknown, certain=True, negated=False)
            possible = _fold(condition, constants, unknown, certain=False, negated=False)
        if index >= rule_count:
            lines += _when(possible, f"as_({index - rule_count})", "if")
            continue
        lines += _when(certain, f"ac({index})", "if")
        if certain is not True and certain != possible:
            lines += _when(possible, f"aq({index})", "elif" if isinstance(certain, str) else "if")
    lines.append("    return c, q, s")
    return "\n".join(lines) + "\n", constants


def _when(test: str | bool, action: str, keyword: str) -> list[str]:
    """The lines that run ``action`` when ``test`` (an expression, or a constant) holds."""
    if test is False:
        return []
    if test is True:
        return [f"    else:\n        {action}" if keyword == "elif" else f"    {action}"]
    return [f"    {keyword} {test}:", f"        {action}"]


def _fold(
    condition: Condition,
    constants: dict[str, frozenset[object]],
    unknown: frozenset[int],
    *,
    certain: bool,
    negated: bool,
) -> str | bool:
    """``condition`` (negated if ``negated``) in negation normal form, its open comparisons folded.

    Each comparison on an ``unknown`` position reads as ``not certain``; and/or over constants fold.
    """
    match condition:
        case Comparison():
            if FIELD_INDEX[condition.field] in unknown:
                return not certain
            literal = _comparison(condition, constants)
            return f"(not {literal})" if negated else literal
        case AllOf(items=items) | AnyOf(items=items):
            conjunction = isinstance(condition, AllOf) is not negated
            parts: list[str] = []
            for item in items:
                part = _fold(item, constants, unknown, certain=certain, negated=negated)
                if part is (not conjunction):  # False in an and, True in an or decides it
                    return part
                if isinstance(part, str):
                    parts.append(part)
            if not parts:
                return conjunction
            return "(" + (" and " if conjunction else " or ").join(parts) + ")"
    return _fold(condition.item, constants, unknown, certain=certain, negated=not negated)


_SET_TEMPLATES = {
    Operator.IN: "({var} in {constant})",
    Operator.NOT_IN: "({var} not in {constant})",
    Operator.INTERSECTS: "(not {var}.isdisjoint({constant}))",
}


def _comparison(comparison: Comparison, constants: dict[str, frozenset[object]]) -> str:
    var = f"v{FIELD_INDEX[comparison.field]}"
    op, value = comparison.op, comparison.value
    if op in (Operator.IS_NULL, Operator.IS_NOT_NULL):
        return f"({var} is {'' if op is Operator.IS_NULL else 'not '}None)"
    if op in _COMPARE_SYMBOL:
        test = f"{var} {_COMPARE_SYMBOL[op]} {value!r}"
        return f"({var} is not None and {test})" if FIELDS_BY_NAME[comparison.field].nullable else f"({test})"
    if op is Operator.CONTAINS:
        return f"({value!r} in {var})"
    constant = f"K{len(constants)}"
    constants[constant] = frozenset(value if isinstance(value, tuple) else ())
    test = _SET_TEMPLATES[op].format(var=var, constant=constant)
    return f"({var} is not None and {test})" if FIELDS_BY_NAME[comparison.field].nullable else test


def interpret(condition: Condition, facts: Sequence[FactValue]) -> bool:
    """Evaluate ``condition`` directly on ``facts``: the reference the compiled code must match."""
    match condition:
        case AllOf(items=items):
            return all(interpret(i, facts) for i in items)
        case AnyOf(items=items):
            return any(interpret(i, facts) for i in items)
        case Comparison():
            return interpret_comparison(condition, facts[FIELD_INDEX[condition.field]])
    return not interpret(condition.item, facts)


def interpret_comparison(comparison: Comparison, actual: FactValue) -> bool:
    """One comparison on the field's actual value (false on an unknown, null, value)."""
    op, value = comparison.op, comparison.value
    if op is Operator.IS_NULL or actual is None:
        return op is Operator.IS_NULL and actual is None
    if op is Operator.IS_NOT_NULL:
        return True
    values = value if isinstance(value, tuple) else ()
    if isinstance(actual, frozenset):
        return value in actual if op is Operator.CONTAINS else not actual.isdisjoint(values)
    if op in (Operator.IN, Operator.NOT_IN):
        return (actual in values) is (op is Operator.IN)
    return _ordered(op, actual, value)


def _ordered(op: Operator, actual: object, value: object) -> bool:
    checks: dict[Operator, Callable[[], bool]] = {
        Operator.EQ: lambda: actual == value,
        Operator.NE: lambda: actual != value,
        Operator.LT: lambda: actual < value,  # type: ignore[operator]
        Operator.LE: lambda: actual <= value,  # type: ignore[operator]
        Operator.GT: lambda: actual > value,  # type: ignore[operator]
        Operator.GE: lambda: actual >= value,  # type: ignore[operator]
    }
    return checks[op]()
