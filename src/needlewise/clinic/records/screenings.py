"""Screening clients with the engine, the client's current status, and providers' clearances.

A screening keeps the answers (Profile v1), the full assessment as the client saw it, the knowledge
base version and content hash, and who ran it. Assessments are stored once per distinct content
(digest-addressed): identical answers under the same knowledge base give the identical document.
A ``medical_review`` or ``stop`` result blocks treatment until a provider records a clearance with a
reason, a date and an expiry; nothing else lifts it.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Annotated

import orjson
from django.db import IntegrityError, connections, router, transaction
from pydantic import AfterValidator, BaseModel, ConfigDict

from needlewise.clinic import forms
from needlewise.clinic.access import break_glass
from needlewise.clinic.access.actor import Actor
from needlewise.clinic.access.guard import use_case
from needlewise.clinic.access.tenancy import access_client, access_screening
from needlewise.clinic.audit import log as audit_log
from needlewise.clinic.forms import PostedDay
from needlewise.clinic.local_time import clock_of
from needlewise.clinic.records import history_rows, record_digests
from needlewise.domain.assessment import Assessment
from needlewise.domain.json_types import JsonValue
from needlewise.domain.permissions import Action
from needlewise.domain.tier import Tier
from needlewise.domain.vocabulary import Lang, Setting
from needlewise.engine.evaluate import assess
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.errors import N_, ConflictError, InvalidInputError, Problem
from needlewise.services.profiles import parse_profile
from needlewise.storage.models import AssessmentDocument, Clearance, Client, Screening
from needlewise.storage.rows import loaded

NEEDS_CLEARANCE = frozenset({Tier.MEDICAL_REVIEW, Tier.STOP})
MAX_CLEARANCE_DAYS = 365
HISTORY_LIMIT = 20
CLEARANCE_LIMIT = 20
LATEST_DOCUMENT = "SELECT id, body FROM assessment_document WHERE id = %s"


def store_document(body: dict[str, JsonValue]) -> AssessmentDocument:
    """The stored document with this content, added if new (safe under concurrent writers)."""
    digest = hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()
    found = AssessmentDocument.objects.filter(digest=digest).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return AssessmentDocument.objects.create(digest=digest, body=body)
    except IntegrityError:  # another writer stored it first
        return AssessmentDocument.objects.get(digest=digest)


def clinic_assessment(profile: dict[str, JsonValue], kb: KnowledgeBase, lang: Lang) -> Assessment:
    """Assess a Profile v1 document in the clinic setting; InvalidInputError names a bad field."""
    parsed = parse_profile(profile)
    if parsed.setting is not Setting.CLINIC:
        raise InvalidInputError([Problem("setting", N_("a clinic screening must be answered for the clinic setting"))])
    return assess(parsed, kb, lang)


@use_case(Action.SCREEN_CLIENTS, "screening", client="client_id", missing="client")
def record(  # noqa: PLR0913 - one screening's facts
    actor: Actor,
    *,
    client_id: int,
    profile: dict[str, JsonValue],
    kb: KnowledgeBase,
    lang: Lang,
    source: str = "staff",
) -> Screening:
    """Screen a client: run the engine on their answers and keep everything needed to replay it."""
    assessment = clinic_assessment(profile, kb, lang)
    client = access_client(actor, client_id)
    if client.archived_at is not None:
        raise ConflictError([Problem("client", N_("this client is archived; restore them before screening"))])
    return _add_screening(
        actor, clinic_id=actor.staff_clinic_id, client=client, profile=profile, assessment=assessment, source=source
    )


def _add_screening(  # noqa: PLR0913 - one screening's facts
    actor: Actor,
    *,
    clinic_id: int,
    client: Client,
    profile: dict[str, JsonValue],
    assessment: Assessment,
    source: str,
) -> Screening:
    """Store an assessed screening and its audit row (inside the caller's transaction)."""
    document = store_document(assessment.to_json())
    screening = Screening.objects.create(
        clinic_id=clinic_id,
        client=client,
        ran_by_id=actor.staff_user_id,
        lang=str(assessment.lang),
        profile=profile,
        kb_version=assessment.kb_version.version,
        kb_hash=assessment.kb_version.content_hash,
        tier=assessment.tier.value,
        document=document,
        source=source,
    )
    detail: dict[str, object] = {"tier": screening.tier, "digest": record_digests.screening_digest(screening.pk)}
    audit_log.record(actor, "create", "screening", screening.pk, client_id=client.pk, detail=detail)
    return screening


@dataclass(frozen=True, slots=True)
class ClientStatus:
    """What the client page shows first: the latest screening and whether treatment may go ahead."""

    latest: Screening | None
    clearance: Clearance | None
    today: date

    @property
    def tier(self) -> Tier | None:
        """The latest screening's tier, if screened."""
        return Tier(self.latest.tier) if self.latest else None

    @property
    def needs_clearance(self) -> bool:
        """Whether the latest result needs a provider's clearance."""
        return self.tier in NEEDS_CLEARANCE

    @property
    def blocked(self) -> bool:
        """Whether treatment is blocked: never screened, or a result needing a clearance without a valid one."""
        return self.latest is None or (self.needs_clearance and self.clearance is None)


@dataclass(frozen=True, slots=True)
class ClientRecord:
    """Everything the client page shows: details, status, recent screenings and clearances."""

    client: Client
    status: ClientStatus | None
    screenings: list[Screening]
    clearances: list[Clearance]


def _valid_clearance(screening: Screening, today: date) -> Clearance | None:
    return (
        Clearance.objects.filter(screening=screening, cleared_on__lte=today, expires_on__gte=today)
        .select_related("provider__staff")
        .order_by("-expires_on")
        .first()
    )


def _current_clearance(latest: Screening | None, recent: list[Clearance], today: date) -> Clearance | None:
    """The latest screening's valid clearance, from the recent ones shown anyway when it is among them."""
    if latest is None:
        return None
    valid = [c for c in recent if c.screening_id == latest.pk and c.cleared_on <= today <= c.expires_on]
    if valid:
        return max(valid, key=lambda c: c.expires_on)
    return _valid_clearance(latest, today) if len(recent) == CLEARANCE_LIMIT else None


def _history(client: Client, *, document: bool) -> list[Screening]:
    """The client's recent screenings, newest first, without their answers (``profile``: deferred).

    With ``document``, the newest one comes with its assessment document (``id`` and ``body``), read
    here with one fixed statement rather than lazily by the page that shows it.
    """
    rows = history_rows.history(client.pk, HISTORY_LIMIT)
    if rows and document:
        latest = rows[0]
        db = router.db_for_read(AssessmentDocument)
        with connections[db].cursor() as cursor:
            cursor.execute(LATEST_DOCUMENT, [latest.document_id])
            latest.document = loaded(AssessmentDocument, ("id", "body"), cursor.fetchone(), db)
    return rows


@use_case(Action.VIEW_CLIENTS, "client", record="client_id", client="client_id", missing="client")
def client_record(actor: Actor, client_id: int, *, document: bool = False) -> ClientRecord:
    """The client page: details for all staff; screenings and clearances only for clinical roles.

    The screenings' answers are not read; with ``document``, the latest one's assessment is (its
    ``document``), for a page that shows it.
    """
    client = access_client(actor, client_id)
    emergency = None if actor.may(Action.VIEW_HEALTH) else break_glass.open_until(actor.staff_user_id, client.pk)
    if not actor.may(Action.VIEW_HEALTH) and emergency is None:
        audit_log.record(actor, "read", "client", client.pk, client_id=client.pk)
        return ClientRecord(client, None, [], [])
    today = clock_of(actor.staff_clinic_id, actor.time_zone).today()  # clearances: by the clinic's calendar day
    screenings = _history(client, document=document)
    latest = screenings[0] if screenings else None
    clearances = history_rows.clearances(client.pk, CLEARANCE_LIMIT)
    clearance = _current_clearance(latest, clearances, today)
    detail: dict[str, object] = {"health": True}
    if emergency is not None:  # flagged: read under a break-glass opening
        detail["break_glass"] = emergency.pk
    audit_log.record(actor, "read", "client", client.pk, client_id=client.pk, detail=detail)
    return ClientRecord(client, ClientStatus(latest, clearance, today), screenings, clearances)


@use_case(Action.VIEW_HEALTH, "screening", record="screening_id", missing="screening")
def get(actor: Actor, screening_id: int) -> tuple[Screening, dict[str, JsonValue]]:
    """One screening of the actor's clinic with its stored assessment (the read is recorded)."""
    screening = access_screening(actor, screening_id, document=True)
    audit_log.record(actor, "read", "screening", screening.pk, client_id=screening.client_id)
    body = screening.document.body
    assert isinstance(body, dict)  # noqa: S101 - only store_document writes documents, always objects
    return screening, body


@dataclass(frozen=True, slots=True)
class ClearanceForm:
    """A provider's documented decision (dates None when not given as dates)."""

    reason: str
    cleared_on: date | None
    expires_on: date | None


def _documented(reason: str) -> str:
    if len(reason.strip()) < 20:  # noqa: PLR2004 - a documented reason, not a tick
        forms.fail(N_("give the clinical reason in at least 20 characters"))
    return reason


class ClearanceFields(BaseModel):
    """Every field the clearance form posts (read into a :class:`ClearanceForm`).

    The dates are checked against today and each other by :func:`clear`.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    reason: Annotated[str, AfterValidator(_documented)]
    cleared_on: PostedDay
    expires_on: PostedDay


@use_case(Action.SCREEN_CLIENTS, "screening", client="client_id", missing="client", audited=False)
def require_screener(actor: Actor, client_id: int) -> None:
    """Refuse (and record) roles that do not screen, and clients not of this clinic, at every step."""
    access_client(actor, client_id)


@use_case(Action.RECORD_CLEARANCE, "clearance", record="screening_id", audited=False)
def require_clearance_role(actor: Actor, screening_id: int) -> None:
    """Refuse (and record) anyone but a provider before they even see the clearance form."""


@use_case(Action.RECORD_CLEARANCE, "clearance", record="screening_id", missing="screening")
def clear(actor: Actor, screening_id: int, form: ClearanceForm) -> Clearance:
    """Record a provider's clearance of a ``medical_review`` or ``stop`` screening (providers only)."""
    today = clock_of(actor.staff_clinic_id).today()
    problems: list[Problem] = []
    forms.parse(ClearanceFields, asdict(form), problems)
    if form.cleared_on is None or not today - timedelta(days=30) <= form.cleared_on <= today:
        problems.append(Problem("cleared_on", N_("the clearance date must be within the last 30 days")))
    if form.expires_on is None or form.cleared_on is None or form.expires_on < form.cleared_on:
        problems.append(Problem("expires_on", N_("the expiry must be on or after the clearance date")))
    elif form.expires_on > form.cleared_on + timedelta(days=MAX_CLEARANCE_DAYS):
        problems.append(
            Problem.worded("expires_on", N_("a clearance lasts at most %(days)s days"), days=str(MAX_CLEARANCE_DAYS))
        )
    if problems:
        raise InvalidInputError(problems)
    assert form.cleared_on is not None  # noqa: S101 - checked above
    assert form.expires_on is not None  # noqa: S101 - checked above
    screening = access_screening(actor, screening_id)
    if Client.objects.filter(pk=screening.client_id, archived_at__isnull=False).exists():
        raise ConflictError([Problem("client", N_("this client is archived; restore them before clearing a result"))])
    if Tier(screening.tier) not in NEEDS_CLEARANCE:
        raise ConflictError([Problem("screening", N_("only a medical_review or stop result needs a clearance"))])
    clearance = Clearance.objects.create(
        clinic_id=actor.staff_clinic_id,
        client_id=screening.client_id,
        screening=screening,
        provider_id=actor.staff_user_id,
        reason=form.reason.strip(),
        cleared_on=form.cleared_on,
        expires_on=form.expires_on,
    )
    audit_log.record(
        actor,
        "create",
        "clearance",
        clearance.pk,
        client_id=screening.client_id,
        detail={"screening": screening.pk, "expires_on": form.expires_on.isoformat()},
    )
    return clearance
