"""Recording a microneedling session: validate the form, run the day's checks, store it once.

A session is recorded only when every check passes (see :mod:`needlewise.clinic.treatment.session_checks`).
The single-use cartridge is claimed by the insert itself: the (clinic, lot, serial) unique
constraint lets exactly one of two simultaneous requests through, and the other gets the same
"already used" answer as a sequential one. The client's row is locked for the transaction, so two
sessions for one client cannot both pass the interval check either.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from needlewise.clinic.access.actor import Actor
from needlewise.clinic.access.guard import use_case
from needlewise.clinic.access.tenancy import access_client
from needlewise.clinic.audit import log as audit_log
from needlewise.clinic.contact import checkin_links
from needlewise.clinic.contact.checkin_links import CheckinMessages
from needlewise.clinic.followup import checkins
from needlewise.clinic.local_time import ClinicClock
from needlewise.clinic.records import integrity, plans, record_digests
from needlewise.clinic.treatment import session_checks
from needlewise.clinic.treatment.session_form import Clock, SessionForm, ValidSession, validate
from needlewise.domain.permissions import Action, Role
from needlewise.domain.treatment import CheckCode, CheckResult, Finding
from needlewise.domain.vocabulary import Lang
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.engine.treatment import NumbingUse, numbing_findings, product_findings
from needlewise.errors import N_, ConflictError, NotFoundError, Problem, SessionBlockedError
from needlewise.storage.models import CheckIn, Client, Clinic, SessionZone, TreatmentPlan, TreatmentSession


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


def _plan(client: Client, plan_id: int) -> TreatmentPlan:
    """The client's plan the form names (the client is already the actor's clinic's)."""
    plan = TreatmentPlan.objects.filter(pk=plan_id, clinic_id=client.clinic_id, client=client).first()
    if plan is None:
        raise NotFoundError([Problem("plan_id", N_("no such treatment plan for this client in your clinic"))])
    return plan


def _prepare(
    actor: Actor, client_id: int, form: SessionForm, kb: KnowledgeBase, *, treatment: bool
) -> tuple[Client, TreatmentPlan, ValidSession, Outcome, session_checks.DayFacts]:
    client = access_client(actor, client_id, lock=True)
    if client.archived_at is not None:
        raise ConflictError([Problem("client", N_("this client is archived; restore them before treatment"))])
    plan = _plan(client, form.plan_id)
    planned = {z.zone: z.length_mm for z in plan.zones.all()}
    clinic = Clinic.objects.get(pk=client.clinic_id)
    clock = ClinicClock.named(clinic.time_zone)
    valid = validate(form, kb, planned, Clock(clock.zone, timezone.now()), treatment=treatment)
    assert form.cartridge_expiry is not None  # noqa: S101 - validate() requires it
    today = clock.day_of(valid.performed_at)  # the checks are those of the session's day
    facts = session_checks.gather(clinic, client_id, today, valid.performed_at)
    checks, lengths = session_checks.run(
        kb,
        clinic=clinic,
        role=actor.treating_role or Role.FRONT_DESK,
        plan=plan,
        facts=facts,
        today=today,
        zones=valid.zones,
        cartridge=(form.cartridge_lot.strip(), form.cartridge_serial.strip(), form.cartridge_expiry),
    )
    warnings = tuple(f for f in lengths if not f.blocks) + _warnings(kb, valid)
    return client, plan, valid, Outcome(checks, warnings), facts


@use_case(Action.RECORD_TREATMENT, "session", client="client_id", missing="client")
def check(actor: Actor, client_id: int, form: SessionForm, kb: KnowledgeBase) -> Outcome:
    """Run the day's checks on step 1 of the form, recording nothing (the practitioner's "check before I start")."""
    _, plan, _, outcome, _ = _prepare(actor, client_id, form, kb, treatment=False)
    audit_log.record(actor, "check", "session", "", client_id=client_id, detail=_summary(plan, outcome))
    return outcome


def _summary(plan: TreatmentPlan, outcome: Outcome) -> dict[str, object]:
    return {"plan": plan.pk, "blocked": [c.code.value for c in outcome.blocked]}


@use_case(Action.RECORD_TREATMENT, "session", client="client_id", missing="client", atomic=False)
def record(
    actor: Actor, client_id: int, form: SessionForm, kb: KnowledgeBase, messages: CheckinMessages | None = None
) -> Outcome:
    """Record a session if every check passes; otherwise ConflictError lists each failed check and what to do.

    With ``messages`` (the edge's), each check-in's link is queued to the client on the channels they
    agree to, due on its day's morning (:mod:`needlewise.clinic.contact.checkin_links`); the session's
    audit row names the channels (``checkin_links``), never the messages.
    """
    with transaction.atomic():
        client, plan, valid, outcome, facts = _prepare(actor, client_id, form, kb, treatment=True)
        if not outcome.blocked:
            try:
                with transaction.atomic():
                    session = _insert(
                        actor,
                        clinic_id=actor.staff_clinic_id,
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
                detail = {
                    "plan": plan.pk,
                    "digest": integrity.session_digest(session.pk),
                    "checkins": {str(c.pk): record_digests.checkin_digest(c.pk) for c in issued},
                }
                if messages is not None:
                    detail["checkin_links"] = checkin_links.send(client, issued, messages)
                audit_log.record(actor, "create", "session", session.pk, client_id=client_id, detail=detail)
                return Outcome(outcome.checks, outcome.findings, session, issued)
    with transaction.atomic():
        audit_log.record(
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
    assert valid.passes is not None  # noqa: S101 - validated with the treatment's fields
    session = TreatmentSession.objects.create(
        clinic_id=clinic_id,
        client=client,
        plan=plan,
        practitioner_id=actor.staff_user_id,
        practitioner_role=(actor.treating_role or Role.FRONT_DESK).value,
        performed_at=valid.performed_at,
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
