"""Profile v1, the public input: strict parsing into a domain ``Profile`` and its JSON Schema.

Unknown fields, unknown values, wrong types (``false`` is not ``0``) and impossible values are
rejected with a :class:`~needlewise.errors.ProfileError` whose problems name the field path.
Missing optional fields mean "no" or "none".
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from enum import Enum
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic_core import ErrorDetails

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
from needlewise.errors import Problem, ProfileError
from needlewise.kb.suggestions import closest

SCHEMA_ID = "https://needlewise.invalid/schemas/profile-v1.json"
MAX_INPUT_BYTES = 64 * 1024

E = TypeVar("E", bound=Enum)


def _unique(values: list[E]) -> list[E]:
    if len(set(values)) != len(values):
        msg = "each value may appear only once"
        raise ValueError(msg)
    return values


_UNIQUE_ITEMS = {"uniqueItems": True}
GoalList = Annotated[list[Goal], AfterValidator(_unique), Field(default_factory=list, json_schema_extra=_UNIQUE_ITEMS)]
AreaList = Annotated[list[Area], AfterValidator(_unique), Field(default_factory=list, json_schema_extra=_UNIQUE_ITEMS)]
SkinNowList = Annotated[
    list[SkinNow], AfterValidator(_unique), Field(default_factory=list, json_schema_extra=_UNIQUE_ITEMS)
]
HistoryList = Annotated[
    list[History], AfterValidator(_unique), Field(default_factory=list, json_schema_extra=_UNIQUE_ITEMS)
]
MedicationList = Annotated[
    list[Medication], AfterValidator(_unique), Field(default_factory=list, json_schema_extra=_UNIQUE_ITEMS)
]
ProductList = Annotated[
    list[Product], AfterValidator(_unique), Field(default_factory=list, json_schema_extra=_UNIQUE_ITEMS)
]


def _integral(value: object) -> object:
    """JSON Schema counts 24.0 as an integer; so do we. Anything else is left to strict validation."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


WHOLE = BeforeValidator(_integral)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class DeviceV1(_Model):
    """The device the person has or plans to use."""

    kind: DeviceKind = DeviceKind.UNDECIDED
    needle_mm: Annotated[float, Field(gt=0, le=5, description="Needle length in millimetres (not depth).")] | None = (
        None
    )
    uses: Annotated[int, Field(ge=0, le=100_000, description="How many times it has been used."), WHOLE] | None = None
    shared: bool = False
    sterile_single_use: bool = False


class RecentProcedureV1(_Model):
    """A procedure in or near the area."""

    kind: ProcedureKind
    weeks_ago: Annotated[float, Field(ge=0, le=5200)]


class ProfileV1(_Model):
    """Profile v1: one person's answers."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, title="needlewise Profile v1")

    setting: Setting
    age: Annotated[int, Field(ge=0, le=120), WHOLE]
    goals: GoalList
    areas: AreaList
    device: DeviceV1 = Field(default_factory=DeviceV1)
    pregnant_or_breastfeeding: bool = False
    fitzpatrick: Annotated[int, Field(ge=1, le=6), WHOLE] | None = None
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
        """The validated domain profile."""
        d = self.device
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
        )


def parse_profile_json(text: str | bytes) -> Profile:
    """Parse one Profile v1 JSON document."""
    if len(text) > MAX_INPUT_BYTES:
        raise ProfileError([Problem("(input)", f"profile is larger than {MAX_INPUT_BYTES} bytes")])
    try:  # the common case, a valid profile, in one pass; anything else is explained below
        return ProfileV1.model_validate_json(text).to_domain()
    except ValidationError:
        pass
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError) as error:
        raise ProfileError([Problem("(input)", f"not valid JSON: {error}")]) from None
    return parse_profile(data)


def parse_profile(data: object) -> Profile:
    """Validate already-decoded JSON data as Profile v1."""
    if not isinstance(data, Mapping):
        raise ProfileError([Problem("(input)", f"a profile must be a JSON object, not {_json_type(data)}")])
    try:
        # Validate as JSON so that strict mode accepts enum values as strings, exactly as on the wire.
        model = ProfileV1.model_validate_json(json.dumps(data))
    except ValidationError as error:
        raise ProfileError([_problem(detail) for detail in error.errors(include_url=False)]) from None
    return model.to_domain()


def profile_json_schema() -> dict[str, Any]:
    """The published JSON Schema of Profile v1."""
    schema = ProfileV1.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}


def _problem(detail: ErrorDetails) -> Problem:
    where = _path(detail["loc"])
    kind, value = detail["type"], detail.get("input")
    if kind == "extra_forbidden":
        name = str(detail["loc"][-1])
        allowed = _fields_at(detail["loc"][:-1])
        return Problem(where, f"unknown field (allowed: {', '.join(allowed)})", closest(name, allowed))
    if kind == "enum":
        allowed = [
            a.strip(" '") for a in str((detail.get("ctx") or {}).get("expected", "")).replace(" or ", ",").split(",")
        ]
        allowed = [a for a in allowed if a]
        hint = closest(value, allowed) if isinstance(value, str) else None
        return Problem(where, f"{value!r} is not allowed (allowed: {', '.join(allowed)})", hint)
    if kind == "missing":
        return Problem(where, "required field is missing")
    return Problem(where, f"{detail['msg']} (got {json.dumps(value)})")


def _path(loc: tuple[int | str, ...]) -> str:
    parts = [f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc]
    return "".join(parts).lstrip(".") or "(input)"


def _fields_at(loc: tuple[int | str, ...]) -> list[str]:
    model: type[BaseModel] = ProfileV1
    named = [p for p in loc if isinstance(p, str)]
    if named[:1] == ["device"]:
        model = DeviceV1
    elif named[:1] == ["recent_procedures"]:
        model = RecentProcedureV1
    return list(model.model_fields)


def _json_type(data: object) -> str:
    names = {list: "an array", str: "a string", bool: "a boolean", int: "a number", float: "a number"}
    return names.get(type(data), "null")
