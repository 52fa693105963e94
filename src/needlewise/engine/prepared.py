"""What the engine prepares once per knowledge base and language, so that an assessment only selects.

The rules' and sections' conditions compiled to functions (:mod:`needlewise.engine.compiler`), each
rule's finding words per setting, the plan's sections and schedules, the questions that take "not
sure". It is built on first use and kept with the knowledge base (``KnowledgeBase.compiled``); the
composition root builds it at load with :func:`prepare`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import cast

from needlewise.domain.assessment import Finding, FindingText, OpenAnswer
from needlewise.domain.citation import Citation
from needlewise.domain.plan import GoalSchedule, PlanSection
from needlewise.domain.tier import Tier
from needlewise.domain.vocabulary import Lang, Setting
from needlewise.engine.compiler import FiredRules, KleeneRules, compile_conditions, compile_kleene
from needlewise.engine.conditions import AllOf, Condition, fields_read
from needlewise.engine.fields import FIELD_INDEX, FactValue
from needlewise.engine.knowledge import KnowledgeBase, Rule
from needlewise.engine.plan import PlanContext
from needlewise.engine.unsure import Askable, askable

_Cite = Callable[[Sequence[str]], tuple[Citation, ...]]


@dataclass(frozen=True, slots=True)
class Prepared:
    """A knowledge base compiled and prepared in one language."""

    fired: FiredRules
    kleene: KleeneRules
    rule_count: int
    reads: tuple[tuple[tuple[str, int], ...], ...]
    values: tuple[Callable[[Sequence[FactValue]], object], ...]  # per rule: the values it read, as one key
    findings: dict[Setting, tuple[FindingText, ...]]
    plan: PlanContext
    positions: tuple[frozenset[int], ...]  # the fact positions each condition (rules, then sections) reads
    cite: _Cite
    stops: dict[Setting, frozenset[int]]  # per setting: the rules that force stop there
    home_technique: dict[str, bool]  # rule id -> its advice is how to do it at home
    askable: Askable
    open_cache: dict[tuple[object, ...], tuple[Finding, OpenAnswer] | None]
    findings_cache: dict[tuple[object, ...], Finding]  # (setting, rule, the values it read) -> its finding


def prepare(kb: KnowledgeBase) -> None:
    """Compile ``kb`` and prepare it in every language now, so that no assessment pays for it later."""
    for lang in Lang:
        prepared_for(kb, lang)


def prepared_for(kb: KnowledgeBase, lang: Lang) -> Prepared:
    """``kb`` compiled and prepared in ``lang``: built on first use, kept with the knowledge base."""
    prepared = kb.compiled.get(lang)
    if prepared is None:
        prepared = kb.compiled[lang] = _build(kb, lang)
    return cast("Prepared", prepared)


def _compiled(kb: KnowledgeBase, conditions: Sequence[Condition]) -> tuple[FiredRules, KleeneRules]:
    """The rules' and sections' conditions as functions, compiled once per knowledge base (any language)."""
    functions = kb.compiled.get(_CONDITIONS)
    if functions is None:
        name = kb.version.content_hash
        functions = kb.compiled[_CONDITIONS] = (
            compile_conditions(conditions, name=name),
            compile_kleene(conditions, name=name),
        )
    return cast("tuple[FiredRules, KleeneRules]", functions)


_CONDITIONS = "conditions"


def _build(kb: KnowledgeBase, lang: Lang) -> Prepared:
    citations = {
        s.source_id: Citation(s.source_id, s.title, s.authors, s.year, s.grade, s.url) for s in kb.sources.values()
    }

    def cite(ids: Sequence[str]) -> tuple[Citation, ...]:
        return tuple(citations[i] for i in ids)

    conditions: list[Condition] = [r.condition for r in kb.rules]
    conditions += [s.applies_if or AllOf(()) for s in kb.sections]
    sections = tuple(
        PlanSection(
            s.section_id, s.title.in_(lang), tuple(t.in_(lang) for t in s.steps), s.confidence, cite(s.citations)
        )
        for s in kb.sections
    )
    goals = kb.vocabulary["goals"]
    schedules = {
        (s.goal, s.where): GoalSchedule(
            s.goal,
            goals[s.goal].label.in_(lang),
            s.where.value,
            s.interval.in_(lang),
            s.sessions.in_(lang),
            s.confidence,
            cite(s.citations),
        )
        for s in kb.schedules
    }
    positions = tuple(frozenset(FIELD_INDEX[name] for name in fields_read(c)) for c in conditions)
    fired, kleene = _compiled(kb, conditions)
    reads = tuple(tuple((name, FIELD_INDEX[name]) for name in fields_read(r.condition)) for r in kb.rules)
    return Prepared(
        fired=fired,
        positions=positions,
        kleene=kleene,
        cite=cite,
        home_technique={r.rule_id: r.home_technique for r in kb.rules},
        stops={
            setting: frozenset(i for i, r in enumerate(kb.rules) if r.tier_for(setting) is Tier.STOP)
            for setting in Setting
        },
        askable=askable(kb.questions),
        open_cache={},
        findings_cache={},
        rule_count=len(kb.rules),
        reads=reads,
        values=tuple(itemgetter(*(index for _, index in read)) if read else itemgetter(slice(0)) for read in reads),
        findings={setting: tuple(_parts(r, setting, lang, cite) for r in kb.rules) for setting in Setting},
        plan=PlanContext(kb, lang, sections, tuple(s.requires_home_use for s in kb.sections), schedules),
    )


def _parts(rule: Rule, setting: Setting, lang: Lang, cite: _Cite) -> FindingText:
    return FindingText(
        rule.rule_id,
        rule.tier_for(setting),
        rule.severity,
        rule.confidence,
        rule.title.in_(lang),
        rule.advice.in_(lang),
        rule.seek_care_if.in_(lang) if rule.seek_care_if else None,
        rule.evidence_note.in_(lang),
        cite(rule.citations),
    )
