"""Staff pages: a stored screening, in staff language, and providers' clearances.

Screening a client is :mod:`needlewise.web.views.clinic_screen`.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from needlewise.clinic import forms
from needlewise.clinic.records import screenings
from needlewise.errors import InvalidInputError
from needlewise.reports import staff_pdf
from needlewise.reports.answers import answer_lines
from needlewise.reports.staff import staff_screening
from needlewise.reports.staff_pdf import ScreeningFacts
from needlewise.web.jinja import local_time
from needlewise.web.views.clinic_common import acting, clinic_page, field_errors, private_file
from needlewise.web.views.common import knowledge, lang_of, render


@require_safe
@clinic_page
def screening_page(request: HttpRequest, screening_id: int) -> HttpResponse:
    """A stored screening exactly as it was assessed, with who ran it and under which knowledge base."""
    actor = acting(request)
    screening, body = screenings.get(actor, screening_id)
    lang = lang_of(request)
    context = {
        "actor": actor,
        "screening": screening,
        "staff": staff_screening(body, knowledge(), lang),
        "answers": answer_lines(screening.profile, knowledge(), lang),
    }
    return render(request, "clinic/screening.html", context)


@require_safe
@clinic_page
def screening_pdf(request: HttpRequest, screening_id: int) -> HttpResponse:
    """A stored screening as a PDF for the clinic's record, in staff words (the read is recorded)."""
    screening, body = screenings.get(acting(request), screening_id)
    facts = ScreeningFacts(
        client_name=f"{screening.client.given_name} {screening.client.family_name}",
        birth_date=screening.client.birth_date.isoformat(),
        screened_on=local_time(screening.created_at),  # on the clinic's clock, as its page shows it
        ran_by=screening.ran_by.staff.display_name,
        kb_version=screening.kb_version,
    )
    pdf = staff_pdf.screening_pdf(facts, body, screening.profile, knowledge(), lang_of(request))
    return private_file(pdf, "application/pdf", f"screening-{screening.pk}.pdf", download=True)


@require_http_methods(["GET", "POST"])
@clinic_page
def clearance(request: HttpRequest, screening_id: int) -> HttpResponse:
    """A provider documents why a ``medical_review`` or ``stop`` result may go ahead, and until when."""
    actor = acting(request)
    values = {"cleared_on": timezone.localdate().isoformat(), "expires_on": "", "reason": ""}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            made = screenings.clear(
                actor, screening_id, screenings.ClearanceForm(**forms.read(screenings.ClearanceFields, request.POST))
            )
        except InvalidInputError as invalid:
            errors = field_errors(invalid)
            values = forms.echo(screenings.ClearanceFields, request.POST)
        else:
            return HttpResponseRedirect(reverse("clinic-client", args=[made.client_id]) + "#current")
    else:
        screenings.require_clearance_role(actor, screening_id)
    screening, body = screenings.get(actor, screening_id)
    staff = staff_screening(body, knowledge(), lang_of(request))
    context = {"actor": actor, "screening": screening, "staff": staff, "values": values, "errors": errors}
    return render(request, "clinic/clearance.html", context, status=422 if errors else 200)
