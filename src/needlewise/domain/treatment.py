"""Value types of a clinic treatment: triage of a check-in, pre-session check outcomes, findings.

Pure data, no knowledge-base content: :mod:`needlewise.engine.treatment` decides, these carry it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType


class Triage(StrEnum):
    """What a client's check-in answers mean, least to most urgent."""

    EXPECTED = "expected"
    CALL_CLINIC = "call_clinic"
    SEEK_CARE_NOW = "seek_care_now"

    @property
    def rank(self) -> int:
        """0 for the expected course, 2 for seek care now."""
        return list(Triage).index(self)

    @classmethod
    def highest(cls, levels: Iterable[Triage]) -> Triage:
        """The most urgent of ``levels``; the expected course when there are none."""
        return max(levels, key=lambda level: level.rank, default=cls.EXPECTED)


class Answer(StrEnum):
    """A red-flag question's answer: yes, no, or not sure (triaged as yes: the worst it could stand for)."""

    YES = "yes"
    NO = "no"
    NOT_SURE = "not_sure"

    @property
    def counts_as_yes(self) -> bool:
        """Whether the triage reads it as yes: a yes, and a "not sure" (never safer than a yes)."""
        return self is not Answer.NO


class FindingLevel(StrEnum):
    """Whether a finding stops the action or only warns the practitioner."""

    BLOCK = "block"
    WARN = "warn"


class CheckCode(StrEnum):
    """The checks made on the day before a treatment session can be recorded."""

    SCREENING_PRESENT = "screening_present"
    SCREENING_CURRENT = "screening_current"
    SCREENING_TIER = "screening_tier"
    CONSENT_CURRENT = "consent_current"
    PLAN_ACTIVE = "plan_active"
    PLAN_SESSIONS_LEFT = "plan_sessions_left"
    INTERVAL = "interval"
    CARTRIDGE_EXPIRY = "cartridge_expiry"
    CARTRIDGE_UNUSED = "cartridge_unused"
    PRACTITIONER_SCOPE = "practitioner_scope"
    LENGTH_IN_RANGE = "length_in_range"
    CLINIC_PHONE = "clinic_phone"  # clients are told to call the clinic: it must have a number to give them


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing a check found: a code the edges turn into words, its level and its details."""

    code: str
    level: FindingLevel
    details: Mapping[str, str | int | float] = field(default_factory=dict)
    citations: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        """Freeze the details."""
        object.__setattr__(self, "details", MappingProxyType(dict(self.details)))

    @property
    def blocks(self) -> bool:
        """Whether this finding stops the action."""
        return self.level is FindingLevel.BLOCK


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One pre-session check: passed or not, with the details its message needs."""

    code: CheckCode
    passed: bool
    details: Mapping[str, str | int | float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Freeze the details."""
        object.__setattr__(self, "details", MappingProxyType(dict(self.details)))
