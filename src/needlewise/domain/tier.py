"""The one ordered verdict scale: home_ok < home_caution < clinic < medical_review < stop."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Tier(StrEnum):
    """Where (and whether) microneedling is reasonable for a person, least to most restrictive."""

    HOME_OK = "home_ok"
    HOME_CAUTION = "home_caution"
    CLINIC = "clinic"
    MEDICAL_REVIEW = "medical_review"
    STOP = "stop"

    @property
    def rank(self) -> int:
        """Position on the scale: 0 for home_ok up to 4 for stop."""
        return _RANK[self]

    @property
    def allows_home(self) -> bool:
        """Whether home microneedling may be reasonable at this tier (possibly for some goals only)."""
        return self.rank <= Tier.CLINIC.rank

    @classmethod
    def highest(cls, tiers: Iterable[Tier]) -> Tier:
        """The most restrictive of ``tiers``; ``home_ok`` when there are none."""
        return max(tiers, key=_RANK.__getitem__, default=cls.HOME_OK)


_RANK: dict[Tier, int] = {tier: rank for rank, tier in enumerate(Tier)}


class Severity(StrEnum):
    """How serious the harm behind a finding is, independent of where care happens."""

    INFO = "info"
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"


class Confidence(StrEnum):
    """How strong the evidence behind a statement is (the brief's own confidence words)."""

    HIGH = "high"
    MODERATE = "moderate"
    LOW = "low"
    VERY_LOW = "very_low"


class Grade(StrEnum):
    """Evidence grade of a source, as the research brief defines them."""

    REG = "REG"
    GL = "GL"
    SR = "SR"
    RCT = "RCT"
    OBS = "OBS"
    EO = "EO"
    PRAC = "PRAC"
    MKT = "MKT"
