"""Check and build the questionnaire: fields, kinds, options and reachability of every question."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence

from needlewise.domain.profile import UNSURE_FIELDS
from needlewise.domain.text import Text
from needlewise.engine.compiler import interpret
from needlewise.engine.conditions import Comparison, Condition, Not, fields_read
from needlewise.engine.fields import FIELDS, FIELDS_BY_NAME, FactValue, FieldSpec, FieldType
from needlewise.engine.knowledge import Question, Term
from needlewise.engine.unsure import PROCEDURE_FIELDS, PROCEDURES_FIELD
from needlewise.errors import Problem
from needlewise.kb.conditions import ConditionParser
from needlewise.kb.older import OlderFormat
from needlewise.kb.schema import QuestionModel
from needlewise.kb.suggestions import closest

ASKABLE = (*(s.name for s in FIELDS if s.name not in PROCEDURE_FIELDS), PROCEDURES_FIELD)
REQUIRED = ("setting", "age")
_KIND_TYPES = {
    "single": FieldType.ENUM,
    "multi": FieldType.SET,
    "boolean": FieldType.BOOL,
    "integer": FieldType.INT,
    "number": FieldType.NUMBER,
    "scale": FieldType.INT,
}
_MAX_SAMPLES = 20_000


def build_questions(
    models: Sequence[QuestionModel],
    terms_of: Mapping[str, tuple[Term, ...]],
    problems: list[Problem],
    *,
    older: OlderFormat | None = None,
) -> tuple[Question, ...]:
    """Questions in order; every problem found is appended to ``problems``.

    In an older knowledge base (``older``), a question whose "not sure" answer does not match the
    current fields takes none, and that is noted rather than refused.
    """
    asked: list[str] = []
    no_unsure: list[str] = []
    questions: list[Question] = []
    seen_ids: set[str] = set()
    for index, model in enumerate(models):
        where = f"questionnaire.yaml: questions[{index}] (id {model.id!r})"
        if model.id in seen_ids:
            problems.append(Problem(where, f"duplicate question id {model.id!r}"))
        seen_ids.add(model.id)
        if model.field not in ASKABLE:
            problems.append(Problem(f"{where}.field", f"unknown field {model.field!r}", closest(model.field, ASKABLE)))
            continue
        if model.field in asked:
            problems.append(Problem(f"{where}.field", f"field {model.field!r} is already asked"))
        _check_kind(model, where, problems)
        takes_unsure = _check_unsure(model, where, problems if older is None else None, no_unsure)
        readable = [*asked, *(PROCEDURE_FIELDS if PROCEDURES_FIELD in asked else ())]
        ask_if = None
        if model.ask_if is not None:
            ask_if = ConditionParser(problems, readable=readable).parse(model.ask_if, f"{where}.ask_if")
            if not _satisfiable(ask_if):
                problems.append(Problem(f"{where}.ask_if", "unreachable: no answers to earlier questions make it true"))
        options = _options(model, terms_of, where, problems)
        questions.append(_question(model, ask_if, options, takes_unsure=takes_unsure))
        asked.append(model.field)
    if older is not None and no_unsure:
        fields = ", ".join(no_unsure)
        older.notes.append(Problem("questionnaire.yaml", f"no 'not sure' answer to: {fields}"))
    if sorted(asked[: len(REQUIRED)]) != sorted(REQUIRED):
        problems.append(Problem("questionnaire.yaml", f"the first questions must ask {' and '.join(REQUIRED)}"))
    return tuple(questions)


def _check_unsure(model: QuestionModel, where: str, problems: list[Problem] | None, no_unsure: list[str]) -> bool:
    """Whether the question takes "not sure": it must have an ``unsure`` text exactly when its field can be unsure.

    Without ``problems`` (an older knowledge base), a mismatch means the question takes none, and its
    field is added to ``no_unsure``.
    """
    if (model.unsure is not None) == (model.field in UNSURE_FIELDS):
        return model.unsure is not None
    if problems is None:
        no_unsure.append(model.field)
    else:
        wanted = "says what to find out ('unsure')" if model.unsure is None else "takes no 'unsure' answer"
        problems.append(Problem(f"{where}.unsure", f"field {model.field!r} {wanted}"))
    return False


def _check_kind(model: QuestionModel, where: str, problems: list[Problem]) -> None:
    if model.field == PROCEDURES_FIELD or model.kind == "procedures":
        if (model.field == PROCEDURES_FIELD) != (model.kind == "procedures"):
            problems.append(Problem(f"{where}.kind", f"kind 'procedures' is for field {PROCEDURES_FIELD!r} only"))
        return
    spec = FIELDS_BY_NAME[model.field]
    if _KIND_TYPES[model.kind] is not spec.value_type:
        problems.append(
            Problem(f"{where}.kind", f"kind {model.kind!r} does not suit {spec.value_type.value} field {model.field!r}")
        )
    if model.nullable and not spec.nullable:
        problems.append(Problem(f"{where}.nullable", f"field {model.field!r} cannot be left unknown"))
    if model.none_label is not None and not model.nullable:
        problems.append(Problem(f"{where}.none_label", "only a nullable question has an answer meaning 'none'"))
    if (model.kind == "scale") != (model.choices is not None):
        problems.append(Problem(f"{where}.choices", "scale questions, and only they, list 'choices'"))


def _options(
    model: QuestionModel,
    terms_of: Mapping[str, tuple[Term, ...]],
    where: str,
    problems: list[Problem],
) -> tuple[Term, ...]:
    if model.choices is not None:
        return tuple(Term(str(c.value), Text(c.label.en, c.label.es)) for c in model.choices)
    terms = terms_of.get(model.field, ())
    if model.options is None:
        return terms
    by_value = {t.value: t for t in terms}
    chosen: list[Term] = []
    for i, value in enumerate(model.options):
        if value in by_value:
            chosen.append(by_value[value])
        else:
            problems.append(
                Problem(
                    f"{where}.options[{i}]", f"{value!r} is not a value of {model.field!r}", closest(value, by_value)
                )
            )
    return tuple(chosen)


def _question(
    model: QuestionModel, ask_if: Condition | None, options: tuple[Term, ...], *, takes_unsure: bool
) -> Question:
    return Question(
        question_id=model.id,
        field=model.field,
        kind=model.kind,
        text=Text(model.text.en, model.text.es),
        help=Text(model.help.en, model.help.es) if model.help else None,
        options=options,
        ask_if=ask_if,
        nullable=model.nullable,
        minimum=model.min,
        maximum=model.max,
        unsure_advice=Text(model.unsure.en, model.unsure.es) if model.unsure and takes_unsure else None,
        none_label=Text(model.none_label.en, model.none_label.es) if model.none_label else None,
    )


def _satisfiable(condition: Condition) -> bool:
    """Whether some combination of sampled answers makes ``condition`` true."""
    names = fields_read(condition)
    pools = [_samples(FIELDS_BY_NAME[name], _constants(condition, name)) for name in names]
    base: list[FactValue] = [_default(spec) for spec in FIELDS]
    positions = [next(i for i, s in enumerate(FIELDS) if s.name == name) for name in names]
    for combo in itertools.islice(itertools.product(*pools), _MAX_SAMPLES):
        facts = list(base)
        for position, value in zip(positions, combo, strict=True):
            facts[position] = value
        if interpret(condition, facts):
            return True
    return False


def _samples(spec: FieldSpec, constants: list[float]) -> list[FactValue]:
    if spec.value_type is FieldType.ENUM:
        return list(spec.allowed)
    if spec.value_type is FieldType.SET:
        return [frozenset(), frozenset(spec.allowed), *(frozenset({v}) for v in spec.allowed)]
    if spec.value_type is FieldType.BOOL:
        return [False, True]
    numbers = sorted({0.0, *(c + d for c in constants for d in (-1, -0.01, 0, 0.01, 1))})
    values: list[FactValue] = [int(n) if spec.value_type is FieldType.INT else n for n in numbers]
    return [None, *values] if spec.nullable else values


def _default(spec: FieldSpec) -> FactValue:
    defaults: dict[FieldType, FactValue] = {FieldType.SET: frozenset(), FieldType.BOOL: False, FieldType.INT: 0}
    if spec.nullable:
        return None
    if spec.value_type is FieldType.ENUM:
        return spec.allowed[0]
    return defaults.get(spec.value_type, 0.0)


def _constants(condition: Condition, name: str) -> list[float]:
    return [v for c in _comparisons(condition) if c.field == name for v in _numbers(c.value)]


def _numbers(value: object) -> Iterator[float]:
    if isinstance(value, int | float) and not isinstance(value, bool):
        yield float(value)


def _comparisons(condition: Condition) -> Iterator[Comparison]:
    if isinstance(condition, Comparison):
        yield condition
    elif isinstance(condition, Not):
        yield from _comparisons(condition.item)
    else:
        for item in condition.items:
            yield from _comparisons(item)
