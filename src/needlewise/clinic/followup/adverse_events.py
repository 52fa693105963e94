"""Adverse events: what went wrong after a session, against the session's cartridge lot.

Practitioners record them (``record_treatment``); clinical staff read them (``view_health``). Each
event keeps the session's cartridge lot, so a recall by lot counts them. An event recorded from a
check-in's alert closes that alert when the practitioner ticks "close the alert" and says what was
done about it (the form ticks it when the session has an open alert), in the same transaction. An
outcome change is dated and appended to the description with its note, so the record keeps its
history (the table has no separate notes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict

from needlewise.clinic import forms
from needlewise.clinic.access.actor import Actor
from needlewise.clinic.access.guard import use_case
from needlewise.clinic.access.tenancy import access_adverse_event, access_client, access_session
from needlewise.clinic.audit import log as audit_log
from needlewise.clinic.followup.alerts import _close_alert  # package-private: only inside a use case
from needlewise.clinic.followup.checkins import ALERT_OPEN, session_day
from needlewise.clinic.forms import Posted, PostedDate, PostedId, Reads, choice, given, text
from needlewise.clinic.local_time import clock_of
from needlewise.clinic.records import integrity
from needlewise.domain.permissions import Action
from needlewise.domain.statuses import AlertAction, EventOutcome, EventSeverity
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.errors import N_, ConflictError, InvalidInputError, Problem
from needlewise.storage.models import AdverseEvent, CheckIn, TreatmentSession

SEVERITIES = tuple(s.value for s in EventSeverity)
OUTCOMES = tuple(o.value for o in EventOutcome)
DESCRIPTION_LIMIT = 5000
NOTE_LIMIT = 1000
RECENT_LIMIT = 50


@dataclass(frozen=True, slots=True)
class AdverseEventForm:
    """What the practitioner reports."""

    kind: str
    severity: str
    serious: bool
    onset_on: date | None
    outcome: str
    description: str
    checkin_id: int | None = None
    close_alert: bool = False
    alert_note: str = ""


def _ticked(typed: str) -> bool:
    return typed == "1"


class AdverseEventFields(BaseModel):
    """Every field the report form posts, in the order its problems are named: kind, bounds and messages, once.

    The kind is checked against the knowledge base and the onset against the session's day by
    :func:`record`; ``checkin`` is the answered check-in chosen, if any (``checkin_id`` of the form).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: str
    severity: Annotated[str, choice(SEVERITIES, N_("choose mild, moderate or severe"))]
    outcome: Annotated[str, choice(OUTCOMES, N_("choose one of the outcomes listed"))]
    onset_on: Annotated[PostedDate, given(N_("enter the date it started as YYYY-MM-DD"))]
    description: Annotated[str, text(DESCRIPTION_LIMIT, required=True, missing=N_("describe what happened"))]
    serious: Annotated[bool, Reads(_ticked)]
    checkin: PostedId
    close_alert: Annotated[bool, Reads(_ticked)]
    alert_note: Annotated[str, text(NOTE_LIMIT)]


class OutcomeFields(BaseModel):
    """The outcome update form's fields: the new outcome and a note."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    outcome: Annotated[str, choice(OUTCOMES, N_("choose one of the outcomes listed"))]
    note: Annotated[str, text(NOTE_LIMIT)]


def echo(post: Posted) -> dict[str, Any]:
    """The report form's posted values by field name, to show the form again."""
    return forms.echo(AdverseEventFields, post)


def echo_outcome(post: Posted) -> dict[str, Any]:
    """The outcome update form's posted values by field name (what :func:`update_outcome` takes)."""
    return forms.echo(OutcomeFields, post)


def read(post: Posted) -> AdverseEventForm:
    """The report form as posted, each field read by its declaration."""
    values = forms.read(AdverseEventFields, post)
    return AdverseEventForm(checkin_id=values.pop("checkin"), **values)


def _problems(form: AdverseEventForm, kb: KnowledgeBase, session_on: date, today: date) -> list[Problem]:
    problems: list[Problem] = []
    declared = {name: getattr(form, name) for name in AdverseEventFields.model_fields if name != "checkin"}
    forms.parse(AdverseEventFields, declared | {"checkin": form.checkin_id}, problems)
    if form.kind not in [k.kind_id for k in kb.treatment.adverse_event_kinds]:
        problems.append(Problem("kind", N_("choose one of the kinds listed")))
    if form.onset_on is not None and not session_on <= form.onset_on <= today:
        problems.append(
            Problem.worded(
                "onset_on", N_("the onset must be between the session (%(session)s) and today"), session=str(session_on)
            )
        )
    return forms.in_order(problems, AdverseEventFields)


@dataclass(frozen=True, slots=True)
class ReportContext:
    """What the report form shows: the session and its answered check-ins (to link the event to one)."""

    session: TreatmentSession
    session_on: date
    checkins: list[CheckIn]


