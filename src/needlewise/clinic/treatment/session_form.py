"""The session form: what the practitioner enters for one session, declared once, parsed and validated.

:class:`SessionFields` declares every field the form posts (its name, type, bounds and messages);
:func:`read` builds a :class:`SessionForm` from a post by that declaration, :func:`echo` gives the
values to show again, and :func:`validate` parses the form with it before the checks that need the
knowledge base and the plan. The needle length per zone is posted as ``zone_<zone>``, one per
planned zone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, NoReturn, Protocol

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError
from pydantic_core import PydanticCustomError

from needlewise.clinic.treatment.finding_words import millimetres as mm
from needlewise.domain.vocabulary import Lang
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.errors import InvalidInputError, Problem

MIN_LENGTH_MM = Decimal("0.1")
MAX_LENGTH_MM = Decimal("3.0")
_TEXT_LIMIT = 5000
_SHORT = 64
_NUMBING = "numbing_"
_ERROR_TYPE = "session_form"


@dataclass(frozen=True, slots=True)
class NumbingForm:
    """The topical anaesthetic used, if any (an empty product means none)."""

    product: str = ""
    lidocaine_percent: str = ""
    compounded: bool = False
    zones: tuple[str, ...] = ()
    minutes: str = ""
    occluded: bool = False
    broken_skin: bool = False
    heat: bool = False


@dataclass(frozen=True, slots=True)
class SessionForm:
    """What the practitioner enters for one session (strings as typed; :func:`validate` parses them)."""

    plan_id: int
    device_model: str
    device_kind: str
    device_serial: str
    cartridge_lot: str
    cartridge_serial: str
    cartridge_expiry: date | None
    zones: Mapping[str, str]
    passes: str
    end_point: str
    numbing: NumbingForm = field(default_factory=NumbingForm)
    pain_score: str = ""
    immediate_reactions: str = ""
    products_applied: tuple[str, ...] = ()
    notes: str = ""
    lang: Lang = Lang.EN


@dataclass(frozen=True, slots=True)
class ValidSession:
    """A parsed, validated session form."""

    form: SessionForm
    zones: dict[str, Decimal]
    passes: int
    pain_score: int | None
    lidocaine_percent: Decimal | None
    numbing_minutes: int | None


def _fail(message: str) -> NoReturn:
    raise PydanticCustomError(_ERROR_TYPE, message)


def _text(limit: int, *, required: bool = False) -> BeforeValidator:
    def parse(value: str) -> str:
        if required and not value.strip():
            _fail("this field is required")
        if len(value.strip()) > limit:
            _fail(f"at most {limit} characters")
        return value

    return BeforeValidator(parse)


def _whole(low: int, high: int, *, required: bool = False) -> BeforeValidator:
    def parse(text: str) -> int | None:
        value = text.strip()
        if not value:
            if required:
                _fail("this field is required")
            return None
        if not value.isdigit() or not low <= int(value) <= high:
            _fail(f"enter a whole number from {low} to {high}")
        return int(value)

    return BeforeValidator(parse)


def _decimal_or_problem(text: str, low: Decimal, high: Decimal) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        _fail("enter a number such as 0.5")
    if not value.is_finite() or not low <= value <= high or value != value.quantize(Decimal("0.01")):
        _fail(f"enter a number from {mm(low)} to {mm(high)} with at most two decimals")
    return value


def _decimal(low: Decimal, high: Decimal) -> BeforeValidator:
    def parse(text: str) -> Decimal | None:
        return _decimal_or_problem(text, low, high) if text.strip() else None

    return BeforeValidator(parse)


class _Flag:
    """A checkbox: true when posted."""


class _Many:
    """Checkboxes sharing a name: every value posted."""


class _Date:
    """A YYYY-MM-DD date; None when empty or not a date (the form then names the field)."""


Flag = Annotated[bool, _Flag()]
Many = Annotated[tuple[str, ...], _Many()]
PostedDate = Annotated[date | None, _Date()]


class SessionFields(BaseModel):
    """Every field the session form posts, in the form's order: its type, bounds and messages, once."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    device_model: Annotated[str, _text(100, required=True)]
    device_kind: str
    device_serial: Annotated[str, _text(_SHORT)]
    cartridge_lot: Annotated[str, _text(_SHORT, required=True)]
    cartridge_serial: Annotated[str, _text(_SHORT, required=True)]
    cartridge_expiry: PostedDate
    passes: Annotated[int | None, _whole(1, 20, required=True)]
    end_point: Annotated[str, _text(200, required=True)]
    numbing_product: Annotated[str, _text(200)]
    numbing_lidocaine_percent: Annotated[Decimal | None, _decimal(Decimal(0), Decimal(100))]
    numbing_compounded: Flag
    numbing_zones: Many
    numbing_minutes: Annotated[int | None, _whole(0, 240)]
    numbing_occluded: Flag
    numbing_broken_skin: Flag
    numbing_heat: Flag
    pain_score: Annotated[int | None, _whole(0, 10)]
    immediate_reactions: Annotated[str, _text(_TEXT_LIMIT)]
    products_applied: Many
    notes: Annotated[str, _text(_TEXT_LIMIT)]
    lang: Lang


