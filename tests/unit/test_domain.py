from __future__ import annotations

from needlewise.domain.profile import Profile, RecentProcedure
from needlewise.domain.tier import Tier
from needlewise.domain.vocabulary import ProcedureKind, Setting


def test_tier_order_and_helpers() -> None:
    assert [t.rank for t in Tier] == [0, 1, 2, 3, 4]
    assert Tier.highest([Tier.CLINIC, Tier.HOME_CAUTION]) is Tier.CLINIC
    assert Tier.highest([]) is Tier.HOME_OK
    assert Tier.CLINIC.allows_home
    assert not Tier.MEDICAL_REVIEW.allows_home


def test_weeks_since_takes_the_most_recent() -> None:
    profile = Profile(
        Setting.HOME,
        30,
        recent_procedures=(
            RecentProcedure(ProcedureKind.FILLER, 10),
            RecentProcedure(ProcedureKind.FILLER, 3),
            RecentProcedure(ProcedureKind.LASER, 1),
        ),
    )
    assert profile.weeks_since(ProcedureKind.FILLER) == 3
    assert profile.weeks_since(ProcedureKind.BOTULINUM_TOXIN) is None
