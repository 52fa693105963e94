"""The home journal's data, the person's to take away or remove: the JSON export, the PDF, deleting it.

Like the journal's other pages, every answer is ``no-store`` and ``noindex`` and an unknown link is ``404``.
"""

from __future__ import annotations

from datetime import date

import orjson
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from needlewise.edge.journal_reminders import deleted
from needlewise.reports.numbers import for_readers
from needlewise.reports.pdf import render_pdf
from needlewise.web.journal_findings import earlier_findings
from needlewise.web.views.common import render
from needlewise.web.views.journal_public import missing, opened
from needlewise.web.views.journal_return import on_journal_clock, private_page


@require_safe
def export(request: HttpRequest, token: str) -> HttpResponse:
    """The journal as JSON (the API's state), to keep or show a clinician."""
    view = opened(request, token)
    if view is None:
        return missing(request)
    response = HttpResponse(orjson.dumps(view.to_json(), option=orjson.OPT_INDENT_2), content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="needlewise-journal.json"'
    return private_page(response)


@require_safe
def pdf(request: HttpRequest, token: str) -> HttpResponse:
    """The journal as a PDF to show a clinician: the re-assessment, the next day, the device, each session."""
    view = opened(request, token)
    if view is None:
        return missing(request)
    with on_journal_clock(view):  # today, and each change's time, on the person's clock
        context = {
            "view": view,
            "assessment": for_readers(view.assessment),
            "found": earlier_findings(view, with_latest=True),
            "made_on": timezone.localdate(),
            "limit_on": [date.fromordinal(limit.session.on) for limit in view.limits],
        }
        page = render(request, "journal_print.html", context)
    response = HttpResponse(render_pdf(page.content.decode()), content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="needlewise-journal.pdf"'
    return private_page(response)


@require_http_methods(["GET", "HEAD", "POST"])
def delete(request: HttpRequest, token: str) -> HttpResponse:
    """Ask first (GET: a confirmation page); on POST, delete the journal and everything in it for good."""
    if request.method != "POST":
        view = opened(request, token)
        if view is None:
            return missing(request)
        return private_page(render(request, "journal_delete.html", {"token": token, "view": view}))
    gone = deleted(token)
    status = 200 if gone else 404
    return private_page(render(request, "journal_deleted.html", {"deleted": gone}, status=status))


urls: list[URLPattern] = [
    path("journal/<str:token>/export.json", export, name="journal-export"),
    path("journal/<str:token>/pdf/", pdf, name="journal-pdf"),
    path("journal/<str:token>/delete/", delete, name="journal-delete"),
]
