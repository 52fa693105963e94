"""Staff pages: the workspace home, client search, a client's page, adding, editing and archiving clients."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from needlewise.clinic.access import break_glass
from needlewise.clinic.clients import client_form, clients
from needlewise.clinic.contact import answers, consent_to_contact
from needlewise.clinic.contact.consent_to_contact import STAFF_METHODS
from needlewise.clinic.intake import inbox
from needlewise.clinic.records import screenings
from needlewise.clinic.treatment import overview
from needlewise.domain.permissions import Action
from needlewise.domain.statuses import ContactMethod
from needlewise.errors import InvalidInputError, LikelyDuplicateError
from needlewise.reports.staff import staff_screening
from needlewise.web.views.clinic_common import acting, clinic_page, field_errors, form_date
from needlewise.web.views.common import knowledge, lang_of, render


@require_safe
@clinic_page
def home(request: HttpRequest) -> HttpResponse:
    """Search box, newest clients, and the intake queue's size for those who handle it (open alerts: the banner)."""
    actor = acting(request)
    recent = clients.search(actor, clients.SearchQuery())[:10]
    waiting = len(inbox.queue(actor)) if actor.may(Action.MANAGE_INTAKE) else None
    context = {"actor": actor, "recent": recent, "waiting": waiting}
    return render(request, "clinic/home.html", context)


@require_safe
@clinic_page
def client_list(request: HttpRequest) -> HttpResponse:
    """Find clients by name words, birth date and phone digits."""
    actor = acting(request)
    get = request.GET
    birth_text = get.get("birth_date", "").strip()
    query = clients.SearchQuery(
        text=get.get("q", ""),
        birth_date=form_date(birth_text),
        phone=get.get("phone", ""),
        include_archived=get.get("archived") == "1",
    )
    bad_date = bool(birth_text) and query.birth_date is None
    found = [] if bad_date else clients.search(actor, query)
    context = {"actor": actor, "found": found, "query": query, "birth_text": birth_text, "bad_date": bad_date}
    return render(request, "clinic/clients.html", context, status=422 if bad_date else 200)


@require_http_methods(["GET", "POST"])
@clinic_page
def client_new(request: HttpRequest) -> HttpResponse:
    """Add a client."""
    actor = acting(request)
    if request.method == "POST":
        details, confirmed = client_form.read(request.POST)
        try:
            client = clients.create(actor, details, warn_duplicates=not confirmed)
        except InvalidInputError as invalid:
            context = {"actor": actor, "values": request.POST, "errors": field_errors(invalid), "client": None}
            return render(request, "clinic/client_form.html", context, status=422)
        except LikelyDuplicateError as duplicate:
            context = {"actor": actor, "values": request.POST, "errors": {}, "client": None}
            context["matches"] = duplicate.matches
            return render(request, "clinic/client_form.html", context, status=409)
        for channel in client_form.agreed_channels(request.POST):  # said in person to the staff member
            consent_to_contact.record(actor, client.pk, channel, granted=True, method=ContactMethod.IN_PERSON)
        return HttpResponseRedirect(reverse("clinic-client", args=[client.pk]))
    return render(request, "clinic/client_form.html", {"actor": actor, "values": {}, "errors": {}, "client": None})


@require_http_methods(["GET", "POST"])
@clinic_page
def client_edit(request: HttpRequest, client_id: int) -> HttpResponse:
    """Change a client's details."""
    actor = acting(request)
    if request.method == "POST":
        try:
            client = clients.update(actor, client_id, client_form.read(request.POST)[0])
        except InvalidInputError as invalid:
            client = clients.get(actor, client_id)
            context = {"actor": actor, "values": request.POST, "errors": field_errors(invalid), "client": client}
            return render(request, "clinic/client_form.html", context, status=422)
        return HttpResponseRedirect(reverse("clinic-client", args=[client.pk]))
    client = clients.get(actor, client_id)
    values = {
        "given_name": client.given_name,
        "family_name": client.family_name,
        "birth_date": client.birth_date.isoformat(),
        "phone": client.phone,
        "email": client.email,
        "contact_notes": client.contact_notes,
        "clinical_notes": client.clinical_notes if actor.may(Action.VIEW_HEALTH) else "",
        "language": client.language,
    }
    return render(
        request, "clinic/client_form.html", {"actor": actor, "values": values, "errors": {}, "client": client}
    )


@require_POST
@clinic_page
def client_archive(request: HttpRequest, client_id: int) -> HttpResponse:
    """Archive (or, with ``restore``, bring back) a client; records are kept either way."""
    clients.set_archived(acting(request), client_id, archived=request.POST.get("restore") != "1")
    return HttpResponseRedirect(reverse("clinic-client", args=[client_id]))


@require_safe
@clinic_page
def client_page(request: HttpRequest, client_id: int) -> HttpResponse:
    """The client: current screening tier first, with its reasons; history; clearances."""
    return show_client(request, client_id)


def show_client(request: HttpRequest, client_id: int, extra: dict[str, object] | None = None) -> HttpResponse:
    """The client page, with ``extra`` context (a refused break-glass reason: 422)."""
    actor = acting(request)
    record = screenings.client_record(actor, client_id, document=True)
    latest = None
    if record.status is not None and record.status.latest is not None:
        body = record.status.latest.document.body
        assert isinstance(body, dict)  # noqa: S101 - only store_document writes documents, always objects
        latest = staff_screening(body, knowledge(), lang_of(request))
    treatment = None
    if record.status is not None:  # clinical roles only: the front desk sees no health data
        assert actor.clinic_id is not None  # noqa: S101 - a signed-in staff member has a clinic
        treatment = overview.overview(actor.clinic_id, client_id)
    opened = record.status is not None and not actor.may(Action.VIEW_HEALTH)  # shown under a break-glass opening
    emergency = break_glass.open_until(actor.staff_user_id, client_id) if opened else None
    contact = answers.of_client(record.client.pk) if actor.may(Action.EDIT_CLIENTS) else None
    context = {
        "actor": actor,
        "record": record,
        "latest": latest,
        "Action": Action,
        "treatment": treatment,
        "emergency": emergency,
        "reason_error": None,
        "emergency_minutes": settings.BREAK_GLASS_MINUTES,
        "contact": contact,
        "contact_words": {"channels": answers.CHANNEL_WORDS, "methods": answers.METHOD_WORDS},
        "staff_methods": STAFF_METHODS,
        "contact_errors": {},
        "contact_values": {},
        **(extra or {}),
    }
    invalid = context["reason_error"] or context["contact_errors"]
    return render(request, "clinic/client.html", context, status=422 if invalid else 200)
