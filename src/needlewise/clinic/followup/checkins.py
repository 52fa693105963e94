"""Post-treatment check-ins: scheduled for the days after a session, the client's answers, alerts.

Each check-in has a private link and a short code for paper (:mod:`.checkin_tokens`), either of which
opens it without signing in; the client answers there. A check-in may be answered before its due date
(people answer when they notice something); it is answered once, and a later change is a call to the
clinic. Every question of the day is answered yes, no or not sure (none is ever read as "no"); a "not
sure" is triaged as "yes". Any answer whose triage is not the expected course opens an alert for the
clinic's practitioners. The answers are stored as ``{"yes": [...], "no": [...], "not_sure": [...]}``
(those stored before "not sure" existed have no ``not_sure``: :mod:`.checkin_answers`). Rate limiting
of the public link is left to the reverse proxy (tokens are 256-bit, so guessing is not a concern;
flooding is); an address that tries too many unknown links is refused for a while.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from needlewise.clinic.access.actor import Actor
from needlewise.clinic.audit import log as audit_log
from needlewise.clinic.followup import short_links, staff_alerts
from needlewise.clinic.followup.checkin_answers import answer_problems, stored_answers
from needlewise.clinic.followup.checkin_tokens import by_token, link_token, token_digest
from needlewise.clinic.followup.staff_alerts import StaffAlertMail
from needlewise.clinic.local_time import ClinicClock, clock_of
from needlewise.clinic.records import record_digests
from needlewise.clinic.sign_in import attempts
from needlewise.domain.contact import Contact
from needlewise.domain.statuses import AlertStatus
from needlewise.domain.treatment import Answer, Triage
from needlewise.domain.vocabulary import Lang
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.engine.treatment import triage_answers
from needlewise.engine.treatment_knowledge import CheckinQuestion
from needlewise.errors import N_, ConflictError, InvalidInputError, NotFoundError, Problem, TooManyAttemptsError
from needlewise.storage.models import CheckIn, Clinic, TreatmentSession

ALERT_OPEN, ALERT_NONE, ALERT_ACKNOWLEDGED = (
    AlertStatus.OPEN.value,
    AlertStatus.NONE.value,
    AlertStatus.ACKNOWLEDGED.value,
)


def session_day(session: TreatmentSession, clock: ClinicClock) -> date:
    """The session's date on the clinic's calendar (check-in days are counted from it)."""
    return clock.day_of(session.performed_at)


def schedule(session: TreatmentSession, kb: KnowledgeBase, lang: Lang) -> list[CheckIn]:
    """One check-in per day of ``kb.treatment.checkin.days`` after ``session``, in ``lang``.

    Day 1 is the clinic's calendar day after the session's (a session at 23:30 in New York is on
    that day, though it is already the next day in UTC). Called inside the transaction that records
    the session (whose audit row covers these); the token needs the check-in's id, so each row is
    written with a random placeholder digest first.
    """
    made = []
    performed_on = session_day(session, clock_of(session.clinic_id))
    for day in kb.treatment.checkin.days:
        checkin = CheckIn.objects.create(
            clinic_id=session.clinic_id,
            client_id=session.client_id,
            session=session,
            day=day,
            due_on=performed_on + timedelta(days=day),
            lang=lang.value,
            token_digest=f"pending:{secrets.token_hex(16)}",
            short_digest=f"pending:{secrets.token_hex(16)}",
        )
        checkin.token_digest = token_digest(link_token(checkin))
        checkin.short_digest = token_digest(short_links.short_code(checkin))
        checkin.save(update_fields=["token_digest", "short_digest"])
        made.append(checkin)
    return made


@dataclass(frozen=True, slots=True)
class CheckinView:
    """What the client's page shows: the day's questions in the check-in's language, and any answer."""

    checkin_id: int
    day: int
    due_on: date
    lang: Lang
    clinic_name: str
    questions: tuple[CheckinQuestion, ...]
    answered_at: datetime | None
    answers: Mapping[str, Answer]  # each question's id and its answer, once answered (else empty)
    triage: Triage | None
    contact: Contact = field(default_factory=Contact)  # how the client reaches the clinic

    @property
    def answered(self) -> bool:
        """Whether the client has answered already."""
        return self.answered_at is not None

    @property
    def yes_ids(self) -> frozenset[str]:
        """The questions answered "yes"."""
        return frozenset(key for key, said in self.answers.items() if said is Answer.YES)

    @property
    def not_sure_ids(self) -> frozenset[str]:
        """The questions answered "not sure": each was triaged as if "yes"."""
        return frozenset(key for key, said in self.answers.items() if said is Answer.NOT_SURE)


