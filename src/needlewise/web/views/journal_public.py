"""The home journal's pages: no account, the private link is the key (shown once, when it is started).

Every page is ``no-store`` and ``noindex`` (it carries health answers). The forms post without
JavaScript; bad input re-renders the page with ``422``, each error at its field and in a summary at the
top; an unknown link is ``404``. The views call the use cases of :mod:`needlewise.services.journal`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar, cast

import orjson
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_http_methods, require_safe

from needlewise import bootstrap
from needlewise.domain.json_types import JsonValue
from needlewise.domain.vocabulary import Lang
from needlewise.edge.journal_reminders import reminded
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.errors import ConflictError, InvalidInputError, NotFoundError, ProfileError
from needlewise.reports.numbers import for_readers
from needlewise.services import journal, journal_checks
from needlewise.services.journal_changes import Changes, record_changes
from needlewise.services.journal_checks import RESOLVE_QUESTION
from needlewise.services.journal_entries import latest_today
from needlewise.services.journal_history import Hold, hold_of
from needlewise.services.journal_state import JournalView
from needlewise.services.ports import Journals
from needlewise.services.time_zones import today_in, zone_choices
from needlewise.web.journal_findings import earlier_findings
from needlewise.web.journal_forms import (
    Errors,
    answer_field,
    problems_to_errors,
    read_changes,
    read_check,
    read_device,
    read_resolved,
    read_session,
    values_of,
)
from needlewise.web.journal_start_form import FIELD, new_once, start_from_form
from needlewise.web.views.common import knowledge, lang_of, render, say
from needlewise.web.views.journal_lines import check_lines, earlier_words, session_lines
from needlewise.web.views.journal_return import journal_form, on_journal_clock, private_page, shown_after, to_journal
from needlewise.web.views.questionnaire import interview_from, remember_language, switch_language

FORMS = ("session", "device", "skin")
E = TypeVar("E")


def missing(request: HttpRequest) -> HttpResponse:
    """``404``: no journal has this link (never had, or it was deleted); a way to start again."""
    return private_page(render(request, "journal_missing.html", {}, status=404))


def opened(request: HttpRequest, token: str) -> JournalView | None:
    """The journal with this link, or ``None`` where there is none (the caller answers :func:`missing`)."""
    try:
        return journal.open_journal(bootstrap.journals(), token, knowledge(), lang_of(request))
    except NotFoundError:
        return None


def _skin_day(view: JournalView) -> int:
    """Days since the latest session (at least 1), today on the journal's clock: the check-in questions of that day."""
    if not view.sessions:
        return 1
    latest = max(s.entry.on for s in view.sessions)
    return max((today_in(view.time_zone) - latest).days, 1)


def _check_day(view: JournalView) -> date:
    """The person's day for a skin check: today on the journal's clock, or the latest session's day if later."""
    return max([today_in(view.time_zone), *(s.entry.on for s in view.sessions)])


def _resolve(view: JournalView) -> Hold | None:
    """The worrying outcome in force from an earlier day than the check's: then the check asks if it is resolved."""
    held = hold_of([c.entry for c in view.checks])
    return held if held is not None and _check_day(view) > held.since else None


def _page(
    request: HttpRequest, token: str, view: JournalView, extra: dict[str, Any], status: int = 200
) -> HttpResponse:
    kb, today = knowledge(), today_in(view.time_zone)  # the person's day, on the journal's clock
    day = _skin_day(view)
    posted = request.POST if extra.get("form") in {"session", "changed"} else None
    earlier = earlier_findings(view)
    context = {
        "token": token,
        "after_on": date.fromordinal(view.next_session.after.on) if view.next_session is not None else None,
        "today_iso": today.isoformat(),
        "limit_on": [date.fromordinal(limit.session.on) for limit in view.limits],
        "next_passed": view.next_session_on is not None and view.next_session_on < today,
        "chosen_areas": posted.getlist("areas") if posted is not None else [],
        "chosen_products": posted.getlist("products") if posted is not None else [],
        "answers": {},
        "not_sure": (),
        "values_pregnant": request.POST.get("pregnant") == "yes",
        "now": Changes.of(view.document),
        "chosen_skin": posted.getlist("skin_now") if posted is not None else None,
        "chosen_medications": posted.getlist("medications") if posted is not None else None,
        "view": view,
        "assessment": for_readers(view.assessment),
        "earlier_findings": earlier,
        "earlier_dates": earlier_words(earlier),
        "session_lines": session_lines(view, kb),
        "check_lines": check_lines(view),
        "questions": kb.treatment.checkin.questions_for(day),
        "resolve": _resolve(view),
        "resolve_question": RESOLVE_QUESTION,
        "resolved": "",
        "question_labels": {
            answer_field(q.question_id): q.text.in_(lang_of(request)) for q in kb.treatment.checkin.questions
        },
        "skin_citations": kb.treatment.checkin.citations,
        "errors": {},
        "form": None,
        "values": {},
        "saved": None,
        "link": None,
        "skin": None,
        "skin_advice": "",
        **extra,
    }
    with on_journal_clock(view):  # a change's time, the day a referral was sent: on the person's clock
        return private_page(render(request, "journal.html", context, status=status))


