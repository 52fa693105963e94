"""The clinic workspace's JSON API: clients and screenings, for signed-in staff only.

Authentication is the staff session of the web pages (cookie, second factor passed) and every
unsafe method needs the CSRF token, as on the pages. Permission, tenancy and audit are the use
cases' own: the API adds nothing and skips nothing. A record of another clinic is 404, exactly as
an id that does not exist. Times carry the offset of the clinic's time zone (:data:`ClinicTime`).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Literal, cast

import orjson
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.security import SessionAuth
from pydantic import BaseModel, ConfigDict, Field

from needlewise import bootstrap
from needlewise.api.error_words import in_error_lang, line, said
from needlewise.api.responses import error_response
from needlewise.api.schemas import AssessmentOut, ClinicTime, ErrorOut, LangName, RowId, TierName
from needlewise.api.statuses import status_of
from needlewise.clinic.access.actor import Actor
from needlewise.clinic.clients import client_form, clients
from needlewise.clinic.contact import consent_to_contact
from needlewise.clinic.records import screenings
from needlewise.domain.disposition import Disposition
from needlewise.domain.statuses import ContactMethod
from needlewise.domain.tier import Tier
from needlewise.domain.vocabulary import Lang
from needlewise.edge.request_actor import actor_of
from needlewise.errors import ClinicError, InvalidInputError, LikelyDuplicateError, Problem, ProfileError
from needlewise.reports.staff import staff_screening

if TYPE_CHECKING:
    from needlewise.storage.models import Client

#: Text that may reach a database query: no NUL character (PostgreSQL refuses it in text; 422, not 500).
NO_NUL = r"^[^\x00]*$"
CLINIC_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class StaffSession(SessionAuth):
    """The web pages' staff session; the request acts as its verified staff member."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Actor | None:
        """The acting staff member, or None (401)."""
        del key
        return actor_of(request)


router = Router(auth=StaffSession(), tags=["clinic"])


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, str_max_length=5000)


@client_form.api_fields
class ClientIn(_In):
    """A client's details: the client form's fields (``client_form.ClientFields``); any other field is refused."""


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")  # the document says so: no field beyond those listed


class ClientOut(_Out):
    """A client as staff see them."""

    id: int
    given_name: str
    family_name: str
    birth_date: date
    phone: str
    email: str
    language: LangName
    archived: bool
    created_at: ClinicTime


class DispositionOut(_Out):
    """The screening as staff read it: a stable code and its words (in the request's ``lang``)."""

    code: Literal["ok_to_treat", "treat_with_precautions", "provider_clearance", "do_not_treat"]
    label: str

    @classmethod
    def of(cls, disposition: Disposition, lang: Lang) -> DispositionOut:
        """The API form of ``disposition``."""
        return cls(code=disposition.value, label=disposition.label(lang))


class ScreeningSummaryOut(_Out):
    """One screening in a client's history."""

    id: int
    created_at: ClinicTime
    tier: TierName
    disposition: DispositionOut
    kb_version: str
    source: Literal["staff", "consumer_request"]


class StatusOut(_Out):
    """Whether treatment may be planned: the latest tier and any valid provider clearance."""

    tier: TierName | None
    disposition: DispositionOut | None
    needs_clearance: bool
    blocked: bool
    cleared_until: date | None


class ClientRecordOut(_Out):
    """A client, with their screening status and history for clinical roles (null for the front desk)."""

    client: ClientOut
    status: StatusOut | None
    screenings: list[ScreeningSummaryOut] | None


class ScreeningOut(_Out):
    """A stored screening with the full assessment."""

    id: int
    client_id: int
    created_at: ClinicTime
    tier: TierName
    disposition: DispositionOut
    kb_version: str
    kb_hash: str
    assessment: AssessmentOut


def client_out(client: Client) -> ClientOut:
    """A client as the API shows them."""
    return ClientOut(
        id=client.pk,
        given_name=client.given_name,
        family_name=client.family_name,
        birth_date=client.birth_date,
        phone=client.phone,
        email=client.email,
        language=cast("LangName", client.language),
        archived=client.archived_at is not None,
        created_at=client.created_at,
    )


def clinic_error(request: HttpRequest, error: ClinicError | ProfileError) -> HttpResponse:
    """The API's error object for a refused clinic request (installed as the API's exception handler).

    Its texts are in the language asked (:func:`~needlewise.api.error_words.error_lang`).
    """
    entry = status_of(error)
    with in_error_lang(request):
        problems = said(error.problems)
        if isinstance(error, ProfileError):
            message = _("The profile is not valid: %(problem)s") % {"problem": line(problems[0])}
            return error_response(entry.status, entry.code, message, problems)
        if isinstance(error, InvalidInputError | LikelyDuplicateError):
            return error_response(entry.status, entry.code, line(problems[0]), problems)
        return error_response(entry.status, entry.code, problems[0].message)


