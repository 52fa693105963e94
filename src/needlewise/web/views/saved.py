"""Saved results: kept only when the person asks, behind an unguessable link, deletable by its holder."""

from __future__ import annotations

import datetime as dt

import orjson
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from needlewise import bootstrap
from needlewise.errors import ProfileError
from needlewise.reports.answers import answer_lines
from needlewise.reports.numbers import for_readers
from needlewise.services.assessments import gaps_for
from needlewise.services.questionnaire import Interview
from needlewise.services.saved_results import SavedResultView, delete_result, open_result, save_result
from needlewise.web.views.common import knowledge, lang_of, render, say
from needlewise.web.views.questionnaire import PRIVATE, interview_from, pdf_response, today


@require_POST
def save(request: HttpRequest) -> HttpResponse:
    """Keep the result of the answers in the form; go to its private link."""
    try:
        interview = interview_from(request.POST)
        token = save_result(bootstrap.saved_results(), interview.document, knowledge(), lang_of(request))  # type: ignore[arg-type]
    except ProfileError as damaged:
        return render(request, "error.html", {"status": 400, "message": say(damaged.first)}, status=400)
    return HttpResponseRedirect(reverse("saved", args=[token]), status=303)


def saved_state(view: SavedResultView) -> str | None:
    """The questionnaire state of a saved result's answers (to send it to a clinic); None if they no longer fit.

    The answers are replayed in questionnaire order, each checked again, as on the way to a result.
    """
    kb = knowledge()
    profile = view.record.profile
    device = profile.get("device")
    fields = set(profile) | {f"device.{name}" for name in device} if isinstance(device, dict) else set(profile)
    answered = [q.question_id for q in kb.questions if q.field in fields]
    state = {"document": profile, "answered": answered, "drafts": {}}
    try:
        interview = Interview.from_state(kb, state)
    except ProfileError:
        return None
    return orjson.dumps(interview.to_state()).decode()


@require_safe
def show(request: HttpRequest, token: str) -> HttpResponse:
    """A saved result, assessed again with today's knowledge base."""
    view = open_result(bootstrap.saved_results(), token, knowledge(), lang_of(request))
    if view is None:
        return render(request, "error.html", {"status": 404}, status=404)
    context = {
        "assessment": for_readers(view.current),
        "answers": answer_lines(view.record.profile, knowledge(), lang_of(request)),
        "state": saved_state(view),
        "stopped_early": False,
        "saved": view,
        "saved_on": _saved_on(view),
        "made_on": today(),
        "token": token,
        "gaps": gaps_for(view.record.profile, knowledge()),
    }
    response = render(request, "result.html", context)
    response["X-Robots-Tag"] = PRIVATE
    return response


@require_safe
def pdf(request: HttpRequest, token: str) -> HttpResponse:
    """A saved result as a PDF."""
    view = open_result(bootstrap.saved_results(), token, knowledge(), lang_of(request))
    if view is None:
        return render(request, "error.html", {"status": 404}, status=404)
    return pdf_response(request, view.current, view.record.profile, saved_on=_saved_on(view))


@require_http_methods(["GET", "HEAD", "POST"])
def delete(request: HttpRequest, token: str) -> HttpResponse:
    """Ask first (GET: a confirmation page, no JavaScript needed); on POST, delete the saved result for good."""
    if request.method != "POST":
        view = open_result(bootstrap.saved_results(), token, knowledge(), lang_of(request))
        if view is None:
            return render(request, "error.html", {"status": 404}, status=404)
        response = render(request, "delete_confirm.html", {"token": token, "saved_on": _saved_on(view)})
        response["X-Robots-Tag"] = PRIVATE
        return response
    deleted = delete_result(bootstrap.saved_results(), token)
    return render(request, "deleted.html", {"deleted": deleted}, status=200 if deleted else 404)


def _saved_on(view: SavedResultView) -> dt.date | None:
    """The date the result was saved, in the server's time zone (None for a record without one)."""
    created = view.record.created_at
    return timezone.localdate(created) if created is not None else None
