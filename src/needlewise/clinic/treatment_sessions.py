"""Recording a microneedling session: validate the form, run the day's checks, store it once.

A session is recorded only when every check passes (see :mod:`needlewise.clinic.session_checks`).
The single-use cartridge is claimed by the insert itself: the (clinic, lot, serial) unique
constraint lets exactly one of two simultaneous requests through, and the other gets the same
"already used" answer as a sequential one. The client's row is locked for the transaction, so two
sessions for one client cannot both pass the interval check either.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone

from needlewise.clinic import audit, checkins, plans, record_integrity, session_checks
from needlewise.clinic.actor import Actor
from needlewise.clinic.finding_words import millimetres as mm
from needlewise.domain.permissions import Action, Role
from needlewise.domain.treatment import CheckCode, CheckResult, Finding
from needlewise.domain.vocabulary import Lang
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.engine.treatment import NumbingUse, numbing_findings, product_findings
from needlewise.errors import ConflictError, InvalidInputError, NotFoundError, Problem, SessionBlockedError
from needlewise.storage.models import CheckIn, Client, Clinic, SessionZone, TreatmentPlan, TreatmentSession

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


@dataclass(frozen=True, slots=True)
class Outcome:
    """The day's checks and warnings, and the session when it was recorded."""

    checks: tuple[CheckResult, ...]
    findings: tuple[Finding, ...]
    session: TreatmentSession | None = None
    checkins: tuple[CheckIn, ...] = ()

    @property
    def blocked(self) -> tuple[CheckResult, ...]:
        """The checks that failed."""
        return tuple(c for c in self.checks if not c.passed)


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


def _warnings(kb: KnowledgeBase, valid: ValidSession) -> tuple[Finding, ...]:
    form = valid.form
    numbing: tuple[Finding, ...] = ()
    if form.numbing.product.strip():
        use = NumbingUse(
            lidocaine_percent=float(valid.lidocaine_percent) if valid.lidocaine_percent is not None else None,
            compounded=form.numbing.compounded,
            zones=frozenset(form.numbing.zones),
            occluded=form.numbing.occluded,
            broken_skin=form.numbing.broken_skin,
            heat=form.numbing.heat,
        )
        numbing = numbing_findings(kb.treatment, use)
    return numbing + product_findings(kb.treatment, form.products_applied)


def _check_json(result: CheckResult) -> dict[str, object]:
    return {"code": result.code.value, "passed": result.passed, "details": dict(result.details)}


def _plan(clinic_id: int, client_id: int, plan_id: int) -> TreatmentPlan:
    plan = TreatmentPlan.objects.filter(pk=plan_id, clinic_id=clinic_id, client_id=client_id).first()
    if plan is None:
        raise NotFoundError([Problem("plan_id", "no such treatment plan for this client in your clinic")])
    return plan


def _prepare(
    actor: Actor, clinic_id: int, client_id: int, form: SessionForm, kb: KnowledgeBase
) -> tuple[Client, TreatmentPlan, ValidSession, Outcome, session_checks.DayFacts]:
    client = Client.objects.select_for_update().filter(pk=client_id, clinic_id=clinic_id).first()
    if client is None:
        raise NotFoundError([Problem("client", "no such client in your clinic")])
    if client.archived_at is not None:
        raise ConflictError([Problem("client", "this client is archived; restore them before treatment")])
    plan = _plan(clinic_id, client_id, form.plan_id)
    planned = {z.zone: z.length_mm for z in plan.zones.all()}
    valid = validate(form, kb, planned)
    assert form.cartridge_expiry is not None  # noqa: S101 - validate() requires it
    clinic = Clinic.objects.get(pk=clinic_id)
    today = timezone.localdate()
    facts = session_checks.gather(clinic, client_id, today)
    checks, lengths = session_checks.run(
        kb,
        clinic=clinic,
        role=actor.role or Role.FRONT_DESK,
        plan=plan,
        facts=facts,
        today=today,
        zones=valid.zones,
        cartridge=(form.cartridge_lot.strip(), form.cartridge_serial.strip(), form.cartridge_expiry),
    )
    warnings = tuple(f for f in lengths if not f.blocks) + _warnings(kb, valid)
    return client, plan, valid, Outcome(checks, warnings), facts


@audit.records_not_found("client")
def check(actor: Actor, client_id: int, form: SessionForm, kb: KnowledgeBase) -> Outcome:
    """Run the day's checks without recording anything (the practitioner's "check before I start")."""
    clinic_id = audit.require(actor, Action.RECORD_TREATMENT, "session", "", client_id)
    with transaction.atomic():
        _, plan, _, outcome, _ = _prepare(actor, clinic_id, client_id, form, kb)
        audit.record(actor, "check", "session", "", client_id=client_id, detail=_summary(plan, outcome))
    return outcome


def _summary(plan: TreatmentPlan, outcome: Outcome) -> dict[str, object]:
    return {"plan": plan.pk, "blocked": [c.code.value for c in outcome.blocked]}


