"""``assess``: one profile + one knowledge base -> one assessment. Pure and deterministic.

The verdict tier is the highest tier any fired rule forces in the person's setting. Rule conditions
and plan-section conditions run as one compiled function (see :mod:`needlewise.engine.compiler`).
Everything that depends only on the knowledge base and the language (finding texts and citations,
plan sections, schedules) is prepared once per content hash and language, so an assessment only
selects and assembles.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from needlewise.domain.assessment import Assessment, Citation, Fact, Finding, GoalSchedule, JsonValue, PlanSection
from needlewise.domain.profile import Profile
from needlewise.domain.tier import Confidence, Severity, Tier
from needlewise.domain.vocabulary import Lang, Setting
from needlewise.engine.compiler import FiredRules, compile_conditions
from needlewise.engine.conditions import AllOf, Condition, fields_read
from needlewise.engine.fields import FIELDS, FactValue, facts_of
from needlewise.engine.knowledge import KnowledgeBase, Rule
from needlewise.engine.plan import PlanContext, build_plan

_FIELD_INDEX = {spec.name: i for i, spec in enumerate(FIELDS)}

# The parts of a finding that do not depend on the profile, in Finding's field order (facts last).
_FindingParts = tuple[str, Tier, Severity, Confidence, str, str, str | None, str, tuple[Citation, ...]]
_Cite = Callable[[Sequence[str]], tuple[Citation, ...]]


@dataclass(frozen=True, slots=True)
class _Prepared:
    fired: FiredRules
    rule_count: int
    reads: tuple[tuple[tuple[str, int], ...], ...]
    findings: dict[Setting, tuple[_FindingParts, ...]]
    plan: PlanContext


_PREPARED: dict[tuple[str, Lang], _Prepared] = {}


def assess(profile: Profile, kb: KnowledgeBase, lang: Lang = Lang.EN) -> Assessment:
    """The assessment of ``profile`` against ``kb``, written in ``lang``."""
    prepared = _prepare(kb, lang)
    facts = facts_of(profile)
    hits = prepared.fired(facts)
    count = prepared.rule_count
    rule_hits = [i for i in hits if i < count]
    parts = prepared.findings[profile.setting]
    reads = prepared.reads
    findings = [Finding(*parts[i], _facts(reads[i], facts)) for i in rule_hits]
    tier = Tier.highest(f.tier for f in findings)
    findings.sort(key=_descending_tier)  # stable: knowledge-base order within a tier
    texts = kb.tier_texts[tier]
    plan = build_plan(
        profile,
        prepared.plan,
        tier=tier,
        fired=[kb.rules[i] for i in rule_hits],
        sections=[i - count for i in hits if i >= count],
    )
    return Assessment(
        tier=tier,
        tier_title=texts.title.in_(lang),
        tier_summary=texts.summary.in_(lang),
        setting=profile.setting.value,
        lang=lang.value,
        kb_version=kb.version,
        findings=tuple(findings),
        plan=plan,
        disclaimer=kb.disclaimer.in_(lang),
    )


def fired_rule_ids(profile: Profile, kb: KnowledgeBase) -> list[str]:
    """Ids of the rules whose conditions hold for ``profile``, in knowledge-base order."""
    prepared = _prepare(kb, Lang.EN)
    return [kb.rules[i].rule_id for i in prepared.fired(facts_of(profile)) if i < prepared.rule_count]


def _descending_tier(finding: Finding) -> int:
    return -finding.tier.rank


def _facts(reads: tuple[tuple[str, int], ...], facts: Sequence[FactValue]) -> tuple[Fact, ...]:
    return tuple(Fact(name, _json(facts[index])) for name, index in reads)


def _json(value: FactValue) -> JsonValue:
    if isinstance(value, frozenset):
        return list(_sorted_strings(value))
    if isinstance(value, str):
        return _plain(value)
    return value


@lru_cache(maxsize=4096)
def _sorted_strings(values: frozenset[str]) -> tuple[str, ...]:
    return tuple(sorted(str(v) for v in values))


@lru_cache(maxsize=256)
def _plain(value: str) -> str:
    return str(value)


def _prepare(kb: KnowledgeBase, lang: Lang) -> _Prepared:
    key = (kb.version.content_hash, lang)
    prepared = _PREPARED.get(key)
    if prepared is None:
        prepared = _build(kb, lang)
        _PREPARED[key] = prepared
    return prepared


def _build(kb: KnowledgeBase, lang: Lang) -> _Prepared:
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
    return _Prepared(
        fired=compile_conditions(conditions, cache_key=f"{kb.version.content_hash}+sections"),
        rule_count=len(kb.rules),
        reads=tuple(tuple((name, _FIELD_INDEX[name]) for name in fields_read(r.condition)) for r in kb.rules),
        findings={setting: tuple(_parts(r, setting, lang, cite) for r in kb.rules) for setting in Setting},
        plan=PlanContext(kb, lang, sections, tuple(s.requires_home_use for s in kb.sections), schedules),
    )


def _parts(rule: Rule, setting: Setting, lang: Lang, cite: _Cite) -> _FindingParts:
    return (
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