def _view(checkin: CheckIn, clinic: tuple[str, Contact], kb: KnowledgeBase) -> CheckinView:
    questions = kb.treatment.checkin.questions_for(checkin.day)
    answered = checkin.answered_at is not None
    return CheckinView(
        checkin_id=checkin.pk,
        day=checkin.day,
        due_on=checkin.due_on,
        lang=Lang(checkin.lang),
        clinic_name=clinic[0],
        contact=clinic[1],
        questions=questions,
        answered_at=checkin.answered_at,
        answers=stored_answers(checkin.answers, [q.question_id for q in questions]) if answered else {},
        triage=Triage(checkin.triage) if checkin.triage else None,
    )


def _misses(actor: Actor) -> tuple[str, int, int]:
    """The key, limit and window of unknown links tried from the actor's address."""
    limit, window = settings.PUBLIC_LIMITS["checkin_miss"]
    return f"checkin-miss:{actor.ip}", limit, window


def _refuse_guessing(actor: Actor) -> None:
    """TooManyAttemptsError once the address tried too many unknown links in the window."""
    key, limit, window = _misses(actor)
    wait = attempts.wait_seconds(key, limit, window)
    if wait:
        raise TooManyAttemptsError([Problem("checkin", N_("too many unknown links from this address"))], wait)


def _not_found(actor: Actor) -> None:
    """Count an unknown link against the address; audit the first of the window (never the token itself).

    Guessing adds at most one permanent audit row per address and window, and the address is refused
    after ``PUBLIC_LIMITS["checkin_miss"]`` misses (the counts themselves are kept a day).
    """
    key, _, window = _misses(actor)
    with transaction.atomic():
        first = not attempts.in_window(key, window)
        attempts.count(key)
        if first:
            audit_log.record(actor, "not_found", "checkin", outcome="denied", detail={"misses": "first in window"})


def _clinic(clinic_id: int) -> tuple[str, Contact]:
    name, *details = Clinic.objects.values_list("name", "phone", "address", "out_of_hours", "time_zone").get(
        pk=clinic_id
    )
    return name, Contact(*details)


def open_checkin(actor: Actor, token: str, kb: KnowledgeBase) -> CheckinView:
    """The check-in behind a private link (anonymous; the read is recorded); NotFoundError otherwise."""
    _refuse_guessing(actor)
    try:
        with transaction.atomic():
            checkin = by_token(token)
            audit_log.record(
                actor, "read", "checkin", checkin.pk, client_id=checkin.client_id, clinic_id=checkin.clinic_id
            )
            return _view(checkin, _clinic(checkin.clinic_id), kb)
    except NotFoundError:
        _not_found(actor)
        raise


def answer(
    actor: Actor,
    token: str,
    answers: Mapping[str, Answer],
    kb: KnowledgeBase,
    *,
    staff_mail: StaffAlertMail | None = None,
) -> CheckinView:
    """Store the client's answers (each question's id: yes, no or not sure) and their triage; alert if needed.

    Every question of that day's check-in must be answered, and only those (InvalidInputError naming
    ``answers.<id>`` for each one unanswered: never read as "no"); a "not sure" is triaged as "yes". A
    check-in already answered is a ConflictError (the first answer stands: the client is told to call
    the clinic instead). An alert opened is sent to the clinic's practitioners with ``staff_mail`` once
    the answer is committed.
    """
    _refuse_guessing(actor)
    try:
        with transaction.atomic():
            checkin = by_token(token, lock=True)
            asked = [q.question_id for q in kb.treatment.checkin.questions_for(checkin.day)]
            if checkin.answered_at is not None:
                raise ConflictError(
                    [Problem("checkin", N_("this check-in was already answered; call the clinic to tell them more"))]
                )
            problems = answer_problems(asked, answers)
            if problems:
                raise InvalidInputError(problems)
            level = triage_answers(kb.treatment, checkin.day, answers)
            checkin.answers = {
                said.value: sorted(key for key in asked if answers[key] is said)
                for said in (Answer.YES, Answer.NO, Answer.NOT_SURE)
            }
            checkin.answered_at = timezone.now()
            checkin.triage = level.value
            checkin.alert = ALERT_NONE if level is Triage.EXPECTED else ALERT_OPEN
            checkin.save(update_fields=["answers", "answered_at", "triage", "alert"])
            if checkin.alert == ALERT_OPEN and staff_mail is not None:
                staff_alerts.notify(actor, checkin, staff_mail)
            audit_log.record(
                actor,
                "answer",
                "checkin",
                checkin.pk,
                client_id=checkin.client_id,
                clinic_id=checkin.clinic_id,
                detail={"triage": level.value, "digest": record_digests.checkin_digest(checkin.pk)},
            )
            return _view(checkin, _clinic(checkin.clinic_id), kb)
    except NotFoundError:
        _not_found(actor)
        raise
