"""Profile v1: one person's answers, as validated value objects."""

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
    """A person's answers. Missing optional answers mean "no" or "none"."""

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

    def weeks_since(self, kind: ProcedureKind) -> float | None:
        """Weeks since the most recent procedure of ``kind``, or None if there was none."""
        weeks = [p.weeks_ago for p in self.recent_procedures if p.kind is kind]
        return min(weeks) if weeks else None