@require_http_methods(["GET", "HEAD", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    """From a result: ask for the optional e-mail first; with ``start`` posted, make the journal, go to its link.

    A GET (a reload or a bookmark of this address) has no answers: the questions start again.
    """
    if request.method != "POST":
        return HttpResponseRedirect(reverse("assess"), status=303)
    code = switch_language(request)  # the e-mail step's switcher posts the answers back with the language
    return remember_language(_start(request), code)


def _start(request: HttpRequest) -> HttpResponse:
    try:
        interview = interview_from(request.POST)
    except ProfileError as damaged:
        return render(request, "error.html", {"status": 400, "message": say(damaged.first)}, status=400)
    state = orjson.dumps(interview.to_state()).decode()
    posted = request.POST.get(FIELD, "") if "start" in request.POST else ""
    context: dict[str, Any] = {
        "state": state,
        "errors": {},
        "values": values_of(request.POST),
        "zones": zone_choices(),
        "once": posted or new_once(),  # the one-time token: a second post of this form starts no second journal
    }
    if "start" not in request.POST:
        return private_page(render(request, "journal_new.html", context))
    email = request.POST.get("email", "").strip() or None
    zone = (request.POST.get("time_zone", "").strip() or None) if email is not None else None  # the reminders'
    try:
        token = start_from_form(posted, cast("dict[str, JsonValue]", interview.document), lang_of(request), email, zone)
    except ConflictError as again:
        # Too old, or its journal was deleted since: the page again with a fresh token, to start again.
        context |= {"errors": problems_to_errors(again.problems), "once": new_once()}
        return private_page(render(request, "journal_new.html", context, status=409))
    except (InvalidInputError, ProfileError) as invalid:
        context["errors"] = problems_to_errors(invalid.problems)
        return private_page(render(request, "journal_new.html", context, status=422))
    return to_journal(token, started="1")


@require_safe
def page(request: HttpRequest, token: str) -> HttpResponse:
    """The journal: what to do next first, then the device, the findings, the sessions and the forms."""
    view = opened(request, token)
    if view is None:
        return missing(request)
    return _page(request, token, view, shown_after(request, token, view))


def _refused(request: HttpRequest, token: str, form: str, errors: Errors) -> HttpResponse:
    view = opened(request, token)
    if view is None:
        return missing(request)
    return _page(request, token, view, {"errors": errors, "form": form, "values": values_of(request.POST)}, 422)


def _entered(
    request: HttpRequest,
    token: str,
    form: str,
    read: Callable[[QueryDict], tuple[E | None, Errors]],
    act: Callable[[Journals, str, E, KnowledgeBase, Lang | None, date], JournalView],
) -> HttpResponse:
    """Read ``form`` from the request and hand its entry to the use case ``act``; the page, or the form's errors."""
    entry, errors = read(request.POST)
    if entry is None:
        return _refused(request, token, form, errors)
    try:
        reminded(
            request,
            token,
            lambda: act(bootstrap.journals(), token, entry, knowledge(), lang_of(request), latest_today()),
        )
    except NotFoundError:
        return missing(request)
    except InvalidInputError as invalid:
        return _refused(request, token, form, problems_to_errors(invalid.problems))
    return to_journal(token, saved=form)


@journal_form
def session(request: HttpRequest, token: str) -> HttpResponse:
    """Log a home session (one that came too soon too: it happened, and a finding says so)."""
    return _entered(request, token, "session", read_session, journal.log_session)


@journal_form
def device(request: HttpRequest, token: str) -> HttpResponse:
    """Record the device (a new one replaces the old)."""
    return _entered(request, token, "device", read_device, journal.record_device)


@journal_form
def skin(request: HttpRequest, token: str) -> HttpResponse:
    """The day-after skin check: the clinic check-in's red-flag questions and triage, kept in the journal."""
    view = opened(request, token)
    if view is None:
        return missing(request)
    kb = knowledge()
    asked = [q.question_id for q in kb.treatment.checkin.questions_for(_skin_day(view))]
    answers, errors = read_check(request.POST, asked)  # every question answered: none is ever read as "no"
    given = {key: request.POST.get(answer_field(key), "") for key in asked}
    resolved = read_resolved(request.POST, errors) if _resolve(view) is not None else None
    posted = {"answers": given, "resolved": request.POST.get("resolved", "")}
    if answers is None or errors:
        return _page(request, token, view, {"errors": errors, "form": "skin", **posted}, 422)

    def check() -> JournalView:  # a worrying check takes the next session day away: its reminder too
        store, lang = bootstrap.journals(), lang_of(request)
        journal_checks.check_skin(store, token, answers, kb, lang, _check_day(view), latest_today(), None, resolved)
        return journal.open_journal(store, token, kb, lang)

    try:
        reminded(request, token, check)
    except NotFoundError:
        return missing(request)
    except InvalidInputError as invalid:  # the day turned between the page and the check: asked again
        return _page(
            request, token, view, {"errors": problems_to_errors(invalid.problems), "form": "skin", **posted}, 422
        )
    except ConflictError as refused:  # no session yet, or the history is full
        errors = {"answers": [say(p) for p in refused.problems]}
        return _page(request, token, view, {"errors": errors, "form": "skin", **posted}, 409)
    return to_journal(token, saved="skin")


@journal_form
def changed(request: HttpRequest, token: str) -> HttpResponse:
    """Things changed (pregnancy, the skin, a medicine): the journal assessed again, maybe paused or resumed."""
    changes, errors = read_changes(request.POST)
    if changes is None:
        return _refused(request, token, "changed", errors)
    try:
        reminded(
            request, token, lambda: record_changes(bootstrap.journals(), token, changes, knowledge(), lang_of(request))
        )
    except NotFoundError:
        return missing(request)
    return to_journal(token, saved="changed")


urls: list[URLPattern] = [
    path("journal/new/", start, name="journal-start"),
    path("journal/<str:token>/", page, name="journal"),
    path("journal/<str:token>/session/", session, name="journal-session"),
    path("journal/<str:token>/device/", device, name="journal-device"),
    path("journal/<str:token>/skin/", skin, name="journal-skin"),
    path("journal/<str:token>/changed/", changed, name="journal-changed"),
]
