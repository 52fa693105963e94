"""The clinic disposition over generated profiles: never weaker than the engine's tier, nor than any reason.

Staff read a clinic screening as a disposition (:mod:`needlewise.domain.disposition`) through
:func:`needlewise.reports.staff.staff_screening`, from the stored assessment document; this checks that
reading against the assessment itself, on the real knowledge base, in the clinic setting and the home one.
"""

from __future__ import annotations

import dataclasses

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from needlewise.clinic.records.screenings import NEEDS_CLEARANCE
from needlewise.domain.disposition import Disposition
from needlewise.domain.profile import Profile
from needlewise.domain.tier import Tier
from needlewise.domain.vocabulary import Lang, Setting
from needlewise.engine.evaluate import assess
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.reports.staff import staff_screening
from strategies import profiles

FIXTURE_OK = settings(max_examples=400, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
clinic_profiles = profiles.map(lambda p: dataclasses.replace(p, setting=Setting.CLINIC))


@FIXTURE_OK
@given(profile=st.one_of(clinic_profiles, profiles), lang=st.sampled_from(Lang))
def test_the_disposition_is_never_weaker_than_the_tier_or_any_reason(
    kb: KnowledgeBase, profile: Profile, lang: Lang
) -> None:
    assessment = assess(profile, kb, lang)
    staff = staff_screening(assessment.to_json(), kb, lang)
    disposition = staff.disposition
    assert disposition.rank >= Disposition.of_tier(assessment.tier).rank
    for finding in assessment.findings:
        assert disposition.rank >= Disposition.of_tier(finding.text.tier).rank, finding.text.rule_id
    if assessment.open_answers:
        assert disposition.rank >= Disposition.TREAT_WITH_PRECAUTIONS.rank
    # The page's words and the clinic's block agree: a result that needs a provider's clearance
    # (and only such a result) is shown as needing one, or as not to be treated.
    needs_clearance = assessment.tier in NEEDS_CLEARANCE
    assert needs_clearance == (disposition.rank >= Disposition.PROVIDER_CLEARANCE.rank)
    if assessment.tier is Tier.STOP:
        assert disposition is Disposition.DO_NOT_TREAT


@FIXTURE_OK
@given(profile=clinic_profiles)
def test_ok_to_treat_only_when_no_reason_needs_a_precaution(kb: KnowledgeBase, profile: Profile) -> None:
    assessment = assess(profile, kb)
    staff = staff_screening(assessment.to_json(), kb, Lang.EN)
    if staff.disposition is Disposition.OK_TO_TREAT:
        assert all(f.text.tier is Tier.HOME_OK for f in assessment.findings)
        assert not assessment.open_answers
        assert not staff.reasons
        assert not staff.open_questions
    # Every reason shown as one to act on carries its own disposition; notes (home_ok) change nothing.
    assert len(staff.reasons) + len(staff.notes) == len(assessment.findings)
    assert all(r.disposition is not None and r.disposition.rank <= staff.disposition.rank for r in staff.reasons)
