"""Break-glass: open one client's health record in an emergency, with a reason (``clinic.access.break_glass``)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from needlewise.clinic.access import break_glass
from needlewise.errors import ConflictError, InvalidInputError
from needlewise.web.views.clinic_clients import show_client
from needlewise.web.views.clinic_common import acting, clinic_page


@require_POST
@clinic_page
def emergency_access(request: HttpRequest, client_id: int) -> HttpResponse:
    """Open the record (audited, flagged, for a limited time), then show it; a short reason is refused (422)."""
    try:
        break_glass.open_emergency_access(acting(request), client_id, request.POST.get("reason", ""))
    except InvalidInputError:
        return show_client(request, client_id, {"reason_error": _("Write why, in at least 20 characters.")})
    except ConflictError:  # a role that sees health data already: nothing to open
        pass
    return HttpResponseRedirect(reverse("clinic-client", args=[client_id]))


urls: list[URLPattern] = [
    path("clinic/clients/<id:client_id>/emergency/", emergency_access, name="clinic-emergency-access"),
]
