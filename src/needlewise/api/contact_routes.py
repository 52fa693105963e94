"""The clinic API's consent to contact: what a client said per channel, and recording a new answer.

Same staff session, permission (``edit_clients``), tenancy and audit as the client page: the use
cases decide. A client of another clinic is 404, as an id that does not exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, cast

from django.http import HttpRequest
from ninja import Router, Status
from pydantic import BaseModel, ConfigDict, Field

from needlewise.api.clinic_routes import CLINIC_ERRORS, StaffSession
from needlewise.api.schemas import ClinicTime, RowId
from needlewise.clinic.access.actor import Actor
from needlewise.clinic.contact import answers, consent_to_contact
from needlewise.domain.statuses import Channel, ContactMethod

if TYPE_CHECKING:
    from needlewise.storage.models import ContactConsent

router = Router(auth=StaffSession(), tags=["clinic"])

ChannelName = Literal["email", "sms"]
MethodName = Literal["in_person", "on_paper", "by_phone", "by_email", "unsubscribe_link", "sms_keyword"]
StaffMethodName = Literal["in_person", "on_paper", "by_phone", "by_email"]


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")  # the document says so: no field beyond those listed


class ContactAnswerOut(_Out):
    """One answer: the channel, agreed or not, how, when, and the staff member who recorded it (null: the client)."""

    id: int
    channel: ChannelName
    granted: bool
    method: MethodName
    recorded_at: ClinicTime
    recorded_by: str | None


class ChannelStandingOut(_Out):
    """What stands for one channel: agreed or not, and the answer that says so (null: never asked)."""

    channel: ChannelName
    granted: bool
    answer: ContactAnswerOut | None


class ContactConsentOut(_Out):
    """What stands for each channel, and every answer, newest first."""

    standing: list[ChannelStandingOut]
    history: list[ContactAnswerOut]


class ContactConsentIn(BaseModel):
    """What the client told you: the channel, whether they agree, and how they said it."""

    model_config = ConfigDict(extra="forbid", strict=True)

    channel: ChannelName
    granted: bool
    method: StaffMethodName = Field(description="How the client said it to you.")


def _answer(row: ContactConsent) -> ContactAnswerOut:
    by = row.recorded_by.staff.display_name if row.recorded_by is not None else None
    return ContactAnswerOut(
        id=row.pk,
        channel=cast("ChannelName", row.channel),
        granted=row.granted,
        method=cast("MethodName", row.method),
        recorded_at=row.recorded_at,
        recorded_by=by,
    )


def _actor(request: HttpRequest) -> Actor:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    return actor


def _out(request: HttpRequest, client_id: int) -> ContactConsentOut:
    found = answers.read(_actor(request), client_id)
    return ContactConsentOut(
        standing=[
            ChannelStandingOut(
                channel=say.channel.value,
                granted=say.granted,
                answer=_answer(say.row) if say.row is not None else None,
            )
            for say in found.standing
        ],
        history=[_answer(row) for row in found.history],
    )


@router.get(
    "/clients/{client_id}/contact-consent",
    response={200: ContactConsentOut, **CLINIC_ERRORS},
    summary="A client's consent to be contacted",
)
def get_contact_consent(request: HttpRequest, client_id: RowId) -> ContactConsentOut:
    """Whether the client agrees to be contacted by e-mail and by SMS, since when, recorded by whom and how."""
    return _out(request, client_id)


@router.post(
    "/clients/{client_id}/contact-consent",
    response={201: ContactConsentOut, **CLINIC_ERRORS},
    summary="Record a client's consent to be contacted",
)
def record_contact_consent(request: HttpRequest, client_id: RowId, body: ContactConsentIn) -> Status[ContactConsentOut]:
    """Record what the client told you about being contacted on one channel; the answer then stands."""
    channel, method = Channel(body.channel), ContactMethod(body.method)
    consent_to_contact.record(_actor(request), client_id, channel, granted=body.granted, method=method)
    return Status(201, _out(request, client_id))
