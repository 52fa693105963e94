"""Profile v1, the first public input (deprecated: use v2): its strict model and JSON Schema.

Unknown fields, unknown values, wrong types (``false`` is not ``0``) and impossible values are
rejected with a :class:`~needlewise.errors.ProfileError` whose problems name the field path.
Missing optional fields mean "no" or "none", except that an owned device's unknown needle length or
number of uses (``null``) is recorded as unanswered, which the engine never reads as safe.
:mod:`needlewise.services.profiles` parses both versions.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from needlewise.domain.profile import Device, Profile, RecentProcedure
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
from needlewise.services.profile_common import UNIQUE_ITEMS, WHOLE, StrictModel, unique_items

SCHEMA_ID = "https://needlewise.invalid/schemas/profile-v1.json"

_UNIQUE = AfterValidator(unique_items)
GoalList = Annotated[list[Goal], _UNIQUE, Field(default_factory=list, json_schema_extra=UNIQUE_ITEMS)]
AreaList = Annotated[list[Area], _UNIQUE, Field(default_factory=list, json_schema_extra=UNIQUE_ITEMS)]
SkinNowList = Annotated[list[SkinNow], _UNIQUE, Field(default_factory=list, json_schema_extra=UNIQUE_ITEMS)]
HistoryList = Annotated[list[History], _UNIQUE, Field(default_factory=list, json_schema_extra=UNIQUE_ITEMS)]
MedicationList = Annotated[list[Medication], _UNIQUE, Field(default_factory=list, json_schema_extra=UNIQUE_ITEMS)]
ProductList = Annotated[list[Product], _UNIQUE, Field(default_factory=list, json_schema_extra=UNIQUE_ITEMS)]
NeedleMm = Annotated[float, Field(gt=0, le=5, description="Needle length in millimetres (not depth).")]
Uses = Annotated[int, Field(ge=0, le=100_000, description="How many times it has been used."), WHOLE]
Fitzpatrick = Annotated[int, Field(ge=1, le=6), WHOLE]
Age = Annotated[int, Field(ge=0, le=120), WHOLE]


class DeviceV1(StrictModel):
    """The device the person has or plans to use."""

    kind: DeviceKind = DeviceKind.UNDECIDED
    needle_mm: NeedleMm | None = None
    uses: Uses | None = None
    shared: bool = False
    sterile_single_use: bool = False


class RecentProcedureV1(StrictModel):
    """A procedure in or near the area."""

    kind: ProcedureKind
    weeks_ago: Annotated[float, Field(ge=0, le=5200)]


class ProfileV1(StrictModel):
    """Profile v1: one person's answers."""

    model_config = StrictModel.model_config | {"title": "needlewise Profile v1"}

    setting: Setting
    age: Age
    goals: GoalList
    areas: AreaList
    device: DeviceV1 = Field(default_factory=DeviceV1)
    pregnant_or_breastfeeding: bool = False
    fitzpatrick: Fitzpatrick | None = None
    skin_now: SkinNowList
    history: HistoryList
    medications: MedicationList
    isotretinoin_months_since_stop: (
        Annotated[
            float, Field(ge=0, le=1200, description="Months since stopping; 0 = taking it now; null = never taken.")
        ]
        | None
    ) = None
    recent_procedures: Annotated[list[RecentProcedureV1], Field(default_factory=list, max_length=50)]
    planned_products: ProductList

    def to_domain(self) -> Profile:
        """The validated domain profile (an owned device's unknown length or uses is left open)."""
        d = self.device
        unsure = {name for name, value in (("needle_mm", d.needle_mm), ("uses", d.uses)) if value is None}
        return Profile(
            setting=self.setting,
            age=self.age,
            goals=frozenset(self.goals),
            areas=frozenset(self.areas),
            device=Device(d.kind, d.needle_mm, d.uses, d.shared, d.sterile_single_use),
            pregnant_or_breastfeeding=self.pregnant_or_breastfeeding,
            fitzpatrick=self.fitzpatrick,
            skin_now=frozenset(self.skin_now),
            history=frozenset(self.history),
            medications=frozenset(self.medications),
            isotretinoin_months_since_stop=self.isotretinoin_months_since_stop,
            recent_procedures=tuple(RecentProcedure(p.kind, p.weeks_ago) for p in self.recent_procedures),
            planned_products=frozenset(self.planned_products),
            unanswered=frozenset(f"device.{name}" for name in unsure),
        )
