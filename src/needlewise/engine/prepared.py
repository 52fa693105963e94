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
from needlewise.engine.compiler import Resolver, compile_resolver
from needlewise.engine.conditions import AllOf, Condition, fields_read
from needlewise.engine.fields import FIELD_INDEX, FactValue
from needlewise.engine.knowledge import KnowledgeBase, Rule
from needlewise.engine.plan import PlanContext, plan_context
from needlewise.engine.unsure import Askable, askable

_Cite = Callable[[Sequence[str]], tuple[Citation, ...]]


@dataclass(frozen=True, slots=True)
class Prepared:
    """A knowledge base compiled and prepared in one language."""

    conditions: tuple[Condition, ...]  # the rules', then the sections'
    resolvers: dict[frozenset[int], Resolver]  # per set of open fact positions, compiled on first use
    rule_count: int
    reads: tuple[tuple[tuple[str, int], ...], ...]
    values: tuple[Callable[[Sequence[FactValue]], object], ...]  # per rule: the values it read, as one key
    findings: dict[Setting, tuple[FindingText, ...]]
    plan: PlanContext
    positions: tuple[frozenset[int], ...]  # the fact positions each condition (rules, then sections) reads
    cite: _Cite
    stops: dict[Setting, frozenset[int]]  # per setting: the rules that force stop there
    home_technique: frozenset[str]  # the rules whose advice is how to do it at home
    tier_words: dict[Tier, tuple[str, str]]  # per tier: its title and summary
    disclaimer: str
    lang: str
    askable: Askable
    open_cache: dict[tuple[object, ...], tuple[tuple[Finding, ...], tuple[OpenAnswer, ...]]]
    findings_caches: dict[Setting, tuple[dict[object, Finding], ...]]  # per setting and rule: values read -> finding


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


_RESOLVERS_CACHE_SIZE = 256  # compiled functions per knowledge base; emptied when full


def resolver(prepared: Prepared, unknown: frozenset[int]) -> Resolver:
    """The conditions compiled for the open fact positions ``unknown``: on first use, then kept."""
    function = prepared.resolvers.get(unknown)
    if function is None:
        if len(prepared.resolvers) >= _RESOLVERS_CACHE_SIZE:
            prepared.resolvers.clear()
        function = prepared.resolvers[unknown] = compile_resolver(
            prepared.conditions, prepared.rule_count, unknown, name=prepared.plan.kb.version.content_hash
        )
    return function


def _compiled(kb: KnowledgeBase, conditions: Sequence[Condition]) -> dict[frozenset[int], Resolver]:
    """The rules' and sections' conditions as functions, one per set of open answers met.

    They are shared by every language; the one for every answer given is compiled now.
    """
    functions = kb.compiled.get(_CONDITIONS)
    if functions is None:
        name = kb.version.content_hash
        functions = kb.compiled[_CONDITIONS] = {
            frozenset(): compile_resolver(conditions, len(kb.rules), frozenset(), name=name)
        }
    return cast("dict[frozenset[int], Resolver]", functions)


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
    resolvers = _compiled(kb, conditions)
    reads = tuple(tuple((name, FIELD_INDEX[name]) for name in fields_read(r.condition)) for r in kb.rules)
    return Prepared(
        positions=positions,
        conditions=tuple(conditions),
        resolvers=resolvers,
        cite=cite,
        home_technique=frozenset(r.rule_id for r in kb.rules if r.home_technique),
        tier_words={tier: (texts.title.in_(lang), texts.summary.in_(lang)) for tier, texts in kb.tier_texts.items()},
        disclaimer=kb.disclaimer.in_(lang),
        lang=lang.value,
        stops={
            setting: frozenset(i for i, r in enumerate(kb.rules) if r.tier_for(setting) is Tier.STOP)
            for setting in Setting
        },
        askable=askable(kb.questions),
        open_cache={},
        findings_caches={setting: tuple({} for _ in kb.rules) for setting in Setting},
        rule_count=len(kb.rules),
        reads=reads,
        values=tuple(itemgetter(*(index for _, index in read)) if read else itemgetter(slice(0)) for read in reads),
        findings={setting: tuple(_parts(r, setting, lang, cite) for r in kb.rules) for setting in Setting},
        plan=plan_context(kb, lang, sections, schedules),
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
