"""The session form: what the practitioner enters for one session, parsed and validated."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from needlewise.clinic.treatment.finding_words import millimetres as mm
from needlewise.domain.vocabulary import Lang
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.errors import InvalidInputError, Problem

MIN_LENGTH_MM = Decimal("0.1")
MAX_LENGTH_MM = Decimal("3.0")
_TEXT_LIMIT = 5000
_SHORT = 64


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


def _number(text: str, where: str, bounds: tuple[int, int], problems: list[Problem], *, required: bool) -> int | None:
    low, high = bounds
    value = text.strip()
    if not value:
        if required:
            problems.append(Problem(where, "this field is required"))
        return None
    if not value.isdigit() or not low <= int(value) <= high:
        problems.append(Problem(where, f"enter a whole number from {low} to {high}"))
        return None
    return int(value)


def _decimal(text: str, where: str, low: Decimal, high: Decimal, problems: list[Problem]) -> Decimal | None:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        problems.append(Problem(where, "enter a number such as 0.5"))
        return None
    if not value.is_finite() or not low <= value <= high or value != value.quantize(Decimal("0.01")):
        problems.append(Problem(where, f"enter a number from {mm(low)} to {mm(high)} with at most two decimals"))
        return None
    return value


def _texts(form: SessionForm, problems: list[Problem]) -> None:
    required = {
        "device_model": (form.device_model, 100),
        "cartridge_lot": (form.cartridge_lot, _SHORT),
        "cartridge_serial": (form.cartridge_serial, _SHORT),
        "end_point": (form.end_point, 200),
    }
    optional = {
        "device_serial": (form.device_serial, _SHORT),
        "numbing_product": (form.numbing.product, 200),
        "immediate_reactions": (form.immediate_reactions, _TEXT_LIMIT),
        "notes": (form.notes, _TEXT_LIMIT),
    }
    for where, (value, limit) in {**required, **optional}.items():
        if where in required and not value.strip():
            problems.append(Problem(where, "this field is required"))
        elif len(value.strip()) > limit:
            problems.append(Problem(where, f"at most {limit} characters"))


def _zones(form: SessionForm, plan_zones: Mapping[str, Decimal], problems: list[Problem]) -> dict[str, Decimal]:
    zones: dict[str, Decimal] = {}
    for zone, text in form.zones.items():
        where = f"zones.{zone}"
        if zone not in plan_zones:
            problems.append(Problem(where, "this zone is not in the treatment plan; add it to a plan first"))
            continue
        length = _decimal(text, where, MIN_LENGTH_MM, MAX_LENGTH_MM, problems)
        if length is not None and length > plan_zones[zone]:
            problems.append(Problem(where, f"longer than the {mm(plan_zones[zone])} mm the plan allows for this zone"))
        elif length is not None:
            zones[zone] = length
    if not form.zones:
        problems.append(Problem("zones", "enter the needle length used on at least one zone"))
    return zones


def _numbing(form: SessionForm, kb: KnowledgeBase, problems: list[Problem]) -> Decimal | None:
    areas = set(kb.vocabulary["areas"])
    if any(z not in areas for z in form.numbing.zones):
        problems.append(Problem("numbing_zones", "choose treatment zones from the list"))
    lidocaine = None
    if form.numbing.lidocaine_percent.strip():
        where = "numbing_lidocaine_percent"
        lidocaine = _decimal(form.numbing.lidocaine_percent, where, Decimal(0), Decimal(100), problems)
    if not form.numbing.product.strip() and (form.numbing.lidocaine_percent.strip() or form.numbing.zones):
        problems.append(Problem("numbing_product", "name the numbing product, or leave its details empty"))
    return lidocaine


def validate(form: SessionForm, kb: KnowledgeBase, plan_zones: Mapping[str, Decimal]) -> ValidSession:
    """The parsed form, or InvalidInputError naming every field that is wrong."""
    problems: list[Problem] = []
    _texts(form, problems)
    kinds = {k for k in kb.vocabulary["device_kind"] if k != "undecided"}
    if form.device_kind not in kinds:
        problems.append(Problem("device_kind", f"choose one of: {', '.join(sorted(kinds))}"))
    if form.cartridge_expiry is None:
        problems.append(Problem("cartridge_expiry", "enter the cartridge's expiry date as YYYY-MM-DD"))
    zones = _zones(form, plan_zones, problems)
    unknown = [p for p in form.products_applied if p not in kb.vocabulary["planned_products"]]
    if unknown:
        problems.append(Problem("products_applied", f"unknown product(s): {', '.join(unknown)}"))
    lidocaine = _numbing(form, kb, problems)
    passes = _number(form.passes, "passes", (1, 20), problems, required=True)
    pain = _number(form.pain_score, "pain_score", (0, 10), problems, required=False)
    minutes = _number(form.numbing.minutes, "numbing_minutes", (0, 240), problems, required=False)
    if problems:
        raise InvalidInputError(problems)
    assert passes is not None  # noqa: S101 - required, checked above
    return ValidSession(form, zones, passes, pain, lidocaine, minutes)
