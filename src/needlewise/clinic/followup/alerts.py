"""Check-in alerts: answers that are not the expected course, for the clinic's practitioners.

Any answer whose triage is not the expected course opens an alert (see
:mod:`needlewise.clinic.followup.checkins`); a practitioner closes it, saying what was done (one of
:data:`ACK_ACTIONS` and a note in words), directly or by recording an adverse event from it. The note
stays on the check-in; its audit row names the action only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db import connections, router
from django.utils import timezone
from django.utils.translation import gettext_noop

from needlewise.clinic.access.actor import Actor
from needlewise.clinic.access.guard import use_case
from needlewise.clinic.access.tenancy import access_checkin
from needlewise.clinic.audit import log as audit_log
from needlewise.clinic.followup.checkin_answers import stored_answers
from needlewise.clinic.followup.checkins import ALERT_ACKNOWLEDGED, ALERT_OPEN, session_day
from needlewise.clinic.local_time import ClinicClock, clock_of
from needlewise.clinic.records import record_digests
from needlewise.domain.contact import tel_link
from needlewise.domain.permissions import Action
from needlewise.domain.statuses import AlertAction
from needlewise.domain.treatment import Answer, Triage
from needlewise.domain.vocabulary import Lang
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.errors import N_, ConflictError, InvalidInputError, Problem
from needlewise.storage.models import CheckIn

ALERT_LIMIT = 200
OPEN_ALERTS = "SELECT COUNT(*) FROM checkin WHERE clinic_id = %s AND alert = %s"
NOTE_LIMIT = 1000
#: What the acknowledge form offers (an adverse event closes an alert by being recorded).
ACK_ACTIONS = tuple(a.value for a in AlertAction if a is not AlertAction.ADVERSE_EVENT)


@dataclass(frozen=True, slots=True)
class Alert:
    """An answered check-in that needs a practitioner: who, which session and day, what they said."""

    checkin_id: int
    client_id: int
    client_name: str
    client_phone: str
    session_id: int
    session_on: date
    day: int
    triage: Triage
    answered_at: datetime
    yes_texts: tuple[str, ...]
    not_sure_texts: tuple[str, ...] = ()  # answered "not sure": triaged as if "yes"

    @property
    def client_tel(self) -> str:
        """The client's phone as a ``tel:`` address (empty when no phone is on file)."""
        return tel_link(self.client_phone) if self.client_phone.strip() else ""


def answer_texts(checkin: CheckIn, kb: KnowledgeBase, lang: Lang, said: Answer) -> tuple[str, ...]:
    """The questions a check-in answered ``said``, in words (an id the knowledge base no longer has, as is).

    A damaged stored answer reads as "not sure", never as "no" (:func:`.checkin_answers.stored_answers`).
    """
    asked = kb.treatment.checkin.questions_for(checkin.day)
    answers = stored_answers(checkin.answers, [q.question_id for q in asked])
    by_id = {q.question_id: q.text.in_(lang) for q in kb.treatment.checkin.questions}
    return tuple(by_id.get(key, key) for key, answer in sorted(answers.items()) if answer is said)


@use_case(Action.VIEW_HEALTH, "checkin_alerts")
def alerts(actor: Actor, kb: KnowledgeBase, lang: Lang) -> list[Alert]:
    """The clinic's open alerts, most urgent first, then the longest waiting (the read is recorded)."""
    rows = list(
        CheckIn.objects.filter(clinic_id=actor.staff_clinic_id, alert=ALERT_OPEN)
        .select_related("client", "session")
        .order_by("answered_at", "pk")[:ALERT_LIMIT]
    )
    audit_log.record(actor, "read", "checkin_alerts", detail={"shown": [c.pk for c in rows]})
    clock = clock_of(actor.staff_clinic_id)
    return sorted((_alert(c, kb, lang, clock) for c in rows), key=lambda a: -a.triage.rank)


