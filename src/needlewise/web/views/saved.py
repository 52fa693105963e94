"""Saved results: kept only when the person asks, behind an unguessable link, deletable by its holder."""

from __future__ import annotations

import orjson
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from needlewise import bootstrap
from needlewise.errors import ProfileError
from needlewise.services.saved_results import delete_result, open_result, save_result
from needlewise.web.views.common import knowledge, lang_of, render, say
from needlewise.web.views.questionnaire import interview_from, pdf_response


@require_POST
def save(request: HttpRequest) -> HttpResponse:
    """Keep the result of the answers in the form; go to its private link."""
    try:
        interview = interview_from(request.POST)
        token = save_result(bootstrap.saved_results(), interview.document, knowledge(), lang_of(request))  # type: ignore[arg-type]
    except ProfileError as damaged:
        return render(request, "error.html", {"status": 400, "message": say(damaged.first)}, status=400)
    return HttpResponseRedirect(reverse("saved", args=[token]), status=303)


@require_GET
def show(request: HttpRequest, token: str) -> HttpResponse:
    """A saved result, assessed again with today's knowledge base."""
    view = open_result(bootstrap.saved_results(), token, knowledge(), lang_of(request))
    if view is None:
        return render(request, "error.html", {"status": 404}, status=404)
    context = {
        "assessment": view.current,
        "state": orjson.dumps({"document": view.record.profile, "answered": [], "drafts": {}}).decode(),
        "stopped_early": False,
        "saved": view,
        "token": token,
        "gaps": knowledge().gaps,
    }
    response = render(request, "result.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_GET
def pdf(request: HttpRequest, token: str) -> HttpResponse:
    """A saved result as a PDF."""
    view = open_result(bootstrap.saved_results(), token, knowledge(), lang_of(request))
    if view is None:
        return render(request, "error.html", {"status": 404}, status=404)
    return pdf_response(request, view.current)


@require_POST
def delete(request: HttpRequest, token: str) -> HttpResponse:
    """Delete a saved result for good."""
    deleted = delete_result(bootstrap.saved_results(), token)
    return render(request, "deleted.html", {"deleted": deleted}, status=200 if deleted else 404)
