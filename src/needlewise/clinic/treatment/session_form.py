"""The session form: what the practitioner enters for one session, declared once, parsed and validated.

:class:`SessionFields` declares every field the form posts (its name, type, bounds and messages):
first :class:`CheckFields`, step 1, what the day's checks need, then the treatment's fields (step 2);
:func:`read` builds a :class:`SessionForm` from a post by that declaration, :func:`echo` gives the
values to show again, and :func:`validate` parses the form with it before the checks that need the
knowledge base and the plan (step 1 alone when only the checks are asked for). The needle length per
zone is posted as ``zone_<zone>``, one per planned zone; the date and time of the session are the
clinic's (:mod:`needlewise.clinic.treatment.session_time`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from django.utils.translation import gettext_noop
from pydantic import BaseModel, BeforeValidator, ConfigDict
from pydantic_core import PydanticCustomError

from needlewise.clinic import forms
from needlewise.clinic.forms import Flag, Many, Posted, PostedDate, PostedTime, fail, refuse, text, whole
from needlewise.clinic.treatment.finding_words import millimetres as mm
from needlewise.clinic.treatment.session_time import Performed, local_now, moment
from needlewise.domain.vocabulary import Lang
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.errors import N_, WORD_SEPARATOR, InvalidInputError, Problem

MIN_LENGTH_MM = Decimal("0.1")
MAX_LENGTH_MM = Decimal("3.0")
_TEXT_LIMIT = 5000
_SHORT = 64
_NUMBING = "numbing_"


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
    performed: Performed | None = None  # None: the session takes place now


@dataclass(frozen=True, slots=True)
class ValidSession:
    """A parsed, validated session form (the treatment's numbers are None when only the checks were asked for)."""

    form: SessionForm
    zones: dict[str, Decimal]
    performed_at: datetime
    passes: int | None = None
    pain_score: int | None = None
    lidocaine_percent: Decimal | None = None
    numbing_minutes: int | None = None


def _decimal_or_problem(typed: str, low: Decimal, high: Decimal) -> Decimal:
    try:
        value = Decimal(typed.strip())
    except InvalidOperation:
        fail(N_("enter a number such as 0.5"))
    if not value.is_finite() or not low <= value <= high or value != value.quantize(Decimal("0.01")):
        message = N_("enter a number from %(low)s to %(high)s with at most two decimals")
        refuse(Problem.worded("", message, low=mm(low), high=mm(high)))
    return value


def _decimal(low: Decimal, high: Decimal) -> BeforeValidator:
    def parse(typed: str) -> Decimal | None:
        return _decimal_or_problem(typed, low, high) if typed.strip() else None

    return BeforeValidator(parse)


class CheckFields(BaseModel):
    """Step 1, what the day's checks need, in the form's order: when, the device, the cartridge (and the zones)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    performed_date: PostedDate
    performed_time: PostedTime
    device_model: Annotated[str, text(100, required=True)]
    device_kind: str
    device_serial: Annotated[str, text(_SHORT)]
    cartridge_lot: Annotated[str, text(_SHORT, required=True)]
    cartridge_serial: Annotated[str, text(_SHORT, required=True)]
    cartridge_expiry: PostedDate


class SessionFields(CheckFields):
    """Every field the session form posts, in the form's order: step 1's, then the treatment's (step 2)."""

    passes: Annotated[int | None, whole(1, 20, required=True)]
    end_point: Annotated[str, text(200, required=True)]
    numbing_product: Annotated[str, text(200)]
    numbing_lidocaine_percent: Annotated[Decimal | None, _decimal(Decimal(0), Decimal(100))]
    numbing_compounded: Flag
    numbing_zones: Many
    numbing_minutes: Annotated[int | None, whole(0, 240)]
    numbing_occluded: Flag
    numbing_broken_skin: Flag
    numbing_heat: Flag
    pain_score: Annotated[int | None, whole(0, 10)]
    immediate_reactions: Annotated[str, text(_TEXT_LIMIT)]
    products_applied: Many
    notes: Annotated[str, text(_TEXT_LIMIT)]
    lang: Lang


def echo(post: Posted, planned_zones: Mapping[str, object]) -> dict[str, Any]:
    """The posted values by field name (checkboxes as booleans or tuples), to show the form again."""
    zones = {f"zone_{zone}": post.get(f"zone_{zone}", "") for zone in planned_zones}
    return forms.echo(SessionFields, post) | zones


def read(post: Posted, plan_id: int, planned_zones: Mapping[str, object]) -> SessionForm:
    """The form as posted: each declared field read by its kind, the zones whose length was entered."""
    values = forms.read(SessionFields, post)
    values["lang"] = Lang.ES if values["lang"] == "es" else Lang.EN
    numbing = {f.name: values[_NUMBING + f.name] for f in fields(NumbingForm)}
    flat = {f.name: values[f.name] for f in fields(SessionForm) if f.name in SessionFields.model_fields}
    zones = {zone: typed for zone in planned_zones if (typed := post.get(f"zone_{zone}", "")).strip()}
    performed = Performed(values["performed_date"], values["performed_time"])
    return SessionForm(plan_id=plan_id, zones=zones, numbing=NumbingForm(**numbing), performed=performed, **flat)


def _flat(form: SessionForm, performed: Performed) -> dict[str, object]:
    numbing = {_NUMBING + f.name: getattr(form.numbing, f.name) for f in fields(NumbingForm)}
    when = {"performed_date": performed.day, "performed_time": performed.at}
    return {name: getattr(form, name) for name in SessionFields.model_fields if hasattr(form, name)} | numbing | when


def _zones(form: SessionForm, plan_zones: Mapping[str, Decimal], problems: list[Problem]) -> dict[str, Decimal]:
    zones: dict[str, Decimal] = {}
    for zone, typed in form.zones.items():
        where = f"zones.{zone}"
        if zone not in plan_zones:
            problems.append(Problem(where, N_("this zone is not in the treatment plan; add it to a plan first")))
            continue
        try:
            length = _decimal_or_problem(typed, MIN_LENGTH_MM, MAX_LENGTH_MM)
        except PydanticCustomError as refused:
            problems.append(forms.problem_of(where, refused.message(), refused.context))
            continue
        if length > plan_zones[zone]:
            allowed = gettext_noop("longer than the %(mm)s mm the plan allows for this zone")
            problems.append(Problem.worded(where, allowed, mm=mm(plan_zones[zone])))
        else:
            zones[zone] = length
    if not form.zones:
        problems.append(Problem("zones", N_("enter the needle length used on at least one zone")))
    return zones


def _device(form: SessionForm, kb: KnowledgeBase, problems: list[Problem]) -> None:
    kinds = {k for k in kb.vocabulary["device_kind"] if k != "undecided"}
    if form.device_kind not in kinds:
        listed = WORD_SEPARATOR.join(sorted(kinds))
        choose = N_("choose one of: %(kinds)s")
        problems.append(Problem.worded("device_kind", choose, kinds=listed).with_words(kinds="device_kind"))
    if form.cartridge_expiry is None:
        problems.append(Problem("cartridge_expiry", N_("enter the cartridge's expiry date as YYYY-MM-DD")))


def _treatment(form: SessionForm, kb: KnowledgeBase, problems: list[Problem]) -> None:
    unknown = [p for p in form.products_applied if p not in kb.vocabulary["planned_products"]]
    if unknown:
        listed = ", ".join(unknown)  # as posted: not the vocabulary's, so not labelled
        problems.append(Problem.worded("products_applied", N_("unknown product(s): %(products)s"), products=listed))
    areas = set(kb.vocabulary["areas"])
    if any(z not in areas for z in form.numbing.zones):
        problems.append(Problem("numbing_zones", N_("choose treatment zones from the list")))
    if not form.numbing.product.strip() and (form.numbing.lidocaine_percent.strip() or form.numbing.zones):
        problems.append(Problem("numbing_product", N_("name the numbing product, or leave its details empty")))


@dataclass(frozen=True, slots=True)
class Clock:
    """The clinic's time zone and the moment the form is read (a session cannot be later)."""

    zone: tzinfo
    now: datetime


def validate(
    form: SessionForm, kb: KnowledgeBase, plan_zones: Mapping[str, Decimal], clock: Clock, *, treatment: bool = True
) -> ValidSession:
    """The parsed form, or InvalidInputError naming every field that is wrong.

    With ``treatment`` false only step 1 is read (when, device, cartridge, zones): what the day's checks need.
    """
    problems: list[Problem] = []
    performed = form.performed or local_now(clock.zone, clock.now)
    fields_of = SessionFields if treatment else CheckFields
    values = {name: v for name, v in _flat(form, performed).items() if name in fields_of.model_fields}
    parsed = forms.parse(fields_of, values, problems)
    performed_at = moment(performed, clock.zone, clock.now, problems)
    _device(form, kb, problems)
    if treatment:
        _treatment(form, kb, problems)
    zones = _zones(form, plan_zones, problems)
    if parsed is None or performed_at is None or problems:
        raise InvalidInputError(problems)
    if not isinstance(parsed, SessionFields):
        return ValidSession(form, zones, performed_at)
    return ValidSession(
        form,
        zones,
        performed_at,
        parsed.passes,
        parsed.pain_score,
        parsed.numbing_lidocaine_percent,
        parsed.numbing_minutes,
    )
