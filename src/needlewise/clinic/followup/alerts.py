"""Check-in alerts: answers that are not the expected course, for the clinic's practitioners.

Any answer whose triage is not the expected course opens an alert (see
:mod:`needlewise.clinic.followup.checkins`); a practitioner acknowledges it, directly or by
recording an adverse event from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from needlewise.clinic.access.actor import Actor
from needlewise.clinic.access.guard import use_case
from needlewise.clinic.access.tenancy import access_checkin
from needlewise.clinic.audit import log as audit_log
from needlewise.clinic.followup.checkins import ALERT_ACKNOWLEDGED, ALERT_OPEN, session_day
from needlewise.domain.permissions import Action
from needlewise.domain.treatment import Triage
from needlewise.domain.vocabulary import Lang
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.errors import ConflictError, Problem
from needlewise.storage.models import CheckIn

ALERT_LIMIT = 200


@dataclass(frozen=True, slots=True)
class Alert:
    """An answered check-in that needs a practitioner: who, which session and day, what they said."""

    checkin_id: int
    client_id: int
    client_name: str
    session_id: int
    session_on: date
    day: int
    triage: Triage
    answered_at: datetime
    yes_texts: tuple[str, ...]


def yes_texts(checkin: CheckIn, kb: KnowledgeBase, lang: Lang) -> tuple[str, ...]:
    """The questions a check-in answered "yes", in words (an id the knowledge base no longer has, as is)."""
    answers = checkin.answers if isinstance(checkin.answers, dict) else {}
    by_id = {q.question_id: q.text.in_(lang) for q in kb.treatment.checkin.questions}
    return tuple(by_id.get(question_id, question_id) for question_id in answers.get("yes", []))


@use_case(Action.VIEW_HEALTH, "checkin_alerts")
def alerts(actor: Actor, kb: KnowledgeBase, lang: Lang) -> list[Alert]:
    """The clinic's open alerts, most urgent first, then the longest waiting (the read is recorded)."""
    rows = list(
        CheckIn.objects.filter(clinic_id=actor.staff_clinic_id, alert=ALERT_OPEN)
        .select_related("client", "session")
        .order_by("answered_at", "pk")[:ALERT_LIMIT]
    )
    audit_log.record(actor, "read", "checkin_alerts", detail={"shown": [c.pk for c in rows]})
    found = [
        Alert(
            checkin_id=c.pk,
            client_id=c.client_id,
            client_name=f"{c.client.given_name} {c.client.family_name}",
            session_id=c.session_id,
            session_on=session_day(c.session),
            day=c.day,
            triage=Triage(c.triage),
            answered_at=c.answered_at or c.created_at,
            yes_texts=yes_texts(c, kb, lang),
        )
        for c in rows
    ]
    return sorted(found, key=lambda a: -a.triage.rank)


def _close_alert(actor: Actor, checkin: CheckIn) -> None:
    """Mark an open alert acknowledged by ``actor`` (inside the caller's transaction, row locked)."""
    checkin.alert = ALERT_ACKNOWLEDGED
    checkin.acknowledged_by_id = actor.staff_user_id
    checkin.acknowledged_at = timezone.now()
    checkin.save(update_fields=["alert", "acknowledged_by", "acknowledged_at"])
    audit_log.record(actor, "acknowledge", "checkin", checkin.pk, client_id=checkin.client_id)


@use_case(Action.RECORD_TREATMENT, "checkin", record="checkin_id", missing="checkin")
def acknowledge(actor: Actor, checkin_id: int) -> CheckIn:
    """A practitioner has seen an open alert and is acting on it."""
    checkin = access_checkin(actor, checkin_id, lock=True)
    if checkin.alert != ALERT_OPEN:
        raise ConflictError([Problem("checkin", "this check-in has no open alert")])
    _close_alert(actor, checkin)
    return checkin


def open_alert_count(clinic_id: int) -> int:
    """How many alerts of the clinic are open (un-audited: a number, for the workspace home page)."""
    return CheckIn.objects.filter(clinic_id=clinic_id, alert=ALERT_OPEN).count()


def open_alert_count_for(actor: Actor) -> int | None:
    """The open alerts of the actor's clinic for roles that see health records, else None (un-audited)."""
    if actor.clinic_id is None or not actor.may(Action.VIEW_HEALTH):
        return None
    return open_alert_count(actor.clinic_id)
