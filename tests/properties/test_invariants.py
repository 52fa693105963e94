"""Invariants of the engine over generated profiles, on the real knowledge base."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings

from needlewise.domain.profile import Profile
from needlewise.domain.tier import Tier
from needlewise.domain.vocabulary import Lang
from needlewise.engine.compiler import interpret
from needlewise.engine.evaluate import assess, fired_rule_ids
from needlewise.engine.fields import facts_of
from needlewise.engine.knowledge import KnowledgeBase
from strategies import Mutation, profiles, risk_additions

FIXTURE_OK = settings(max_examples=400, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)


@FIXTURE_OK
@given(profile=profiles, add_risk=risk_additions)
def test_adding_a_risk_factor_never_lowers_the_tier(kb: KnowledgeBase, profile: Profile, add_risk: Mutation) -> None:
    before = assess(profile, kb).tier
    riskier = add_risk(profile)
    after = assess(riskier, kb).tier
    assert after.rank >= before.rank, (profile, riskier, before, after)


@FIXTURE_OK
@given(profile=profiles)
def test_home_needle_limit_never_exceeds_the_cap_and_is_null_at_medical_review_and_stop(
    kb: KnowledgeBase, profile: Profile
) -> None:
    assessment = assess(profile, kb)
    limit = assessment.plan.home_needle_mm_max
    if assessment.tier.rank >= Tier.MEDICAL_REVIEW.rank:
        assert limit is None
    if limit is not None:
        assert 0 < limit <= kb.home_needle.max_mm
        preferred = assessment.plan.home_needle_mm_preferred
        assert preferred is not None
        assert preferred <= limit


@FIXTURE_OK
@given(profile=profiles)
def test_every_finding_cites_existing_sources(kb: KnowledgeBase, profile: Profile) -> None:
    assessment = assess(profile, kb)
    for finding in assessment.findings:
        assert finding.citations
        for citation in finding.citations:
            assert citation.source_id in kb.sources
    for section in assessment.plan.sections:
        assert section.citations


@FIXTURE_OK
@given(profile=profiles)
def test_same_profile_and_knowledge_base_give_identical_output(kb: KnowledgeBase, profile: Profile) -> None:
    first = json.dumps(assess(profile, kb).to_json(), sort_keys=False)
    second = json.dumps(assess(profile, kb).to_json(), sort_keys=False)
    assert first == second


@FIXTURE_OK
@given(profile=profiles)
def test_verdict_is_the_highest_tier_any_finding_forces(kb: KnowledgeBase, profile: Profile) -> None:
    assessment = assess(profile, kb)
    assert assessment.tier is Tier.highest(f.tier for f in assessment.findings)
    ranks = [f.tier.rank for f in assessment.findings]
    assert ranks == sorted(ranks, reverse=True)


@FIXTURE_OK
@given(profile=profiles)
def test_compiled_rules_agree_with_the_reference_interpreter(kb: KnowledgeBase, profile: Profile) -> None:
    facts = facts_of(profile)
    expected = [r.rule_id for r in kb.rules if interpret(r.condition, facts)]
    assert fired_rule_ids(profile, kb) == expected


@FIXTURE_OK
@given(profile=profiles)
def test_spanish_and_english_assessments_agree_on_everything_but_words(kb: KnowledgeBase, profile: Profile) -> None:
    english, spanish = assess(profile, kb, Lang.EN), assess(profile, kb, Lang.ES)
    assert english.tier is spanish.tier
    assert [f.rule_id for f in english.findings] == [f.rule_id for f in spanish.findings]
    assert english.plan.home_needle_mm_max == spanish.plan.home_needle_mm_max
    assert [s.section_id for s in english.plan.sections] == [s.section_id for s in spanish.plan.sections]


@FIXTURE_OK
@given(profile=profiles)
def test_a_contraindication_never_leaves_home_use_open(kb: KnowledgeBase, profile: Profile) -> None:
    """Under-triage guard: any rule carrying one of the brief's A/R classes that forces
    medical_review or stop must close home use for that person."""
    assessment = assess(profile, kb)
    by_id = {r.rule_id: r for r in kb.rules}
    serious = [
        f for f in assessment.findings if by_id[f.rule_id].brief_class and f.tier.rank >= Tier.MEDICAL_REVIEW.rank
    ]
    if serious:
        assert assessment.plan.home_needle_mm_max is None
        assert not any(s.section_id.startswith("home-") for s in assessment.plan.sections)