def _alert(checkin: CheckIn, kb: KnowledgeBase, lang: Lang, clock: ClinicClock) -> Alert:
    return Alert(
        checkin_id=checkin.pk,
        client_id=checkin.client_id,
        client_name=f"{checkin.client.given_name} {checkin.client.family_name}",
        client_phone=checkin.client.phone,
        session_id=checkin.session_id,
        session_on=session_day(checkin.session, clock),
        day=checkin.day,
        triage=Triage(checkin.triage),
        answered_at=checkin.answered_at or checkin.created_at,
        yes_texts=answer_texts(checkin, kb, lang, Answer.YES),
        not_sure_texts=answer_texts(checkin, kb, lang, Answer.NOT_SURE),
    )


def _open(actor: Actor, checkin_id: int, *, lock: bool = False) -> CheckIn:
    checkin = access_checkin(actor, checkin_id, lock=lock)
    if checkin.alert != ALERT_OPEN:
        raise ConflictError([Problem("checkin", N_("this check-in has no open alert"))])
    return checkin


@use_case(Action.RECORD_TREATMENT, "checkin", record="checkin_id", missing="checkin")
def open_alert(actor: Actor, checkin_id: int, kb: KnowledgeBase, lang: Lang) -> Alert:
    """One open alert, for the practitioner about to close it (ConflictError once closed; the read is recorded)."""
    checkin = _open(actor, checkin_id)
    audit_log.record(actor, "read", "checkin", checkin.pk, client_id=checkin.client_id)
    return _alert(checkin, kb, lang, clock_of(actor.staff_clinic_id))


def close_problems(action: str, note: str, *, actions: tuple[str, ...] = ACK_ACTIONS) -> list[Problem]:
    """What is wrong with what a practitioner says was done: one of ``actions`` and a note in words."""
    problems = []
    if action not in actions:
        problems.append(Problem.worded("action", gettext_noop("choose what was done")))
    if not note.strip():
        problems.append(Problem.worded("note", gettext_noop("say in a few words what was done")))
    elif len(note.strip()) > NOTE_LIMIT:
        problems.append(Problem.worded("note", gettext_noop("at most %(limit)s characters"), limit=str(NOTE_LIMIT)))
    return problems


def _close_alert(actor: Actor, checkin: CheckIn, action: AlertAction, note: str) -> None:
    """Close an open alert as ``actor``, with what was done (inside the caller's transaction, row locked)."""
    checkin.alert = ALERT_ACKNOWLEDGED
    checkin.acknowledged_by_id = actor.staff_user_id
    checkin.acknowledged_at = timezone.now()
    checkin.acknowledged_action = action.value
    checkin.acknowledged_note = note.strip()
    fields = ["alert", "acknowledged_by", "acknowledged_at", "acknowledged_action", "acknowledged_note"]
    checkin.save(update_fields=fields)
    detail: dict[str, object] = {"action": action.value, "digest": record_digests.checkin_digest(checkin.pk)}
    audit_log.record(actor, "acknowledge", "checkin", checkin.pk, client_id=checkin.client_id, detail=detail)


@use_case(Action.RECORD_TREATMENT, "checkin", record="checkin_id", missing="checkin")
def acknowledge(actor: Actor, checkin_id: int, action: str, note: str) -> CheckIn:
    """A practitioner has acted on an open alert and says what was done (InvalidInputError without it)."""
    problems = close_problems(action, note)
    if problems:
        raise InvalidInputError(problems)
    checkin = _open(actor, checkin_id, lock=True)
    _close_alert(actor, checkin, AlertAction(action), note)
    return checkin


def open_alert_count(clinic_id: int) -> int:
    """How many alerts of the clinic are open (un-audited: a number, for the workspace home page)."""
    with connections[router.db_for_read(CheckIn)].cursor() as cursor:  # a fixed statement: every staff page's banner
        cursor.execute(OPEN_ALERTS, [clinic_id, ALERT_OPEN])
        return int(cursor.fetchone()[0])


def open_alert_count_for(actor: Actor) -> int | None:
    """The open alerts of the actor's clinic for roles that see health records, else None (un-audited)."""
    if actor.clinic_id is None or not actor.may(Action.VIEW_HEALTH):
        return None
    return open_alert_count(actor.clinic_id)
