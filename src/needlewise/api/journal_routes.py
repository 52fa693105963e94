"""The home companion journal's JSON API: no account, a private key in the path (returned once).

Each operation parses its input (:mod:`needlewise.api.journal_schemas`), calls one use case of
:mod:`needlewise.services.journal` and writes the journal's state
(:class:`~needlewise.api.journal_schemas.JournalOut`). An unknown key is 404, bad input 422 naming the
field; starting a journal is limited per address (``PUBLIC_LIMITS["journal"]``).
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Router

from needlewise import bootstrap
from needlewise.api.journal_schemas import (
    DeviceIn,
    JournalCreatedOut,
    JournalIn,
    JournalOut,
    Key,
    LangParam,
    RemindersIn,
    SessionIn,
)
from needlewise.api.responses import json_response
from needlewise.api.schemas import ErrorOut
from needlewise.domain.json_types import JsonValue
from needlewise.domain.vocabulary import Area, Lang, Product
from needlewise.edge.journal_reminders import deleted, emailed, reminded
from needlewise.errors import N_, NotFoundError, Problem
from needlewise.services import journal
from needlewise.services.journal_calendar import CalendarWords, journal_calendar
from needlewise.services.journal_entries import DeviceEntry, SessionEntry, latest_today
from needlewise.services.journal_state import JournalView

router = Router(tags=["journal"])
ERRORS = {400: ErrorOut, 404: ErrorOut, 409: ErrorOut, 413: ErrorOut, 422: ErrorOut, 429: ErrorOut}


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
    kb, day = bootstrap.knowledge_base(), latest_today()
    view = reminded(request, key, lambda: journal.log_session(bootstrap.journals(), key, entry, kb, _lang(lang), day))
    return state_response(view, 201)


@router.post("/journals/{key}/device", response={200: JournalOut, **ERRORS}, by_alias=True, summary="Record the device")
def put_device(request: HttpRequest, key: Key, body: DeviceIn, lang: LangParam | None = None) -> HttpResponse:
    """Record the device (a new one replaces the old); the journal's state with when to replace it."""
    device = DeviceEntry(body.kind, body.needle_mm, body.bought_on, body.uses)
    kb, day = bootstrap.knowledge_base(), latest_today()
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
