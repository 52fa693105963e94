"""The audit log page (owners): the clinic's rows, newest first, filtered, and their CSV download.

The filter (person, action, client, first and last day) is a GET form, so a filtered page has its own
address; the CSV link carries the same filter. The download is a plain link (``hx-boost="false"``)
answered with ``Content-Disposition: attachment``: the browser saves the file instead of htmx
swapping the CSV text into the page. Days are the clinic's days (its time zone); times are UTC.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.views.decorators.http import require_safe

from needlewise.clinic.access import break_glass
from needlewise.clinic.audit import review as audit_review
from needlewise.web.views.clinic_common import acting, clinic_page, form_date, form_id
from needlewise.web.views.common import render

FILTER_FIELDS = ("person", "action", "client", "from", "to")


def _filter(request: HttpRequest) -> tuple[audit_review.AuditFilter, dict[str, str]]:
    """The filter the request asks for, and the form's values as typed (``since`` is the older name of ``from``)."""
    values = {name: request.GET.get(name, "").strip() for name in FILTER_FIELDS}
    values["from"] = values["from"] or request.GET.get("since", "").strip()
    where = audit_review.AuditFilter(
        person=values["person"],
        action=values["action"],
        client_id=form_id(values["client"]),
        first_day=form_date(values["from"]),
        last_day=form_date(values["to"]),
    )
    return where, values


@require_safe
@clinic_page
def audit_log(request: HttpRequest) -> HttpResponse:
    """The clinic's audit rows, newest first, 100 a page, narrowed by the filter (owners)."""
    actor = acting(request)
    before = form_id(request.GET.get("before"))
    where, values = _filter(request)
    page = audit_review.clinic_entries(actor, before, where=where)
    query = urlencode({name: value for name, value in values.items() if value})
    openings = break_glass.recent_openings(actor)
    context = {"actor": actor, "page": page, "values": values, "query": query, "openings": openings}
    return render(request, "clinic/audit.html", context)


@require_safe
@clinic_page
def audit_export(request: HttpRequest) -> StreamingHttpResponse:
    """The clinic's audit rows as a CSV download, narrowed by the same filter as the page."""
    actor = acting(request)
    where, _values = _filter(request)
    chunks = audit_review.export_csv(actor, where=where)
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="needlewise-audit.csv"'
    return response
