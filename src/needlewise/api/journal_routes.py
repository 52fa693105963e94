"""The home companion journal's JSON API: no account, a private key in the path (returned once).

Each operation parses its input, calls one use case of :mod:`needlewise.services.journal` and writes
the journal's state (:class:`JournalOut`). An unknown key is 404, bad input 422 naming the field;
starting a journal is limited per address (``PUBLIC_LIMITS["journal"]``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Router
from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from needlewise import bootstrap
from needlewise.api.journal_history_schemas import ChangeEntryOut, CheckEntryOut
from needlewise.api.responses import json_response
from needlewise.api.schemas import ErrorOut, FindingOut, KbVersionOut, SourceOut
from needlewise.domain.json_types import JsonValue
from needlewise.domain.vocabulary import Area, DeviceKind, Lang, Product
from needlewise.edge.journal_reminders import deleted, emailed, reminded
from needlewise.errors import N_, NotFoundError, Problem
from needlewise.services import journal
from needlewise.services.journal_calendar import CalendarWords, journal_calendar
from needlewise.services.journal_entries import DeviceEntry, SessionEntry
from needlewise.services.journal_state import JournalView
from needlewise.services.time_zones import time_zone_names

router = Router(tags=["journal"])
ERRORS = {400: ErrorOut, 404: ErrorOut, 409: ErrorOut, 413: ErrorOut, 422: ErrorOut, 429: ErrorOut}
LangParam = Literal["en", "es"]
Key = Annotated[str, Field(min_length=1, max_length=100)]
Confidence = Literal["high", "moderate", "low", "very_low"]
Millimetres = Annotated[float, Field(gt=0, le=5, description="Needle length in mm (not the depth reached).")]
Email = Annotated[
    str,
    Field(
        max_length=journal.MAX_EMAIL,
        pattern=journal.EMAIL.pattern,
        description="For reminders: the day of the next session and of the device's replacement (no health details).",
    ),
]
# The names the server's IANA database knows, listed in the schema; an unknown one is a 422 naming ``time_zone``.
TimeZone = Annotated[
    str,
    WithJsonSchema(
        {
            "type": "string",
            "enum": time_zone_names(),
            "description": "An IANA time zone name (Europe/Madrid, America/Los_Angeles): reminders go at 09:00 there.",
            "examples": ["Europe/Madrid"],
        }
    ),
]
PROFILE_MARK = {"type": "object", "x-profile": True}  # the OpenAPI document refers to the Profile component here
ProfileDocument = Annotated[dict[str, Any], WithJsonSchema(PROFILE_MARK)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class JournalIn(_In):
    """The person's answers (the questionnaire's Profile, read at home) and, optionally, an e-mail for reminders."""

    profile: ProfileDocument
    email: Email | None = None


class RemindersIn(_In):
    """Where the journal's reminders go: an e-mail address, or ``null`` for none (the address is then forgotten).

    ``time_zone``: the IANA zone whose 09:00 the reminders go at (left out: the journal's stays; UTC if none).
    """

    email: Email | None
    time_zone: TimeZone | None = None


class SessionIn(_In):
    """A home session: the day, the needle length, the areas treated, the products applied afterwards."""

    on: date
    needle_mm: Millimetres
    areas: Annotated[list[Area], Field(min_length=1, max_length=10)]
    products: Annotated[list[Product], Field(max_length=10)] = []


class DeviceIn(_In):
    """The device: its kind, needle length (null: not known), the day it was bought (null: not known), uses so far."""

    kind: DeviceKind
    needle_mm: Millimetres | None = None
    bought_on: date | None = None
    uses: Annotated[int, Field(ge=0, le=10_000)] = 0


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IntervalOut(_Out):
    """The interval that sets the next day: the shortest in use for the goals and that needle, not an optimum."""

    days: int
    after_session_on: date
    needle_mm: float
    next_needle_mm_max: float | None = Field(
        description="When a session above home use went longer than home use allows: the next session is one "
        "with a needle of this length or shorter (the day itself stays the one the session actually held sets)."
    )
    confidence: Confidence
    notes: list[str]
    citations: list[str]


class HomeLimitOut(_Out):
    """A session above home use (the latest or the one that sets the next day): what to say first, with why."""

    session_on: date
    needle_mm: float
    needle_over: bool = Field(description="Whether its needle was longer than home use allows (cap_mm).")
    cap_mm: float | None = Field(
        description="The longest needle reasonable at home for its areas and the person's goals (null: none)."
    )
    reasons: list[FindingOut]
    citations: list[str] = Field(description="The sources of the reasons and of the cap, each once.")


class DeviceOut(_Out):
    """The device as recorded, its uses counted on with each logged session."""

    kind: DeviceKind
    needle_mm: float | None
    bought_on: date | None
    uses: int


class ReplacementOut(_Out):
    """When to replace the device: low-confidence figures (no study sets an interval), with their sources."""

    after_uses: int
    uses: int
    uses_left: int
    after_months: int
    replace_on: date | None
    confidence: Confidence
    note: str
    citations: list[str]


class SessionOut(_Out):
    """A logged session and its findings."""

    on: date
    needle_mm: float
    areas: list[Area]
    products: list[Product]
    findings: list[FindingOut]


class PausedOut(_Out):
    """Why the journal is paused: the re-assessment's tier and the findings that raised it (what to do)."""

    tier: Literal["clinic", "medical_review", "stop"]
    reasons: list[FindingOut]


class JournalOut(_Out):
    """The journal's state: findings in the assessment's finding shape, the next reasonable day, the replacement."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    schema_id: Literal["needlewise.journal/1"] = Field(alias="schema")
    created_at: datetime | None
    lang: LangParam
    kb_version: KbVersionOut
    tier: Literal["home_ok", "home_caution", "clinic", "medical_review", "stop"]
    paused: PausedOut | None
    next_session_on: date | None = Field(
        description="The next reasonable day as computed, also when it is already past (then: any day from the "
        "reader's today; the server does not know the reader's time zone, so it does not decide that)."
    )
    interval: IntervalOut | None
    device: DeviceOut | None
    replacement: ReplacementOut | None
    reminders: bool = Field(description="Whether reminders go by e-mail (the address is never returned).")
    time_zone: str | None = Field(
        description="The IANA time zone whose 09:00 reminders go at; null: none chosen, they go at 09:00 UTC."
    )
    sessions: list[SessionOut]
    findings: list[FindingOut]
    checks: list[CheckEntryOut] = Field(description="Every skin check, in the order made.")
    changes: list[ChangeEntryOut] = Field(description='Every "things changed", in the order reported.')
    attention: CheckEntryOut | None = Field(
        description="The worst skin check still in force (stop and watch, seek care now): what to do first until "
        "a check on a later day says the expected course and the person says a doctor has seen them or the signs "
        "have gone (resolved: yes); a later check never clears it otherwise. Meanwhile next_session_on is null."
    )
    home_limits: list[HomeLimitOut] = Field(
        description="Sessions above home use (the latest, the one that sets the next day): first on the page, "
        "before the next day; never do that again at home."
    )
    sources: dict[str, SourceOut]
    disclaimer: str


class JournalCreatedOut(_Out):
    """The journal's private key (shown this once: keep it) and its state."""

    key: str
    journal: JournalOut


def today() -> date:
    """The latest calendar day anywhere (UTC+14): a session logged "today" is never refused as after today."""
    return (datetime.now(UTC) + timedelta(hours=14)).date()


def _lang(lang: LangParam | None) -> Lang | None:
    return Lang(lang) if lang is not None else None


def state_response(view: JournalView, status: int = 200) -> HttpResponse:
    """The journal's state as the response body, never stored by a cache."""
    return json_response(view.to_json(), status=status, headers={"Cache-Control": "no-store"})


@router.post("/journals", response={201: JournalCreatedOut, **ERRORS}, by_alias=True, summary="Start a home journal")
def start(request: HttpRequest, body: JournalIn, lang: LangParam = "en") -> HttpResponse:
    """Start a private journal for a Profile (setting ``home``); the key is returned once, only its digest is kept."""
    del request
    key, view = journal.start_journal(
        bootstrap.journals(), body.profile, bootstrap.knowledge_base(), Lang(lang), body.email
    )
    data: dict[str, JsonValue] = {"key": key, "journal": view.to_json()}
    return json_response(data, status=201, headers={"Cache-Control": "no-store"})


@router.get("/journals/{key}", response={200: JournalOut, **ERRORS}, by_alias=True, summary="Read a home journal")
def read(request: HttpRequest, key: Key, lang: LangParam | None = None) -> HttpResponse:
    """The journal's state, decided again with today's knowledge base (``lang``: the journal's own by default)."""
    del request
    store = bootstrap.journals()
    return state_response(journal.open_journal(store, key, bootstrap.knowledge_base(), _lang(lang)))


@router.delete("/journals/{key}", response={204: None, **ERRORS}, summary="Delete a home journal")
def delete(request: HttpRequest, key: Key) -> HttpResponse:
    """Delete the journal and everything in it, in one step."""
    del request
    if not deleted(key):
        raise NotFoundError([Problem("key", N_("No journal has this link; it may have been deleted."))])
    return HttpResponse(status=204)


@router.post(
    "/journals/{key}/sessions", response={201: JournalOut, **ERRORS}, by_alias=True, summary="Log a home session"
)
def add_session(request: HttpRequest, key: Key, body: SessionIn, lang: LangParam | None = None) -> HttpResponse:
    """Record a session (one logged too soon too: it happened, and a finding says so); the journal's state."""
    entry = SessionEntry(
        body.on, body.needle_mm, frozenset(map(Area, body.areas)), frozenset(map(Product, body.products))
    )
    kb, day = bootstrap.knowledge_base(), today()
    view = reminded(request, key, lambda: journal.log_session(bootstrap.journals(), key, entry, kb, _lang(lang), day))
    return state_response(view, 201)


@router.post("/journals/{key}/device", response={200: JournalOut, **ERRORS}, by_alias=True, summary="Record the device")
def put_device(request: HttpRequest, key: Key, body: DeviceIn, lang: LangParam | None = None) -> HttpResponse:
    """Record the device (a new one replaces the old); the journal's state with when to replace it."""
    device = DeviceEntry(body.kind, body.needle_mm, body.bought_on, body.uses)
    kb, day = bootstrap.knowledge_base(), today()
    view = reminded(
        request, key, lambda: journal.record_device(bootstrap.journals(), key, device, kb, _lang(lang), day)
    )
    return state_response(view)


@router.put(
    "/journals/{key}/reminders",
    response={200: JournalOut, **ERRORS},
    by_alias=True,
    summary="Set the reminders' e-mail",
)
def put_reminders(request: HttpRequest, key: Key, body: RemindersIn, lang: LangParam | None = None) -> HttpResponse:
    """Send reminders to ``email`` from now on, or none (``null``: the address is forgotten); the journal's state.

    ``time_zone`` (an IANA name) moves them to 09:00 in that zone, the waiting ones too; an unknown name is a 422.
    """
    return state_response(emailed(request, key, body.email, _lang(lang), body.time_zone))


@router.get(
    "/journals/{key}/calendar.ics",
    response={200: None, **ERRORS},
    summary="The journal's calendar file",
    openapi_extra={
        "responses": {
            "200": {
                "description": "An iCalendar file: the next session day and the replacement day, where known.",
                "content": {"text/calendar": {"schema": {"type": "string"}}},
            }
        }
    },
)
def calendar_file(request: HttpRequest, key: Key, lang: LangParam | None = None) -> HttpResponse:
    """All-day events for the next reasonable session day and the day to replace the device, where known."""
    del request
    view = journal.open_journal(bootstrap.journals(), key, bootstrap.knowledge_base(), _lang(lang))
    with translation.override(view.lang.value):
        words = CalendarWords(
            next_session=_("Microneedling: the next session, not before this day"),
            replace_device=_("Microneedling: replace the device"),
            next_session_note=_(
                "From this day on, not before, you may do your next home microneedling session. "
                "Open your needlewise journal (the private link you kept) to log it."
            ),
            replace_device_note=_(
                "Replace your microneedling device by this day, or sooner once it reaches its number of uses. "
                "Open your needlewise journal (the private link you kept) to record the new one."
            ),
        )
    data = journal_calendar(view, key, words, datetime.now(UTC))
    response = HttpResponse(data, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="needlewise-journal.ics"'
    response["Cache-Control"] = "no-store"
    return response
