"""The clinic-treatment part of the knowledge base, as the engine sees it (built by ``needlewise.kb``).

Every number here comes from ``knowledge/treatment.yaml`` with its citations; a range the brief marks
UNCONFIRMED is kept as ``None`` with a note saying so, never as a number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from needlewise.domain.text import Text
from needlewise.domain.tier import Confidence
from needlewise.domain.treatment import Triage


@dataclass(frozen=True, slots=True)
class NeedleRange:
    """Needle lengths (mm) reported for one goal in clinic studies or practice.

    ``min_mm``/``max_mm`` are ``None`` where the brief gives no confirmed range: a plan for that goal
    is then a provider's decision, and says so.
    """

    goal: str
    min_mm: float | None
    max_mm: float | None
    confidence: Confidence
    note: Text
    citations: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ZoneNote:
    """A caution for one treatment zone, raised when a planned length is above ``warn_above_mm``."""

    zone: str
    warn_above_mm: float
    text: Text
    citations: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class IntervalRule:
    """The shortest interval (days) between sessions for a goal, for needles up to ``up_to_mm``.

    ``up_to_mm`` ``None`` means any length. Rules of one goal are ordered by ``up_to_mm``; the first
    that covers the planned length applies.
    """

    goal: str
    up_to_mm: float | None
    min_days: int
    note: Text
    confidence: Confidence
    citations: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CitedWarning:
    """A cited warning text (numbing, products)."""

    warning_id: str
    text: Text
    citations: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class NumbingPolicy:
    """FDA's warnings on topical anaesthetics, and the thresholds the checks use."""

    max_lidocaine_percent: float
    large_area_zones: frozenset[str]
    compounded: CitedWarning
    over_strength: CitedWarning
    large_area: CitedWarning
    occlusion: CitedWarning
    broken_skin: CitedWarning
    heat: CitedWarning


@dataclass(frozen=True, slots=True)
class ProductFlag:
    """Why a product should not go on freshly needled skin (keyed by ``planned_products`` value)."""

    product: str
    warning: CitedWarning


@dataclass(frozen=True, slots=True)
class ConsentRisk:
    """A risk every consent template lists, with its sources."""

    risk_id: str
    text: Text
    confidence: Confidence
    citations: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CheckinQuestion:
    """A yes/no red-flag question of a post-treatment check-in; "yes" means ``triage``."""

    question_id: str
    text: Text
    triage: Triage
    from_day: int
    citations: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CheckinPolicy:
    """When check-ins are sent, what they ask, and what each triage level tells the client."""

    days: tuple[int, ...]
    questions: tuple[CheckinQuestion, ...]
    outcome: Mapping[Triage, Text]
    citations: tuple[str, ...]

    def __post_init__(self) -> None:
        """Freeze the outcome texts."""
        object.__setattr__(self, "outcome", MappingProxyType(dict(self.outcome)))

    def questions_for(self, day: int) -> tuple[CheckinQuestion, ...]:
        """The questions asked on ``day`` after the session."""
        return tuple(q for q in self.questions if q.from_day <= day)


@dataclass(frozen=True, slots=True)
class AdverseEventKind:
    """A kind of adverse event the clinic can record, with where it is described."""

    kind_id: str
    label: Text
    citations: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class HomeJournalPolicy:
    """When to replace a home device, and the words of a home session logged too soon.

    No study sets a replacement interval: the figures are the lower ends of needlewise's own rule of
    thumb (about 10-15 uses) and of a vendor figure (3 to 4 months), and ``replacement`` says so.
    """

    replace_after_uses: int
    replace_after_months: int
    replacement_confidence: Confidence
    replacement: CitedWarning
    too_soon_title: Text
    too_soon_advice: Text
    checkin_outcome: Mapping[Triage, Text]  # what a home skin check's triage tells the person


@dataclass(frozen=True, slots=True)
class TreatmentKnowledge:
    """Everything clinic treatment records are checked against."""

    ranges: tuple[NeedleRange, ...]
    zone_notes: tuple[ZoneNote, ...]
    intervals: tuple[IntervalRule, ...]
    numbing: NumbingPolicy
    product_flags: tuple[ProductFlag, ...]
    consent_risks: tuple[ConsentRisk, ...]
    checkin: CheckinPolicy
    adverse_event_kinds: tuple[AdverseEventKind, ...]
    home_journal: HomeJournalPolicy

    def range_for(self, goal: str) -> NeedleRange:
        """The needle range for ``goal`` (the loader guarantees every goal has one); ``KeyError`` if none."""
        for needle_range in self.ranges:
            if needle_range.goal == goal:
                return needle_range
        raise KeyError(goal)
