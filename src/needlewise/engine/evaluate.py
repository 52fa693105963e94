"""``assess``: one profile + one knowledge base -> one assessment. Pure and deterministic.

The verdict tier is the highest tier any fired rule forces in the person's setting. Rule conditions
run as one compiled function (see :mod:`needlewise.engine.compiler`); everything derived from a
knowledge base that does not depend on the profile is prepared once per content hash.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from needlewise.domain.assessment import Assessment, Citation, Fact, Finding, JsonValue
from needlewise.domain.profile import Profile
from needlewise.domain.tier import Tier
from needlewise.domain.vocabulary import Lang, Setting
from needlewise.engine.compiler import FiredRules, compile_conditions
from needlewise.engine.conditions import fields_read
from needlewise.engine.fields import FIELDS, FactValue, facts_of
from needlewise.engine.knowledge import KnowledgeBase, Rule
from needlewise.engine.plan import build_plan

_FIELD_INDEX = {spec.name: i for i, spec in enumerate(FIELDS)}


@dataclass(frozen=True, slots=True)
class _Prepared:
    fired: FiredRules
    citations: dict[str, Citation]
    reads: tuple[tuple[tuple[str, int], ...], ...]


_PREPARED: dict[str, _Prepared] = {}


def assess(profile: Profile, kb: KnowledgeBase, lang: Lang = Lang.EN) -> Assessment:
    """The assessment of ``profile`` against ``kb``, written in ``lang``."""
    prepared = _prepare(kb)
    facts = facts_of(profile)
    indices = prepared.fired(facts)
    fired = [kb.rules[i] for i in indices]
    findings = [
        _finding(kb.rules[i], prepared.reads[i], facts, setting=profile.setting, prepared=prepared, lang=lang)
        for i in indices
    ]
    tier = Tier.highest(f.tier for f in findings)
    findings.sort(key=lambda f: -f.tier.rank)  # stable: knowledge-base order within a tier
    texts = kb.tier_texts[tier]
    return Assessment(
        tier=tier,
        tier_title=texts.title.in_(lang),
        tier_summary=texts.summary.in_(lang),
        setting=profile.setting.value,
        lang=lang.value,
        kb_version=kb.version,
        findings=tuple(findings),
        plan=build_plan(profile, facts, kb, tier=tier, fired=fired, lang=lang, cite=lambda ids: _cite(prepared, ids)),
        disclaimer=kb.disclaimer.in_(lang),
    )


def fired_rule_ids(profile: Profile, kb: KnowledgeBase) -> list[str]:
    """Ids of the rules whose conditions hold for ``profile``, in knowledge-base order."""
    return [kb.rules[i].rule_id for i in _prepare(kb).fired(facts_of(profile))]


def _prepare(kb: KnowledgeBase) -> _Prepared:
    key = kb.version.content_hash
    prepared = _PREPARED.get(key)
    if prepared is None:
        prepared = _Prepared(
            fired=compile_conditions([r.condition for r in kb.rules], cache_key=key),
            citations={
                s.source_id: Citation(s.source_id, s.title, s.authors, s.year, s.grade, s.url)
                for s in kb.sources.values()
            },
            reads=tuple(tuple((name, _FIELD_INDEX[name]) for name in fields_read(r.condition)) for r in kb.rules),
        )
        _PREPARED[key] = prepared
    return prepared


def _cite(prepared: _Prepared, ids: Sequence[str]) -> tuple[Citation, ...]:
    return tuple(prepared.citations[i] for i in ids)


def _finding(  # noqa: PLR0913 - a finding combines all of these
    rule: Rule,
    reads: tuple[tuple[str, int], ...],
    facts: Sequence[FactValue],
    *,
    setting: Setting,
    prepared: _Prepared,
    lang: Lang,
) -> Finding:
    return Finding(
        rule_id=rule.rule_id,
        tier=rule.tier_for(setting),
        severity=rule.severity,
        confidence=rule.confidence,
        title=rule.title.in_(lang),
        advice=rule.advice.in_(lang),
        seek_care_if=rule.seek_care_if.in_(lang) if rule.seek_care_if else None,
        evidence_note=rule.evidence_note.in_(lang),
        citations=_cite(prepared, rule.citations),
        facts=tuple(Fact(name, _json(facts[index])) for name, index in reads),
    )


def _json(value: FactValue) -> JsonValue:
    if isinstance(value, frozenset):
        return list[JsonValue](sorted(value))
    return value