class Posted(Protocol):
    """A submitted form (Django's ``QueryDict``): one value, every value, or whether a name was sent."""

    def get(self, key: str, default: str) -> str:
        """The last value posted under ``key``, or ``default``."""

    def getlist(self, key: str) -> list[str]:
        """Every value posted under ``key``."""

    def __contains__(self, key: object, /) -> bool:
        """Whether ``key`` was posted."""


def _reader(name: str) -> Callable[[Posted], Any]:
    metadata = SessionFields.model_fields[name].metadata
    if any(isinstance(m, _Flag) for m in metadata):
        return lambda post: name in post
    if any(isinstance(m, _Many) for m in metadata):
        return lambda post: tuple(post.getlist(name))
    return lambda post: post.get(name, "")


def echo(post: Posted, planned_zones: Mapping[str, object]) -> dict[str, Any]:
    """The posted values by field name (checkboxes as booleans or lists), to show the form again."""
    values = {name: _reader(name)(post) for name in SessionFields.model_fields}
    return values | {f"zone_{zone}": post.get(f"zone_{zone}", "") for zone in planned_zones}


def _posted_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def read(post: Posted, plan_id: int, planned_zones: Mapping[str, object]) -> SessionForm:
    """The form as posted: each declared field read by its kind, the zones whose length was entered."""
    values = echo(post, planned_zones)
    for name, declared in SessionFields.model_fields.items():
        if any(isinstance(m, _Date) for m in declared.metadata):
            values[name] = _posted_date(values[name])
    values["lang"] = Lang.ES if values["lang"] == "es" else Lang.EN
    numbing = {f.name: values[_NUMBING + f.name] for f in fields(NumbingForm)}
    flat = {f.name: values[f.name] for f in fields(SessionForm) if f.name in SessionFields.model_fields}
    zones = {zone: text for zone in planned_zones if (text := values[f"zone_{zone}"]).strip()}
    return SessionForm(plan_id=plan_id, zones=zones, numbing=NumbingForm(**numbing), **flat)


def _flat(form: SessionForm) -> dict[str, object]:
    numbing = {_NUMBING + f.name: getattr(form.numbing, f.name) for f in fields(NumbingForm)}
    return {name: getattr(form, name) for name in SessionFields.model_fields if hasattr(form, name)} | numbing


def _parse(form: SessionForm, problems: list[Problem]) -> SessionFields | None:
    try:
        return SessionFields.model_validate(_flat(form))
    except ValidationError as invalid:
        problems.extend(Problem(str(error["loc"][0]), error["msg"]) for error in invalid.errors())
        return None


def _zones(form: SessionForm, plan_zones: Mapping[str, Decimal], problems: list[Problem]) -> dict[str, Decimal]:
    zones: dict[str, Decimal] = {}
    for zone, text in form.zones.items():
        where = f"zones.{zone}"
        if zone not in plan_zones:
            problems.append(Problem(where, "this zone is not in the treatment plan; add it to a plan first"))
            continue
        try:
            length = _decimal_or_problem(text, MIN_LENGTH_MM, MAX_LENGTH_MM)
        except PydanticCustomError as problem:
            problems.append(Problem(where, problem.message()))
            continue
        if length > plan_zones[zone]:
            problems.append(Problem(where, f"longer than the {mm(plan_zones[zone])} mm the plan allows for this zone"))
        else:
            zones[zone] = length
    if not form.zones:
        problems.append(Problem("zones", "enter the needle length used on at least one zone"))
    return zones


def _choices(form: SessionForm, kb: KnowledgeBase, problems: list[Problem]) -> None:
    kinds = {k for k in kb.vocabulary["device_kind"] if k != "undecided"}
    if form.device_kind not in kinds:
        problems.append(Problem("device_kind", f"choose one of: {', '.join(sorted(kinds))}"))
    if form.cartridge_expiry is None:
        problems.append(Problem("cartridge_expiry", "enter the cartridge's expiry date as YYYY-MM-DD"))
    unknown = [p for p in form.products_applied if p not in kb.vocabulary["planned_products"]]
    if unknown:
        problems.append(Problem("products_applied", f"unknown product(s): {', '.join(unknown)}"))
    areas = set(kb.vocabulary["areas"])
    if any(z not in areas for z in form.numbing.zones):
        problems.append(Problem("numbing_zones", "choose treatment zones from the list"))
    if not form.numbing.product.strip() and (form.numbing.lidocaine_percent.strip() or form.numbing.zones):
        problems.append(Problem("numbing_product", "name the numbing product, or leave its details empty"))


def validate(form: SessionForm, kb: KnowledgeBase, plan_zones: Mapping[str, Decimal]) -> ValidSession:
    """The parsed form, or InvalidInputError naming every field that is wrong."""
    problems: list[Problem] = []
    parsed = _parse(form, problems)
    _choices(form, kb, problems)
    zones = _zones(form, plan_zones, problems)
    if parsed is None or problems:
        raise InvalidInputError(problems)
    assert parsed.passes is not None  # noqa: S101 - required, checked by its declaration
    return ValidSession(
        form, zones, parsed.passes, parsed.pain_score, parsed.numbing_lidocaine_percent, parsed.numbing_minutes
    )