@use_case(Action.RECORD_TREATMENT, "adverse_event", missing="session")
def report_context(actor: Actor, session_id: int) -> ReportContext:
    """The session an event is being reported for (recorders only; the read is recorded)."""
    session = access_session(actor, session_id)
    checkins = list(CheckIn.objects.filter(session=session, answered_at__isnull=False).order_by("day"))
    audit_log.record(actor, "read", "session", session.pk, client_id=session.client_id)
    return ReportContext(session, session_day(session, clock_of(actor.staff_clinic_id)), checkins)


@use_case(Action.RECORD_TREATMENT, "adverse_event", missing="session")
def record(actor: Actor, session_id: int, form: AdverseEventForm, kb: KnowledgeBase) -> AdverseEvent:
    """Record an adverse event against a session of the actor's clinic (and its cartridge lot)."""
    session = access_session(actor, session_id)
    clock = clock_of(actor.staff_clinic_id)
    problems = _problems(form, kb, session_day(session, clock), clock.today())
    checkin = None
    if form.checkin_id is not None:
        checkin = CheckIn.objects.select_for_update().filter(pk=form.checkin_id, session=session).first()
        if checkin is None:
            problems.append(Problem("checkin_id", N_("choose a check-in of this session")))
    if form.close_alert and (checkin is None or checkin.alert != ALERT_OPEN):
        problems.append(Problem("close_alert", N_("choose the check-in whose open alert this report closes")))
    if form.close_alert and not form.alert_note.strip():
        problems.append(Problem("alert_note", N_("say what was done about the alert")))
    if problems:
        raise InvalidInputError(problems)
    if session.client.archived_at is not None:
        raise ConflictError([Problem("client", N_("this client is archived; restore them before recording"))])
    assert form.onset_on is not None  # noqa: S101 - checked by _problems
    event = AdverseEvent.objects.create(
        clinic_id=actor.staff_clinic_id,
        client_id=session.client_id,
        session=session,
        checkin=checkin,
        cartridge_lot=session.cartridge_lot,
        kind=form.kind,
        severity=form.severity,
        serious=form.serious,
        onset_on=form.onset_on,
        outcome=form.outcome,
        description=form.description.strip(),
        recorded_by_id=actor.staff_user_id,
    )
    detail = {"session": session.pk, "digest": integrity.adverse_event_digest(event.pk)}
    audit_log.record(actor, "create", "adverse_event", event.pk, client_id=session.client_id, detail=detail)
    if form.close_alert and checkin is not None:
        _close_alert(actor, checkin, AlertAction.ADVERSE_EVENT, form.alert_note)
    return event


@use_case(Action.RECORD_TREATMENT, "adverse_event", record="event_id", missing="adverse_event")
def update_outcome(actor: Actor, event_id: int, outcome: str, note: str) -> AdverseEvent:
    """Change an event's outcome; the change and its note are appended, dated, to the description."""
    problems: list[Problem] = []
    forms.parse(OutcomeFields, {"outcome": outcome, "note": note}, problems)
    if problems:
        raise InvalidInputError(problems)
    note = note.strip()
    event = access_adverse_event(actor, event_id, lock=True)
    if outcome == event.outcome and not note:
        raise InvalidInputError([Problem("outcome", N_("choose a different outcome or add a note"))])
    entry = f"[{clock_of(actor.staff_clinic_id).today().isoformat()}] {event.outcome} → {outcome}"
    event.description = f"{event.description}\n\n{entry}{': ' + note if note else ''}"
    event.outcome = outcome
    event.save(update_fields=["description", "outcome", "updated_at"])
    detail: dict[str, object] = {"digest": integrity.adverse_event_digest(event.pk)}
    audit_log.record(actor, "update", "adverse_event", event.pk, client_id=event.client_id, detail=detail)
    return event


@use_case(Action.VIEW_HEALTH, "adverse_event", record="event_id", missing="adverse_event")
def get(actor: Actor, event_id: int) -> AdverseEvent:
    """One adverse event of the actor's clinic (the read is recorded)."""
    event = access_adverse_event(actor, event_id)
    audit_log.record(actor, "read", "adverse_event", event.pk, client_id=event.client_id)
    return event


@use_case(Action.VIEW_HEALTH, "adverse_event", client="client_id", missing="client")
def events_of_client(actor: Actor, client_id: int) -> list[AdverseEvent]:
    """A client's adverse events, newest first (the read is recorded)."""
    client = access_client(actor, client_id)
    found = list(AdverseEvent.objects.filter(client=client).select_related("session").order_by("-created_at", "-pk"))
    audit_log.record(actor, "read", "adverse_event", client_id=client.pk, detail={"shown": [e.pk for e in found]})
    return found


@use_case(Action.VIEW_HEALTH, "adverse_event")
def recent(actor: Actor) -> list[AdverseEvent]:
    """The clinic's most recently recorded adverse events (the read is recorded)."""
    found = list(
        AdverseEvent.objects.filter(clinic_id=actor.staff_clinic_id)
        .select_related("client")
        .order_by("-created_at", "-pk")[:RECENT_LIMIT]
    )
    audit_log.record(actor, "read", "adverse_event", detail={"shown": [e.pk for e in found]})
    return found
