"""Profile v2: Profile v1's fields and vocabularies, plus the answer "not sure".

``"unsure"`` may stand in place of the value of every question except setting, age, goals, areas and
device kind (a list question takes it as its whole value); in a list, ``[]`` means "none of these".
A question a v2 document leaves out is unanswered, and counts as "not sure" wherever it applies.
``null`` still means "never taken" for isotretinoin; for needle length, uses and skin type it means
"not sure".
"""

from __future__ import annotations

from typing import Annotated, Literal, TypeVar, cast

from pydantic import AfterValidator, Field

from needlewise.domain.profile import UNSURE_FIELDS, Device, Profile, RecentProcedure
from needlewise.domain.vocabulary import Area, DeviceKind, Goal, History, Medication, Product, Setting, SkinNow
from needlewise.services.profile_common import UNIQUE_ITEMS, StrictModel, unique_items
from needlewise.services.profile_v1 import Age, Fitzpatrick, NeedleMm, RecentProcedureV1, Uses

SCHEMA_ID = "https://needlewise.invalid/schemas/profile-v2.json"
UNSURE = "unsure"
T = TypeVar("T")

Unsure = Literal["unsure"]
_UNIQUE = AfterValidator(unique_items)
_LIST = {"json_schema_extra": UNIQUE_ITEMS}
GoalList = Annotated[list[Goal], _UNIQUE, Field(default_factory=list, **_LIST)]
AreaList = Annotated[list[Area], _UNIQUE, Field(default_factory=list, **_LIST)]
SkinNowAnswer = Annotated[list[SkinNow], _UNIQUE, Field(**_LIST)] | Unsure
HistoryAnswer = Annotated[list[History], _UNIQUE, Field(**_LIST)] | Unsure
MedicationAnswer = Annotated[list[Medication], _UNIQUE, Field(**_LIST)] | Unsure
ProductAnswer = Annotated[list[Product], _UNIQUE, Field(**_LIST)] | Unsure
ProceduresAnswer = Annotated[list[RecentProcedureV1], Field(max_length=50)] | Unsure
IsotretinoinAnswer = (
    Annotated[float, Field(ge=0, le=1200, description="Months since stopping; 0 = taking it now; null = never taken.")]
    | Unsure
    | None
)


class DeviceV2(StrictModel):
    """The device the person has or plans to use."""

    kind: DeviceKind = DeviceKind.UNDECIDED
    needle_mm: NeedleMm | Unsure | None = None
    uses: Uses | Unsure | None = None
    shared: bool | Unsure = False
    sterile_single_use: bool | Unsure = False


class ProfileV2(StrictModel):
    """Profile v2: one person's answers, where "not sure" is an answer."""

    model_config = StrictModel.model_config | {"title": "needlewise Profile v2"}

    profile_version: Literal[2]
    setting: Setting
    age: Age
    goals: GoalList
    areas: AreaList
    device: DeviceV2 = Field(default_factory=DeviceV2)
    pregnant_or_breastfeeding: bool | Unsure = False
    fitzpatrick: Fitzpatrick | Unsure | None = None
    skin_now: SkinNowAnswer = Field(default_factory=list)
    history: HistoryAnswer = Field(default_factory=list)
    medications: MedicationAnswer = Field(default_factory=list)
    isotretinoin_months_since_stop: IsotretinoinAnswer = None
    recent_procedures: ProceduresAnswer = Field(default_factory=list)
    planned_products: ProductAnswer = Field(default_factory=list)

    def to_domain(self) -> Profile:
        """The validated domain profile, with the fields answered "not sure" or left out named."""
        d = self.device
        values = self._values()
        device_given = d.model_fields_set if "device" in self.model_fields_set else set()
        given = self.model_fields_set | {f"device.{name}" for name in device_given}
        unsure = frozenset(
            name for name, value in values.items() if value == UNSURE or (name in given and _null_unsure(name, value))
        )
        unanswered = frozenset(name for name in UNSURE_FIELDS if name not in given)
        return Profile(
            setting=self.setting,
            age=self.age,
            goals=frozenset(self.goals),
            areas=frozenset(self.areas),
            device=Device(
                d.kind,
                _or(d.needle_mm, default=None),
                _or(d.uses, default=None),
                _or(d.shared, default=False),
                _or(d.sterile_single_use, default=False),
            ),
            pregnant_or_breastfeeding=_or(self.pregnant_or_breastfeeding, default=False),
            fitzpatrick=_or(self.fitzpatrick, default=None),
            skin_now=frozenset(_or(self.skin_now, default=[])),
            history=frozenset(_or(self.history, default=[])),
            medications=frozenset(_or(self.medications, default=[])),
            isotretinoin_months_since_stop=_or(self.isotretinoin_months_since_stop, default=None),
            recent_procedures=tuple(
                RecentProcedure(p.kind, p.weeks_ago) for p in _or(self.recent_procedures, default=[])
            ),
            planned_products=frozenset(_or(self.planned_products, default=[])),
            unsure=unsure,
            unanswered=unanswered - unsure,
            version=2,
        )

    def _values(self) -> dict[str, object]:
        d = self.device
        device = {"device.needle_mm": d.needle_mm, "device.uses": d.uses}
        device |= {"device.shared": d.shared, "device.sterile_single_use": d.sterile_single_use}
        top = {name: getattr(self, name) for name in UNSURE_FIELDS if not name.startswith("device.")}
        return top | device


def _null_unsure(name: str, value: object) -> bool:
    """``null`` length, uses or skin type is "not sure" in v2 (for isotretinoin it is "never")."""
    return value is None and name in ("device.needle_mm", "device.uses", "fitzpatrick")


def _or(value: T | Unsure, *, default: T) -> T:
    """``value``, or ``default`` where the answer is "unsure"."""
    return default if value == UNSURE else cast("T", value)