@audit.records_not_found("client")
def record(actor: Actor, client_id: int, form: SessionForm, kb: KnowledgeBase) -> Outcome:
    """Record a session if every check passes; otherwise ConflictError lists each failed check and what to do."""
    clinic_id = audit.require(actor, Action.RECORD_TREATMENT, "session", "", client_id)
    with transaction.atomic():
        client, plan, valid, outcome, facts = _prepare(actor, clinic_id, client_id, form, kb)
        if not outcome.blocked:
            try:
                with transaction.atomic():
                    session = _insert(
                        actor,
                        clinic_id=clinic_id,
                        client=client,
                        plan=plan,
                        valid=valid,
                        outcome=outcome,
                        facts=facts,
                        kb=kb,
                    )
            except IntegrityError:  # another request claimed this cartridge between our check and insert
                outcome = _claimed(outcome)
            else:
                issued = tuple(checkins.schedule(session, kb, form.lang))
                detail = {"plan": plan.pk, "digest": record_integrity.session_digest(session.pk)}
                audit.record(actor, "create", "session", session.pk, client_id=client_id, detail=detail)
                return Outcome(outcome.checks, outcome.findings, session, issued)
    with transaction.atomic():
        audit.record(
            actor, "create", "session", "", client_id=client_id, outcome="blocked", detail=_summary(plan, outcome)
        )
    raise SessionBlockedError([session_checks.explain(c, kb, Lang.EN) for c in outcome.blocked], outcome.blocked)


def _claimed(outcome: Outcome) -> Outcome:
    checks = tuple(
        CheckResult(c.code, passed=False, details=c.details) if c.code is CheckCode.CARTRIDGE_UNUSED else c
        for c in outcome.checks
    )
    return Outcome(checks, outcome.findings)


def _insert(  # noqa: PLR0913 - a session's parts
    actor: Actor,
    *,
    clinic_id: int,
    client: Client,
    plan: TreatmentPlan,
    valid: ValidSession,
    outcome: Outcome,
    facts: session_checks.DayFacts,
    kb: KnowledgeBase,
) -> TreatmentSession:
    form = valid.form
    assert facts.screening is not None  # noqa: S101 - the checks passed
    assert facts.consent is not None  # noqa: S101 - the checks passed
    assert form.cartridge_expiry is not None  # noqa: S101 - validated
    session = TreatmentSession.objects.create(
        clinic_id=clinic_id,
        client=client,
        plan=plan,
        practitioner_id=actor.staff_user_id,
        practitioner_role=(actor.role or Role.FRONT_DESK).value,
        performed_at=timezone.now(),
        device_model=form.device_model.strip(),
        device_kind=form.device_kind,
        device_serial=form.device_serial.strip(),
        cartridge_lot=form.cartridge_lot.strip(),
        cartridge_serial=form.cartridge_serial.strip(),
        cartridge_expiry=form.cartridge_expiry,
        passes=valid.passes,
        end_point=form.end_point.strip(),
        numbing_product=form.numbing.product.strip(),
        numbing_lidocaine_percent=valid.lidocaine_percent,
        numbing_compounded=form.numbing.compounded,
        numbing_zones=list(form.numbing.zones),
        numbing_minutes=valid.numbing_minutes,
        numbing_occluded=form.numbing.occluded,
        numbing_broken_skin=form.numbing.broken_skin,
        numbing_heat=form.numbing.heat,
        pain_score=valid.pain_score,
        immediate_reactions=form.immediate_reactions.strip(),
        products_applied=list(form.products_applied),
        notes=form.notes.strip(),
        findings=[plans.as_json(f) for f in outcome.findings],
        checks=[_check_json(c) for c in outcome.checks],
        screening=facts.screening,
        consent=facts.consent,
        kb_version=kb.version.version,
        kb_hash=kb.version.content_hash,
        recorded_by_id=actor.staff_user_id,
    )
    SessionZone.objects.bulk_create(
        SessionZone(session=session, zone=zone, length_mm=length) for zone, length in sorted(valid.zones.items())
    )
    return session


@audit.records_not_found("session")
def get(actor: Actor, session_id: int) -> TreatmentSession:
    """One session of the actor's clinic with its zones (the read is recorded)."""
    clinic_id = audit.require(actor, Action.VIEW_HEALTH, "session", session_id)
    with transaction.atomic():
        session = (
            TreatmentSession.objects.select_related("client", "plan", "practitioner__staff")
            .prefetch_related("zones")
            .filter(pk=session_id, clinic_id=clinic_id)
            .first()
        )
        if session is None:
            raise NotFoundError([Problem("session", "no such session in your clinic")])
        audit.record(actor, "read", "session", session.pk, client_id=session.client_id)
    return session


def sessions_of(clinic_id: int, client_id: int, limit: int = 50) -> list[TreatmentSession]:
    """A client's latest sessions (for pages whose own use case already audited the read)."""
    return list(
        TreatmentSession.objects.filter(clinic_id=clinic_id, client_id=client_id)
        .select_related("practitioner__staff")
        .prefetch_related("zones")
        .order_by("-performed_at", "-pk")[:limit]
    )


@dataclass(frozen=True, slots=True)
class SessionStart:
    """What the session form needs: the client and their active plan with its planned zones."""

    client: Client
    plan: TreatmentPlan | None
    planned: dict[str, Decimal]


@audit.records_not_found("client")
def start(actor: Actor, client_id: int) -> SessionStart:
    """The client and their active plan, for the session form (the read is recorded)."""
    clinic_id = audit.require(actor, Action.RECORD_TREATMENT, "session", "", client_id)
    with transaction.atomic():
        client = Client.objects.filter(pk=client_id, clinic_id=clinic_id).first()
        if client is None:
            raise NotFoundError([Problem("client", "no such client in your clinic")])
        plan = plans.active_plan(clinic_id, client.pk)
        audit.record(actor, "read", "client", client.pk, client_id=client.pk, detail={"health": True})
    planned = {z.zone: z.length_mm for z in plan.zones.all()} if plan else {}
    return SessionStart(client, plan, planned)
