"""How serious one reason of a result is, for its card's colour and label.

A reason's tier says where microneedling can happen; its severity says how bad the harm behind it
is. A card takes its tier's level, except that a reason which does not change the verdict
(``home_ok``) is never shown as "fine": a serious one (an overdose of numbing cream can kill) is a
caution, a minor one a neutral note. Green is kept for the verdict "fine at home" alone.
"""

from __future__ import annotations

from enum import StrEnum

from needlewise.domain.tier import Severity, Tier


class Level(StrEnum):
    """A card's level, least to most serious; its value names the page's colour class."""

    NOTE = "note"
    CAUTION = "caution"
    CLINIC = "clinic"
    MEDICAL_REVIEW = "medical_review"
    STOP = "stop"


_BY_TIER = {
    Tier.HOME_CAUTION: Level.CAUTION,
    Tier.CLINIC: Level.CLINIC,
    Tier.MEDICAL_REVIEW: Level.MEDICAL_REVIEW,
    Tier.STOP: Level.STOP,
}
_SERIOUS = frozenset({Severity.MODERATE, Severity.HIGH})


def card_level(tier: Tier, severity: Severity) -> Level:
    """The level of a reason with ``tier`` and ``severity``."""
    if tier is Tier.HOME_OK:
        return Level.CAUTION if severity in _SERIOUS else Level.NOTE
    return _BY_TIER[tier]
