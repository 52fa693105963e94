"""Unknown is never "no": a "not sure" answer is never safer than the answers it could stand for.

For generated profiles with one to three questions answered "not sure", the verdict is compared with
the verdict for every real answer each of those questions could have had (the others staying
"not sure"): the rule of issue 10, checked over the whole knowledge base.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from needlewise.domain.profile import DEVICE_FIELDS, UNSURE_FIELDS, Profile, RecentProcedure
from needlewise.domain.tier import Tier
from needlewise.domain.vocabulary import History, Medication, ProcedureKind, Product, SkinNow
from needlewise.engine.evaluate import assess
from needlewise.engine.knowledge import KnowledgeBase
from strategies import BOUNDARY_MM, profiles

FIXTURE_OK = settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)

_SETS = {"skin_now": SkinNow, "history": History, "medications": Medication, "planned_products": Product}
_WEEKS = (0.1, 0.5, 1.5, 3.0, 10.0, 30.0, 60.0)


def real_answers(field: str) -> Iterator[object]:
    """Every real answer worth trying for ``field`` (each value alone, none, all, the thresholds)."""
    if field in _SETS:
        values = list(_SETS[field])
        yield frozenset()
        yield frozenset(values)
        yield from (frozenset({v}) for v in values)
    elif field == "recent_procedures":
        yield ()
        yield from ((RecentProcedure(kind, weeks),) for kind in ProcedureKind for weeks in _WEEKS)
    elif field == "isotretinoin_months_since_stop":
        yield from (None, 0.0, 3.0, 5.99, 6.0, 12.0, 100.0)
    elif field == "fitzpatrick":
        yield from (None, 1, 2, 3, 4, 5, 6)
    elif field == "device.needle_mm":
        yield from (None, *BOUNDARY_MM)
    elif field == "device.uses":
        yield from (None, 0, 5, 10, 12, 15, 16, 40)
    else:  # the yes/no questions
        yield from (False, True)


def with_answer(profile: Profile, field: str, value: object) -> Profile:
    """``profile`` with ``field`` answered ``value`` (no longer "not sure")."""
    unsure = profile.unsure - {field}
    if field.startswith("device."):
        device = dataclasses.replace(profile.device, **{field.removeprefix("device."): value})
        return dataclasses.replace(profile, device=device, unsure=unsure)
    return dataclasses.replace(profile, unsure=unsure, **{field: value})


_DEFAULTS: dict[str, object] = {
    "skin_now": frozenset(),
    "history": frozenset(),
    "medications": frozenset(),
    "planned_products": frozenset(),
    "recent_procedures": (),
    "isotretinoin_months_since_stop": None,
    "fitzpatrick": None,
    "device.needle_mm": None,
    "device.uses": None,
    "pregnant_or_breastfeeding": False,
    "device.shared": False,
    "device.sterile_single_use": False,
}


@st.composite
def unsure_profiles(draw: st.DrawFn) -> Profile:
    """A v2 profile with one to three questions answered "not sure"."""
    profile = draw(profiles)
    chosen = draw(st.lists(st.sampled_from(UNSURE_FIELDS), min_size=1, max_size=3, unique=True))
    for field in chosen:
        profile = with_answer(profile, field, _DEFAULTS[field])
    return dataclasses.replace(profile, unsure=frozenset(chosen), version=2)


@FIXTURE_OK
@given(profile=unsure_profiles())
def test_not_sure_is_never_safer_than_the_answers_it_could_stand_for(kb: KnowledgeBase, profile: Profile) -> None:
    verdict = assess(profile, kb)
    for field in profile.unsure:
        tiers = []
        for value in real_answers(field):
            answered = assess(with_answer(profile, field, value), kb)
            tiers.append(answered.tier)
            context = (field, value, verdict.tier, answered.tier, profile)
            # Where some real answer means medical_review or stop, "not sure" is at least medical_review.
            if answered.tier.rank >= Tier.MEDICAL_REVIEW.rank:
                assert verdict.tier.rank >= Tier.MEDICAL_REVIEW.rank, context
            # Where some real answer moves the verdict above home_ok, "not sure" is at least home_caution.
            if answered.tier is not Tier.HOME_OK:
                assert verdict.tier.rank >= Tier.HOME_CAUTION.rank, context
            # A home needle limit under "not sure" is never longer than under a real answer.
            limit, other = verdict.plan.home_needle_mm_max, answered.plan.home_needle_mm_max
            if limit is not None and other is not None:
                assert limit <= other, context
        # Never safer than every answer it could stand for.
        assert verdict.tier.rank >= min(t.rank for t in tiers), (field, verdict.tier, tiers)
        if field in DEVICE_FIELDS:
            assert verdict.tier.rank >= Tier.HOME_CAUTION.rank, (field, verdict.tier)


@FIXTURE_OK
@given(profile=unsure_profiles())
def test_each_open_answer_that_raises_the_verdict_is_a_finding_with_sources(
    kb: KnowledgeBase, profile: Profile
) -> None:
    verdict = assess(profile, kb)
    raised = {answer.field for answer in verdict.open_answers}
    unsure_findings = {f.facts[0].field: f for f in verdict.findings if f.rule_id.startswith("unsure-")}
    assert set(unsure_findings) == raised
    for finding in unsure_findings.values():
        assert finding.citations
        assert finding.tier in (Tier.HOME_CAUTION, Tier.MEDICAL_REVIEW)
        assert finding.facts[0].value == "unsure"
    assert raised <= profile.unsure
