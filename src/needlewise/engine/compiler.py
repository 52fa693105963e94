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
# (facts, the positions whose answer is open) -> (conditions true for certain, conditions possibly true)
KleeneRules = Callable[[Sequence[FactValue], frozenset[int]], tuple[list[int], list[int]]]

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


def compile_kleene(conditions: Sequence[Condition], *, name: str = "rules") -> KleeneRules:
    """``conditions`` in three-valued (Kleene) logic, compiled (``name`` labels the code).

    The function takes the facts and the positions of the open answers; a comparison on an open
    position is *unknown*. It returns the conditions that are true whatever the open answers are
    (``certain``) and those that are true or unknown (``possible``, which includes ``certain``).
    Each condition is compiled twice in negation normal form: once with every unknown comparison
    read as false (true only if certain), once read as true (false only if certainly false). And and
    or are monotone, so the pair is exactly Kleene's value (:func:`needlewise.engine.unsure.evaluate`
    is the reference the tests compare it with).
    """
    source, constants = generate_kleene_source(conditions)
    namespace: dict[str, object] = {"__builtins__": {}, **constants}
    exec(compile(source, f"<needlewise kleene {name[:16]}>", "exec"), namespace)  # noqa: S102 - as above
    function: KleeneRules = namespace["kleene"]  # type: ignore[assignment]
    return function


def generate_kleene_source(conditions: Sequence[Condition]) -> tuple[str, dict[str, frozenset[object]]]:
    """Python source of ``kleene(facts, U)`` for ``conditions``, and the set constants it uses.

    ``o<k>`` says whether the answer at position ``k`` is open. A condition that reads no open
    position is evaluated once, as :func:`compile_conditions` would.
    """
    constants: dict[str, frozenset[object]] = {}
    names = ", ".join(f"v{i}" for i in range(len(FIELDS)))
    reads = [sorted({FIELD_INDEX[name] for name in fields_read(condition)}) for condition in conditions]
    lines = ["def kleene(facts, U):", f"    {names}, = facts", "    c = []", "    p = []"]
    lines += [f"    o{k} = {k} in U" for k in sorted(set().union(*reads))]
    for index, condition in enumerate(conditions):
        known = "not (" + " or ".join(f"o{k}" for k in reads[index]) + ")" if reads[index] else "True"
        lines.append(f"    if {known}:")
        lines.append(f"        if {_expression(condition, constants)}:")
        lines.append(f"            c.append({index})")
        lines.append(f"            p.append({index})")
        lines.append(f"    elif {_nnf(condition, constants, certain=True, negated=False)}:")
        lines.append(f"        c.append({index})")
        lines.append(f"        p.append({index})")
        lines.append(f"    elif {_nnf(condition, constants, certain=False, negated=False)}:")
        lines.append(f"        p.append({index})")
    lines.append("    return c, p")
    return "\n".join(lines) + "\n", constants


def _nnf(condition: Condition, constants: dict[str, frozenset[object]], *, certain: bool, negated: bool) -> str:
    """``condition`` (negated if ``negated``), negations pushed to the comparisons, unknowns read as not ``certain``."""
    match condition:
        case Comparison():
            literal = _comparison(condition, constants)
            literal = f"(not {literal})" if negated else literal
            position = FIELD_INDEX[condition.field]
            return f"(not o{position} and {literal})" if certain else f"(o{position} or {literal})"
        case AllOf(items=items) | AnyOf(items=items):
            conjunction = isinstance(condition, AllOf) is not negated
            if not items:
                return "True" if conjunction else "False"
            parts = (_nnf(i, constants, certain=certain, negated=negated) for i in items)
            return "(" + (" and " if conjunction else " or ").join(parts) + ")"
    return _nnf(condition.item, constants, certain=certain, negated=not negated)


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