def _actor(request: HttpRequest) -> Actor:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    return actor


@router.get("/clients", response={200: list[ClientOut], **CLINIC_ERRORS}, summary="Find clients")
def find_clients(
    request: HttpRequest,
    q: Annotated[str, Field(pattern=NO_NUL)] = "",
    birth_date: date | None = None,
    phone: str = "",
    archived: bool = False,
) -> list[ClientOut]:
    """Up to 50 clients of your clinic: each word of ``q`` starts a word of either name; birth date; phone digits.

    ``phone`` matches any run of the digits of a client's phone number (spaces and marks ignored).
    """
    query = clients.SearchQuery(text=q[:200], birth_date=birth_date, phone=phone[:40], include_archived=archived)
    return [client_out(c) for c in clients.search(_actor(request), query)]


@router.post("/clients", response={201: ClientOut, **CLINIC_ERRORS}, summary="Add a client")
def add_client(request: HttpRequest, body: ClientIn) -> Status[ClientOut]:
    """Add a client to your clinic.

    A client who may already be on file (the same date of birth and a name in common, or the same
    phone number or e-mail address) is 409, each possible match a problem naming them (id, name,
    date of birth), unless ``confirm_new_person`` is true. ``agrees_email`` and ``agrees_sms`` record
    the client's consent to be contacted on those channels, as said in person to you.
    """
    details, confirmed, agreed = client_form.entered(body.model_dump())
    created = clients.create(_actor(request), details, warn_duplicates=not confirmed)
    for channel in agreed:  # said in person to you
        consent_to_contact.record(_actor(request), created.pk, channel, granted=True, method=ContactMethod.IN_PERSON)
    return Status(201, client_out(created))


@router.get("/clients/{client_id}", response={200: ClientRecordOut, **CLINIC_ERRORS}, summary="A client's record")
def get_client(request: HttpRequest, client_id: RowId, lang: LangName = "en") -> ClientRecordOut:
    """The client with their screening status and history (health data for clinical roles only)."""
    record = screenings.client_record(_actor(request), client_id)
    words = Lang(lang)
    if record.status is None:
        return ClientRecordOut(client=client_out(record.client), status=None, screenings=None)
    status = record.status
    return ClientRecordOut(
        client=client_out(record.client),
        status=StatusOut(
            tier=status.tier.value if status.tier else None,
            disposition=DispositionOut.of(Disposition.of_tier(status.tier), words) if status.tier else None,
            needs_clearance=status.needs_clearance,
            blocked=status.blocked,
            cleared_until=status.clearance.expires_on if status.clearance else None,
        ),
        screenings=[
            ScreeningSummaryOut(
                id=s.pk,
                created_at=s.created_at,
                tier=s.tier,
                disposition=DispositionOut.of(Disposition.of_tier(Tier(s.tier)), words),
                kb_version=s.kb_version,
                source=s.source,
            )
            for s in record.screenings
        ],
    )


@router.post(
    "/clients/{client_id}/screenings",
    response={201: ScreeningOut, **CLINIC_ERRORS},
    by_alias=True,
    summary="Screen a client",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Profile"}}},
        },
    },
)
def screen_client(
    request: HttpRequest, client_id: RowId, lang: Literal["en", "es"] = "en"
) -> Status[ScreeningOut] | HttpResponse:
    """Assess a profile (v2 or v1, setting ``clinic``) for the client and store it as a screening."""
    try:
        profile = orjson.loads(request.body)
    except orjson.JSONDecodeError as error:
        entry = status_of(InvalidInputError)
        problem = Problem("(body)", str(error))
        with in_error_lang(request):
            message = _("the body is not JSON: %(error)s") % {"error": error}
        return error_response(entry.status, entry.code, message, (problem,))
    kb = bootstrap.knowledge_base()
    screening = screenings.record(_actor(request), client_id=client_id, profile=profile, kb=kb, lang=Lang(lang))
    document = screenings.get(_actor(request), screening.pk)[1]
    out = ScreeningOut(
        id=screening.pk,
        client_id=screening.client_id,
        created_at=screening.created_at,
        tier=screening.tier,
        disposition=DispositionOut.of(staff_screening(document, kb, Lang(lang)).disposition, Lang(lang)),
        kb_version=screening.kb_version,
        kb_hash=screening.kb_hash,
        assessment=AssessmentOut.model_validate(document),
    )
    return Status(201, out)
