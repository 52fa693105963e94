"""A person's answers (Profile v1 or v2), as validated value objects.

Profile v2 adds the answer "not sure": a question answered that way, or left out of a v2 document,
is named in ``unsure`` or ``unanswered`` (by its questionnaire field) and its value holds the
neutral default ("no", "none", unknown). The engine never reads that default as a "no": it treats
the answer as any value it could stand for (see :mod:`needlewise.engine.unsure`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from needlewise.domain.vocabulary import (
    Area,
    DeviceKind,
    Goal,
    History,
    Medication,
    ProcedureKind,
    Product,
    Setting,
    SkinNow,
)

# The questions that take the answer "not sure" (Profile v2), by their questionnaire field: every
# question except setting, age, goals, areas and device kind. ``recent_procedures`` is one question.
UNSURE_FIELDS = (
    "skin_now",
    "pregnant_or_breastfeeding",
    "history",
    "medications",
    "isotretinoin_months_since_stop",
    "recent_procedures",
    "device.needle_mm",
    "device.uses",
    "device.shared",
    "device.sterile_single_use",
    "planned_products",
    "fitzpatrick",
)
DEVICE_FIELDS = frozenset(name for name in UNSURE_FIELDS if name.startswith("device."))


@dataclass(frozen=True, slots=True)
class Device:
    """The device the person has or plans to use; every field optional in the input."""

    kind: DeviceKind = DeviceKind.UNDECIDED
    needle_mm: float | None = None
    uses: int | None = None
    shared: bool = False
    sterile_single_use: bool = False


@dataclass(frozen=True, slots=True)
class RecentProcedure:
    """A procedure in or near the area, ``weeks_ago`` weeks before today."""

    kind: ProcedureKind
    weeks_ago: float


@dataclass(frozen=True, slots=True)
class Profile:
    """A person's answers.

    ``unsure`` names the questionnaire fields answered "not sure" (``"device.needle_mm"``,
    ``"recent_procedures"`` ...); ``unanswered`` those a v2 document leaves out. In v1, a missing
    optional answer means "no" or "none", except an owned device's unknown needle length or uses,
    which v1 records as unsure.
    """

    setting: Setting
    age: int
    goals: frozenset[Goal] = frozenset()
    areas: frozenset[Area] = frozenset()
    device: Device = field(default_factory=Device)
    pregnant_or_breastfeeding: bool = False
    fitzpatrick: int | None = None
    skin_now: frozenset[SkinNow] = frozenset()
    history: frozenset[History] = frozenset()
    medications: frozenset[Medication] = frozenset()
    isotretinoin_months_since_stop: float | None = None
    recent_procedures: tuple[RecentProcedure, ...] = ()
    planned_products: frozenset[Product] = frozenset()
    unsure: frozenset[str] = frozenset()
    unanswered: frozenset[str] = frozenset()
    version: int = 1

    def weeks_since(self, kind: ProcedureKind) -> float | None:
        """Weeks since the most recent procedure of ``kind``, or None if there was none."""
        weeks = [p.weeks_ago for p in self.recent_procedures if p.kind is kind]
        return min(weeks) if weeks else None
