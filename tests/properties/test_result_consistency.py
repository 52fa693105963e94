"""A verdict never contradicts itself, over generated profiles (issue 10 §4)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from needlewise.domain.profile import Profile
from needlewise.domain.tier import Tier
from needlewise.engine.evaluate import assess
from needlewise.engine.knowledge import KnowledgeBase
from strategies import profiles

FIXTURE_OK = settings(max_examples=400, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)


@FIXTURE_OK
@given(profile=profiles)
def test_a_stop_result_carries_no_schedule_and_no_aftercare(kb: KnowledgeBase, profile: Profile) -> None:
    assessment = assess(profile, kb)
    if assessment.tier is Tier.STOP:
        assert assessment.plan.schedules == ()
        assert assessment.plan.sections == ()
        assert assessment.plan.home_needle_mm_max is None


@FIXTURE_OK
@given(profile=profiles)
def test_no_session_instructions_before_a_doctor_has_cleared_it(kb: KnowledgeBase, profile: Profile) -> None:
    assessment = assess(profile, kb)
    if assessment.tier is Tier.MEDICAL_REVIEW:
        assert assessment.plan.sections == ()
        assert all(schedule.where == "clinic" for schedule in assessment.plan.schedules)


@FIXTURE_OK
@given(profile=profiles)
def test_no_how_to_do_it_at_home_advice_where_home_use_is_not_advised(kb: KnowledgeBase, profile: Profile) -> None:
    assessment = assess(profile, kb)
    technique = {rule.rule_id for rule in kb.rules if rule.home_technique}
    if assessment.plan.home_needle_mm_max is None:
        assert not technique & {f.rule_id for f in assessment.findings}
        assert all(schedule.where != "home" for schedule in assessment.plan.schedules)
