"""Public pages: the clinics on this installation, and sending one's result to a clinic with consent.

The result travels as the questionnaire's state in the form, as on the result page; it is stored
only when the person ticks the consent box and presses send.
"""

from __future__ import annotations

import orjson
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from needlewise.clinic.intake import public
from needlewise.errors import ConflictError, InvalidInputError, NotFoundError, ProfileError
from needlewise.web.views.clinic_common import anonymous_actor, field_errors, request_form, request_values
from needlewise.web.views.common import knowledge, lang_of, render, say
from needlewise.web.views.questionnaire import interview_from


@require_safe
def directory(request: HttpRequest) -> HttpResponse:
    """Every clinic that takes requests."""
    return render(request, "clinics/directory.html", {"clinics": public.directory(), "state": None})


@require_safe
def clinic(request: HttpRequest, slug: str) -> HttpResponse:
    """A clinic's public page: name, city, services, its practitioners' roles."""
    try:
        page = public.public_clinic(slug)
    except NotFoundError:
        return render(request, "error.html", {"status": 404}, status=404)
    return render(request, "clinics/clinic.html", {"clinic": page})


def _result(request: HttpRequest) -> tuple[str, dict[str, object]] | HttpResponse:
    try:
        interview = interview_from(request.POST)
        assessment = interview.result(lang_of(request))
    except ProfileError as damaged:
        return render(request, "error.html", {"status": 400, "message": say(damaged.first)}, status=400)
    if assessment.tier not in public.SENDABLE:
        message = _("Only a 'clinic' or 'medical review' result can be sent to a clinic.")
        return render(request, "error.html", {"status": 400, "message": message}, status=400)
    return orjson.dumps(interview.to_state()).decode(), {"assessment": assessment}


@require_POST
def choose(request: HttpRequest) -> HttpResponse:
    """From the result page: pick a clinic to send the result to."""
    found = _result(request)
    if isinstance(found, HttpResponse):
        return found
    state, extra = found
    return render(request, "clinics/directory.html", {"clinics": public.directory(), "state": state, **extra})


@require_POST
def send(request: HttpRequest, slug: str) -> HttpResponse:
    """Show exactly what will be shared and the consent; on ``send``, store the request."""
    found = _result(request)
    if isinstance(found, HttpResponse):
        return found
    state, extra = found
    try:
        page = public.public_clinic(slug)
    except NotFoundError:
        return render(request, "error.html", {"status": 404}, status=404)
    lang = lang_of(request)
    values = request_values(request)
    context: dict[str, object] = {
        "clinic": page,
        "state": state,
        "values": values,
        "errors": {},
        "consent_text": public.consent_text(page, lang),
        **extra,
    }
    if request.POST.get("action") != "send":
        return render(request, "clinics/send.html", context)
    interview = interview_from(request.POST)
    form = request_form(request, values)
    actor = anonymous_actor(request)
    profile = orjson.loads(orjson.dumps(interview.document))
    try:
        public.submit(actor, slug, profile=profile, form=form, kb=knowledge(), lang=lang)
    except InvalidInputError as invalid:
        context["errors"] = field_errors(invalid)
        return render(request, "clinics/send.html", context, status=422)
    except (NotFoundError, ConflictError) as refused:
        return render(request, "error.html", {"status": 400, "message": say(refused.first)}, status=400)
    return render(request, "clinics/sent.html", {"clinic": page})
