"""What the clinic pages share: the acting staff member, dates from forms, the request form, clinic errors as pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import wraps

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _

from needlewise.api.statuses import status_of
from needlewise.clinic.access.actor import Actor
from needlewise.clinic.forms import calendar_day, whole_number
from needlewise.clinic.intake import public
from needlewise.errors import ClinicError, ConflictError, NotAllowedError, NotFoundError
from needlewise.web.staff_session import client_ip, staff_required
from needlewise.web.views.common import render, say

View = Callable[..., HttpResponse | StreamingHttpResponse]


def acting(request: HttpRequest) -> Actor:
    """The staff member :func:`staff_required` put on the request."""
    actor: Actor = request.actor  # type: ignore[attr-defined]
    return actor


def form_date(value: str | None) -> date | None:
    """A YYYY-MM-DD form value from 1900 to 2999, or None (the use case or page then names the field)."""
    return calendar_day(value or "")


def form_id(value: str | None) -> int | None:
    """A record id or count from a form or query (ASCII digits that fit a 64-bit integer), or None."""
    return whole_number(value or "")


#: The fields of a request to a clinic (:class:`~needlewise.clinic.intake.public.RequestForm`) as the forms post them.
REQUEST_FIELDS = ("given_name", "family_name", "birth_date", "email", "phone", "message")


def request_values(request: HttpRequest) -> dict[str, str]:
    """The request form's posted values, each field ``""`` when absent."""
    return {k: request.POST.get(k, "") for k in REQUEST_FIELDS}


def request_form(request: HttpRequest, values: dict[str, str]) -> public.RequestForm:
    """The request to a clinic that ``values`` and the posted consent describe (the use case checks it)."""
    return public.RequestForm(
        given_name=values["given_name"],
        family_name=values["family_name"],
        birth_date=form_date(values["birth_date"]),
        email=values["email"],
        phone=values["phone"],
        message=values["message"],
        consent=request.POST.get("consent") == "yes",
    )


def anonymous_actor(request: HttpRequest) -> Actor:
    """The person (not signed in) behind ``request``: their address and the request's id, for the audit."""
    return Actor.anonymous(client_ip(request), str(request.META.get("NEEDLEWISE_REQUEST_ID", "")))


def field_errors(error: ClinicError) -> dict[str, list[str]]:
    """Each field's messages in the request's language, for showing next to the field (any refusal's problems)."""
    errors: dict[str, list[str]] = {}
    for problem in error.problems:
        errors.setdefault(problem.where, []).append(say(problem))
    return errors


def private_file(data: bytes, content_type: str, filename: str, *, download: bool) -> HttpResponse:
    """A health-record file (signature, scan, photo, PDF) for staff: never cached, never sniffed."""
    response = HttpResponse(data, content_type=content_type)
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = f'{"attachment" if download else "inline"}; filename="{filename}"'
    return response


def _refused(request: HttpRequest, error: NotAllowedError | NotFoundError | ConflictError) -> HttpResponse:
    status = status_of(error).status  # the API answers the same status (needlewise.api.statuses)
    titles = {403: _("Your role does not allow this"), 404: _("Not found"), 409: _("This cannot be done now")}
    context = {"status": status, "title": titles[status], "message": say(error.first)}
    return render(request, "clinic/refused.html", context, status=status)


def clinic_page(view: View) -> View:
    """A staff-only page whose refusals (role, other clinic, state) become clear 403/404/409 pages."""

    @staff_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse | StreamingHttpResponse:
        try:
            return view(request, *args, **kwargs)
        except (NotAllowedError, NotFoundError, ConflictError) as error:
            return _refused(request, error)

    return wrapper
