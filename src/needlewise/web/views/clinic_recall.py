"""Recall pages: the sessions a cartridge lot or device touched, its CSV export, marking for contact.

Staff who run recalls (owner, provider, nurse) see the lots in use, look up a lot or a device serial
(ignoring case, by its start, with near matches offered when nothing matches), see who was treated
with it and how to reach them, download the list, mark every client on it for contact with a
reason, and then work through the outstanding contacts, noting how each client was reached.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_POST, require_safe

from needlewise.clinic.access.actor import Actor
from needlewise.clinic.recall import use_cases as recall
from needlewise.errors import InvalidInputError
from needlewise.web.views.clinic_common import acting, clinic_page, field_errors, form_id
from needlewise.web.views.common import render

KINDS = ("lot", "device")


def _kind(text: str | None) -> str:
    return text if text in KINDS else "lot"


def _recall_page(  # noqa: PLR0913 - the page's inputs
    request: HttpRequest,
    actor: Actor,
    kind: str,
    key: str,
    *,
    after_id: int | None = None,
    errors: dict[str, list[str]] | None = None,
    reason: str = "",
) -> HttpResponse:
    errors = dict(errors or {})
    listing, lots = None, None
    if not key.strip():
        lots = recall.lots(actor)
    else:
        find = recall.by_device if kind == "device" else recall.by_lot
        try:
            listing = find(actor, key, after_id=after_id)
        except InvalidInputError as invalid:
            errors.update(field_errors(invalid))
    context = {
        "actor": actor,
        "kind": kind,
        "key": key,
        "listing": listing,
        "lots": lots,
        "errors": errors,
        "reason": reason,
        "marked": form_id(request.GET.get("marked")),
        "query": urlencode({"kind": kind, "key": listing.key if listing else key.strip()}),
    }
    return render(request, "clinic/recall.html", context, status=422 if errors else 200)


@require_safe
@clinic_page
def recall_page(request: HttpRequest) -> HttpResponse:
    """Look up a cartridge lot or device serial: its sessions, newest first, with totals."""
    actor = acting(request)
    recall.require_role(actor)
    kind, key = _kind(request.GET.get("kind")), request.GET.get("key", "")
    return _recall_page(request, actor, kind, key, after_id=form_id(request.GET.get("after")))


@require_safe
@clinic_page
def recall_export(request: HttpRequest) -> HttpResponse:
    """The whole list as a CSV download (cells safe to open in a spreadsheet, UTF-8 with a byte-order mark).

    Without a valid lot or serial it sends the browser to the lookup form, which names the problem.
    """
    actor = acting(request)
    kind, key = _kind(request.GET.get("kind")), request.GET.get("key", "")
    try:
        text = recall.export_csv(actor, kind, key)
    except InvalidInputError:
        return HttpResponseRedirect(f"{reverse('clinic-recall')}?{urlencode({'kind': kind, 'key': key})}")
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="needlewise-recall-{kind}.csv"'
    return response


@require_POST
@clinic_page
def recall_mark(request: HttpRequest) -> HttpResponse:
    """Mark every client on the list for contact, with the reason; then back to the list."""
    actor = acting(request)
    kind, key, reason = _kind(request.POST.get("kind")), request.POST.get("key", ""), request.POST.get("reason", "")
    try:
        marked = recall.mark_for_contact(actor, kind, key, reason)
    except InvalidInputError as invalid:
        return _recall_page(request, actor, kind, key, errors=field_errors(invalid), reason=reason)
    query = urlencode({"kind": kind, "key": key.strip(), "marked": marked})
    return HttpResponseRedirect(f"{reverse('clinic-recall')}?{query}")


def _contacts_page(
    request: HttpRequest, actor: Actor, errors: dict[int, dict[str, list[str]]], notes: dict[int, str]
) -> HttpResponse:
    context = {
        "actor": actor,
        "outstanding": recall.open_contacts(actor),
        "errors": errors,
        "notes": notes,
        "done": request.GET.get("done") == "1",
    }
    return render(request, "clinic/recall_contacts.html", context, status=422 if errors else 200)


@require_safe
@clinic_page
def contacts_page(request: HttpRequest) -> HttpResponse:
    """The clinic's clients marked for contact and not yet reached, oldest first."""
    return _contacts_page(request, acting(request), {}, {})


@require_POST
@clinic_page
def contact_done(request: HttpRequest, contact_id: int) -> HttpResponse:
    """Note that a marked client was contacted, and how."""
    actor = acting(request)
    note = request.POST.get("note", "")
    try:
        recall.mark_contacted(actor, contact_id, note)
    except InvalidInputError as invalid:
        return _contacts_page(request, actor, {contact_id: field_errors(invalid)}, {contact_id: note})
    return HttpResponseRedirect(f"{reverse('clinic-recall-contacts')}?done=1")


urls: list[URLPattern] = [
    path("clinic/recall/", recall_page, name="clinic-recall"),
    path("clinic/recall.csv", recall_export, name="clinic-recall-export"),
    path("clinic/recall/mark/", recall_mark, name="clinic-recall-mark"),
    path("clinic/recall/contacts/", contacts_page, name="clinic-recall-contacts"),
    path("clinic/recall/contacts/<id:contact_id>/done/", contact_done, name="clinic-recall-contact-done"),
]
