"""Compile a rule set's conditions once into one straight-line Python function.

The generated function takes the profile's facts (:func:`needlewise.engine.fields.facts_of`) and
returns the indices of the conditions that hold, in order. Source is generated only from
type-checked conditions (field names from the registry, values validated by the loader and embedded
with ``repr``), and executed with no builtins. Compiled functions are cached by the knowledge base's
content hash, so each rule set is compiled once per process.

:func:`interpret` is the slow reference evaluator the compiled code is tested against.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from needlewise.engine.conditions import AllOf, AnyOf, Comparison, Condition, Operator
from needlewise.engine.fields import FIELD_INDEX, FIELDS, FIELDS_BY_NAME, FactValue

FiredRules = Callable[[Sequence[FactValue]], list[int]]

_COMPARE_SYMBOL = {
    Operator.EQ: "==",
    Operator.NE: "!=",
    Operator.LT: "<",
    Operator.LE: "<=",
    Operator.GT: ">",
    Operator.GE: ">=",
}
_CACHE: dict[str, tuple[str, FiredRules]] = {}


def compile_conditions(conditions: Sequence[Condition], *, cache_key: str) -> FiredRules:
    """The compiled function for ``conditions``, generated once per ``cache_key``."""
    cached = _CACHE.get(cache_key)
    if cached is not None:
        return cached[1]
    source, constants = generate_source(conditions)
    namespace: dict[str, object] = {"__builtins__": {}, **constants}
    code = compile(source, f"<needlewise rules {cache_key[:16]}>", "exec")
    exec(code, namespace)  # noqa: S102 - source generated from validated, typed conditions only
    function: FiredRules = namespace["fired"]  # type: ignore[assignment]
    _CACHE[cache_key] = (source, function)
    return function


def generate_source(conditions: Sequence[Condition]) -> tuple[str, dict[str, frozenset[str]]]:
    """Python source of ``fired(facts)`` for ``conditions``, and the set constants it uses."""
    constants: dict[str, frozenset[str]] = {}
    names = ", ".join(f"v{i}" for i in range(len(FIELDS)))
    lines = ["def fired(facts):", f"    {names}, = facts", "    r = []", "    a = r.append"]
    for index, condition in enumerate(conditions):
        lines.append(f"    if {_expression(condition, constants)}:")
        lines.append(f"        a({index})")
    lines.append("    return r")
    return "\n".join(lines) + "\n", constants


def _expression(condition: Condition, constants: dict[str, frozenset[str]]) -> str:
    match condition:
        case Comparison():
            return _comparison(condition, constants)
        case AllOf(items=items):
            return "(" + " and ".join(_expression(i, constants) for i in items) + ")" if items else "True"
        case AnyOf(items=items):
            return "(" + " or ".join(_expression(i, constants) for i in items) + ")" if items else "False"
    return f"(not {_expression(condition.item, constants)})"


_SET_TEMPLATES = {
    Operator.IN: "({var} in {constant})",
    Operator.NOT_IN: "({var} not in {constant})",
    Operator.INTERSECTS: "(not {var}.isdisjoint({constant}))",
}


def _comparison(comparison: Comparison, constants: dict[str, frozenset[str]]) -> str:
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
