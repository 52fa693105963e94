"""Recovery codes at the edge: the page that shows new ones once, and making new ones from the account page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from needlewise.clinic.access.actor import Actor
from needlewise.clinic.sign_in import recovery_codes
from needlewise.errors import ConflictError
from needlewise.web.staff_session import staff_required
from needlewise.web.views.common import render


def show_codes(request: HttpRequest, codes: list[str], then: str, actor: Actor | None = None) -> HttpResponse:
    """The recovery codes, shown once (they are kept only as hashes), then on to ``then``."""
    response = render(request, "clinic/recovery_codes.html", {"codes": codes, "then": then, "actor": actor})
    response["Cache-Control"] = "no-store"
    return response


@staff_required
@require_POST
def new_recovery_codes(request: HttpRequest) -> HttpResponse:
    """Make new recovery codes from the account page (the old ones stop working), and show them once."""
    actor: Actor = request.actor  # type: ignore[attr-defined]
    try:
        codes = recovery_codes.regenerate(actor)
    except ConflictError:
        return HttpResponseRedirect(reverse("clinic-account"))
    return show_codes(request, codes, reverse("clinic-account"), actor)
