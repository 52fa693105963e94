"""One way into each kind of clinic record: by its id, within the actor's clinic, or "not found".

Each ``access_<record>`` function fetches one row of the acting person's clinic. Any other id, another
clinic's included, raises the same :class:`~needlewise.errors.NotFoundError` ("no such ... in your
clinic"), so a guess cannot tell another clinic's record from one that does not exist. Use cases run
these inside their guard (:func:`needlewise.clinic.access.guard.use_case`), which records the miss.
``lock`` takes the row's lock for the rest of the transaction (``SELECT ... FOR UPDATE``).
"""

from __future__ import annotations

from typing import TypeVar

from django.db import connections, router
from django.db.models import Model, QuerySet

from needlewise.clinic.access.actor import Actor
from needlewise.errors import CATALOGUE, N_, NotFoundError, Problem
from needlewise.storage.models import (
    AdverseEvent,
    Appointment,
    CheckIn,
    Client,
    Consent,
    ConsentTemplate,
    ConsultationRequest,
    QueuedMessage,
    RecallContact,
    Screening,
    SessionPhoto,
    StaffMember,
    TreatmentPlan,
    TreatmentSession,
)
from needlewise.storage.rows import columns, loaded

M = TypeVar("M", bound=Model)
_CLIENT, _CLIENT_SQL = columns(Client, "client")
#: The client, read on every client page: a fixed statement (an ORM query costs more CPU than it runs).
CLIENT = f"SELECT {_CLIENT_SQL} FROM client WHERE id = %s AND clinic_id = %s"  # noqa: S608 - fixed column names


_CLIENT_WORD = N_("client")


def not_found(where: str, what: str) -> Problem:
    """The problem "no such ``what`` in your clinic", ``what`` a kind of record marked ``N_``."""
    return Problem.worded(where, N_("no such %(what)s in your clinic"), what=what).with_words(what=CATALOGUE)


def _one(rows: QuerySet[M], actor: Actor, pk: int, where: str, what: str) -> M:
    found = rows.filter(pk=pk, clinic_id=actor.clinic_id).first()
    if found is None:
        raise NotFoundError([not_found(where, what)])
    return found


def access_client(actor: Actor, client_id: int, *, lock: bool = False) -> Client:
    """A client of the actor's clinic."""
    if lock:
        return _one(Client.objects.select_for_update(), actor, client_id, "client", _CLIENT_WORD)
    db = router.db_for_read(Client)
    with connections[db].cursor() as cursor:
        cursor.execute(CLIENT, [client_id, actor.clinic_id])
        row = cursor.fetchone()
    if row is None:
        raise NotFoundError([not_found("client", _CLIENT_WORD)])
    return loaded(Client, _CLIENT, row, db)


def access_staff(actor: Actor, staff_id: int) -> StaffMember:
    """A staff member of the actor's clinic, with their account."""
    return _one(StaffMember.objects.select_related("user"), actor, staff_id, "staff", N_("staff member"))


def access_screening(actor: Actor, screening_id: int, *, document: bool = False) -> Screening:
    """A screening of the actor's clinic (with its stored assessment, client and screener if ``document``)."""
    rows = Screening.objects.select_related("document", "client", "ran_by__staff") if document else Screening.objects
    return _one(rows.all(), actor, screening_id, "screening", N_("screening"))


def access_plan(actor: Actor, plan_id: int) -> TreatmentPlan:
    """A treatment plan of the actor's clinic, with its client, author and zones."""
    rows = TreatmentPlan.objects.select_related("client", "created_by__staff").prefetch_related("zones")
    return _one(rows, actor, plan_id, "plan", N_("treatment plan"))


def access_consent_template(actor: Actor, template_id: int) -> ConsentTemplate:
    """A consent version of the actor's clinic, with its author."""
    rows = ConsentTemplate.objects.select_related("created_by__staff")
    return _one(rows, actor, template_id, "consent_template", N_("consent version"))


def access_consent(actor: Actor, consent_id: int, *, files: bool = False) -> Consent:
    """A signed consent of the actor's clinic (its signature image and scan only with ``files``)."""
    rows = Consent.objects.select_related("client", "recorded_by__staff")
    return _one(rows if files else rows.defer("signature_png", "scan"), actor, consent_id, "consent", N_("consent"))


def access_session(actor: Actor, session_id: int, *, details: bool = False) -> TreatmentSession:
    """A treatment session of the actor's clinic, with its client (plan, practitioner and zones if ``details``)."""
    rows = TreatmentSession.objects.select_related("client")
    if details:
        rows = rows.select_related("plan", "practitioner__staff").prefetch_related("zones")
    return _one(rows, actor, session_id, "session", N_("session"))


def access_photo(actor: Actor, photo_id: int) -> SessionPhoto:
    """A session photo of the actor's clinic, with its session."""
    return _one(SessionPhoto.objects.select_related("session"), actor, photo_id, "photo", N_("photo"))


def access_checkin(actor: Actor, checkin_id: int, *, lock: bool = False) -> CheckIn:
    """A check-in of the actor's clinic."""
    rows = CheckIn.objects.select_for_update() if lock else CheckIn.objects.all()
    return _one(rows, actor, checkin_id, "checkin", N_("check-in"))


def access_adverse_event(actor: Actor, event_id: int, *, lock: bool = False) -> AdverseEvent:
    """An adverse event of the actor's clinic, with its client and session."""
    rows = AdverseEvent.objects.select_for_update(of=("self",)) if lock else AdverseEvent.objects.all()
    return _one(rows.select_related("client", "session"), actor, event_id, "adverse_event", N_("adverse event"))


def access_appointment(actor: Actor, appointment_id: int) -> Appointment:
    """An appointment of the actor's clinic, with its client."""
    return _one(Appointment.objects.select_related("client"), actor, appointment_id, "appointment", N_("appointment"))


def access_request(actor: Actor, request_id: int) -> ConsultationRequest:
    """A consultation request sent to the actor's clinic, with its assessment."""
    return _one(ConsultationRequest.objects.select_related("document"), actor, request_id, "request", N_("request"))


def access_recall_contact(actor: Actor, contact_id: int, *, lock: bool = False) -> RecallContact:
    """A recall contact mark of the actor's clinic."""
    rows = RecallContact.objects.select_for_update() if lock else RecallContact.objects.all()
    return _one(rows, actor, contact_id, "recall_contact", N_("recall contact"))


def access_message(actor: Actor, message_id: int, *, lock: bool = False) -> QueuedMessage:
    """A queued message about the actor's clinic (its text is not read)."""
    rows = QueuedMessage.objects.defer("text", "html")
    return _one(rows.select_for_update() if lock else rows, actor, message_id, "message", N_("message"))
