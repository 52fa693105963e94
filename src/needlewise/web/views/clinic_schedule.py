"""Staff pages for the schedule: a day list per practitioner, booking a client, calendar files, moving, cancelling.

Times are entered and shown on the clinic's clock (its time zone, :mod:`needlewise.clinic.local_time`);
calendar files carry UTC.
"""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from needlewise.clinic.clients import clients
from needlewise.clinic.scheduling import appointments, changes, days
from needlewise.errors import ConflictError, InvalidInputError
from needlewise.web import client_messages
from needlewise.web.views.clinic_common import acting, clinic_page, field_errors, form_date, form_id
from needlewise.web.views.common import render


@require_safe
@clinic_page
def schedule(request: HttpRequest) -> HttpResponse:
    """The day's appointments per practitioner (``?day=YYYY-MM-DD``, ``&practitioner=<user id>``)."""
    actor = acting(request)
    asked = request.GET.get("day", "").strip()
    day = form_date(asked) if asked else timezone.localdate()  # the clinic's zone is active on staff pages
    practitioner = form_id(request.GET.get("practitioner"))
    context = {
        "actor": actor,
        "day": day,
        "asked": asked,
        "practitioner": practitioner,
        "practitioners": appointments.practitioners(actor),
        "columns": days.day_list(actor, day, practitioner) if day else [],
        "zone": timezone.get_current_timezone_name(),
        "previous": day - timedelta(days=1) if day else None,
        "next": day + timedelta(days=1) if day else None,
    }
    return render(request, "clinic/schedule.html", context, status=200 if day else 422)


@require_http_methods(["GET", "POST"])
@clinic_page
def book(request: HttpRequest, client_id: int) -> HttpResponse:
    """Suggested dates from the client's plan; booking a practitioner, a date and a time."""
    actor = acting(request)
    suggested = appointments.suggestions(actor, client_id)
    errors: dict[str, list[str]] = {}
    values = {"date": suggested[0].isoformat() if suggested else "", "time": "09:00", "minutes": "60"}
    if request.method == "POST":
        values = appointments.echo(request.POST)
        form = appointments.read(request.POST)
        try:
            appointment = appointments.book(
                actor,
                client_id,
                form.practitioner_user_id,
                form.starts_at,
                form.minutes,
                sender=client_messages.sender(request),
            )
        except (InvalidInputError, ConflictError) as refused:
            errors = field_errors(refused)  # each worded in the page's language
            if "starts_at" in errors and form.starts_at is None:
                errors["starts_at"] = [_("enter the date as YYYY-MM-DD and the time as HH:MM")]
        else:
            day = timezone.localtime(appointment.starts_at).date().isoformat()
            return HttpResponseRedirect(f"{reverse('clinic-schedule')}?day={day}")
    context = {
        "actor": actor,
        "client": clients.get(actor, client_id),
        "suggested": suggested,
        "practitioners": appointments.practitioners(actor),
        "values": values,
        "errors": errors,
        "zone": timezone.get_current_timezone_name(),
    }
    return render(request, "clinic/schedule_book.html", context, status=422 if errors else 200)


@require_safe
@clinic_page
def appointment_ics(request: HttpRequest, appointment_id: int) -> HttpResponse:
    """The appointment as a calendar file (no health details)."""
    calendar = appointments.ics(acting(request), appointment_id)
    response = HttpResponse(calendar, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="appointment-{appointment_id}.ics"'
    return response


@require_http_methods(["GET", "POST"])
@clinic_page
def appointment_move(request: HttpRequest, appointment_id: int) -> HttpResponse:
    """Move an appointment to another date and time (same practitioner and length); its reminder follows."""
    actor = acting(request)
    appointment = changes.booked(actor, appointment_id)
    local = timezone.localtime(appointment.starts_at)
    values = {"date": local.date().isoformat(), "time": local.strftime("%H:%M")}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        values, starts_at = changes.echo(request.POST), changes.read(request.POST)
        try:
            appointment = changes.move(actor, appointment_id, starts_at, sender=client_messages.sender(request))
        except (InvalidInputError, ConflictError) as refused:
            errors = field_errors(refused)
            if "starts_at" in errors and starts_at is None:
                errors["starts_at"] = [_("enter the date as YYYY-MM-DD and the time as HH:MM")]
        else:
            day = timezone.localtime(appointment.starts_at).date().isoformat()
            return HttpResponseRedirect(f"{reverse('clinic-schedule')}?day={day}")
    zone = timezone.get_current_timezone_name()
    context = {"actor": actor, "appointment": appointment, "values": values, "errors": errors, "zone": zone}
    return render(request, "clinic/schedule_move.html", context, status=422 if errors else 200)


@require_POST
@clinic_page
def appointment_cancel(request: HttpRequest, appointment_id: int) -> HttpResponse:
    """Cancel an appointment; back to its day."""
    appointment = changes.cancel(acting(request), appointment_id)
    day = timezone.localtime(appointment.starts_at).date().isoformat()
    return HttpResponseRedirect(f"{reverse('clinic-schedule')}?day={day}")


urls: list[URLPattern] = [
    path("clinic/schedule/", schedule, name="clinic-schedule"),
    path("clinic/clients/<id:client_id>/book/", book, name="clinic-book"),
    path("clinic/appointments/<id:appointment_id>.ics", appointment_ics, name="clinic-appointment-ics"),
    path("clinic/appointments/<id:appointment_id>/move/", appointment_move, name="clinic-appointment-move"),
    path("clinic/appointments/<id:appointment_id>/cancel/", appointment_cancel, name="clinic-appointment-cancel"),
]
