"""The fields a rule or a question may read, with their types: the engine's typed context.

Rule conditions and questionnaire conditions are checked against this registry when the knowledge
base loads, and the compiler reads values in this order.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, StrEnum

from needlewise.domain.profile import Profile
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


class FieldType(StrEnum):
    """Value types a profile field can have."""

    ENUM = "enum"
    SET = "set"
    INT = "int"
    NUMBER = "number"
    BOOL = "bool"


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """A readable profile field: its name, type, vocabulary (for enum and set) and nullability."""

    name: str
    value_type: FieldType
    vocabulary: type[Enum] | None = None
    nullable: bool = False

    @property
    def allowed(self) -> tuple[str, ...]:
        """The allowed values of an enum or set field, else ()."""
        return tuple(str(v.value) for v in self.vocabulary) if self.vocabulary else ()


def _procedure_field(kind: ProcedureKind) -> FieldSpec:
    return FieldSpec(f"procedures.{kind.value}.weeks_ago", FieldType.NUMBER, nullable=True)


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("setting", FieldType.ENUM, Setting),
    FieldSpec("age", FieldType.INT),
    FieldSpec("goals", FieldType.SET, Goal),
    FieldSpec("areas", FieldType.SET, Area),
    FieldSpec("device.kind", FieldType.ENUM, DeviceKind),
    FieldSpec("device.needle_mm", FieldType.NUMBER, nullable=True),
    FieldSpec("device.uses", FieldType.INT, nullable=True),
    FieldSpec("device.shared", FieldType.BOOL),
    FieldSpec("device.sterile_single_use", FieldType.BOOL),
    FieldSpec("pregnant_or_breastfeeding", FieldType.BOOL),
    FieldSpec("fitzpatrick", FieldType.INT, nullable=True),
    FieldSpec("skin_now", FieldType.SET, SkinNow),
    FieldSpec("history", FieldType.SET, History),
    FieldSpec("medications", FieldType.SET, Medication),
    FieldSpec("isotretinoin_months_since_stop", FieldType.NUMBER, nullable=True),
    FieldSpec("planned_products", FieldType.SET, Product),
    *(_procedure_field(kind) for kind in ProcedureKind),
)

FIELDS_BY_NAME: dict[str, FieldSpec] = {spec.name: spec for spec in FIELDS}
FIELD_INDEX: dict[str, int] = {spec.name: i for i, spec in enumerate(FIELDS)}

FactValue = str | int | float | bool | frozenset[str] | None


_PROCEDURE_KINDS = tuple(ProcedureKind)


def facts_of(profile: Profile) -> tuple[FactValue, ...]:
    """The profile's values in ``FIELDS`` order.

    Vocabulary values stay ``StrEnum`` members: they hash and compare exactly like their strings, so
    the compiled conditions (which hold plain strings) test them without any conversion.
    """
    device = profile.device
    return (
        profile.setting,
        profile.age,
        profile.goals,
        profile.areas,
        device.kind,
        device.needle_mm,
        device.uses,
        device.shared,
        device.sterile_single_use,
        profile.pregnant_or_breastfeeding,
        profile.fitzpatrick,
        profile.skin_now,
        profile.history,
        profile.medications,
        profile.isotretinoin_months_since_stop,
        profile.planned_products,
        *(_weeks(profile) if profile.recent_procedures else _NO_PROCEDURES),
    )


_NO_PROCEDURES: tuple[None, ...] = (None,) * len(_PROCEDURE_KINDS)


def _weeks(profile: Profile) -> tuple[float | None, ...]:
    """Per procedure kind, in ``ProcedureKind`` order: weeks since the latest one, or None."""
    weeks: dict[ProcedureKind, float] = {}
    for procedure in profile.recent_procedures:
        known = weeks.get(procedure.kind)
        if known is None or procedure.weeks_ago < known:
            weeks[procedure.kind] = procedure.weeks_ago
    return tuple(map(weeks.get, _PROCEDURE_KINDS))
