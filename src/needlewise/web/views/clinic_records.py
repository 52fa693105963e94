"""Staff pages: screening a client with the questionnaire's clinic form, a stored screening, clearances.

The questionnaire is the consumer's, with the setting answered "clinic"; its answers travel in the
form as on the public pages. When it ends (or stops early) the screening is stored at once.
"""

from __future__ import annotations

import orjson
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from needlewise.clinic.records import clients, screenings
from needlewise.errors import InvalidInputError, ProfileError
from needlewise.reports.answers import answer_lines
from needlewise.reports.staff import staff_screening
from needlewise.services.questionnaire import Interview
from needlewise.services.typed_answers import read_answer
from needlewise.web.views.clinic_common import acting, clinic_page, field_errors, form_date
from needlewise.web.views.common import knowledge, lang_of, render, say
from needlewise.web.views.questionnaire import answer_text, interview_from


def _clinic_interview() -> Interview:
    interview = Interview(knowledge())
    setting = next(q for q in interview.kb.questions if q.field == "setting")
    interview.answer(setting, read_answer(setting, "clinic"))
    return interview


@require_http_methods(["GET", "POST"])
@clinic_page
def screen(request: HttpRequest, client_id: int) -> HttpResponse:
    """One question a page; at the end the screening is stored and the client page shows it."""
    actor = acting(request)
    screenings.require_screener(actor, client_id)
    client = clients.get(actor, client_id) if request.method == "GET" else None
    error = None
    if request.method == "GET":
        interview = _clinic_interview()
    else:
        try:
            interview = interview_from(request.POST)
        except ProfileError as damaged:
            return render(request, "error.html", {"status": 400, "message": say(damaged.first)}, status=400)
        error = _apply(interview, request.POST.get("action", "next"), request.POST)
        if error is None and (interview.next_question() is None or interview.early_stop() is not None):
            profile = orjson.loads(orjson.dumps(interview.document))
            try:
                screenings.record(actor, client_id=client_id, profile=profile, kb=knowledge(), lang=lang_of(request))
            except InvalidInputError as forged:  # a state not answered in the clinic setting
                return render(request, "error.html", {"status": 400, "message": forged.first.message}, status=400)
            return HttpResponseRedirect(reverse("clinic-client", args=[client_id]) + "#current")
    question = interview.next_question()
    answered, total = interview.progress()
    context = {
        "actor": actor,
        "client": client,
        "client_id": client_id,
        "question": question,
        "state": orjson.dumps(interview.to_state()).decode(),
        "draft": interview.draft(question) if question else None,
        "error": error,
        "answered": answered,
        "total": total,
        "can_go_back": len(interview.answered) > 1,
    }
    return render(request, "clinic/screen.html", context, status=422 if error else 200)


def _apply(interview: Interview, action: str, post: object) -> str | None:
    if action == "back":
        if len(interview.answered) > 1:  # the setting stays answered
            interview.back()
        return None
    question = interview.next_question()
    if question is None:
        return None
    try:
        interview.answer(question, read_answer(question, answer_text(question, post)))  # type: ignore[arg-type]
    except ProfileError as invalid:
        return say(invalid.first)
    return None


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


@require_http_methods(["GET", "POST"])
@clinic_page
def clearance(request: HttpRequest, screening_id: int) -> HttpResponse:
    """A provider documents why a ``medical_review`` or ``stop`` result may go ahead, and until when."""
    actor = acting(request)
    values = {"cleared_on": timezone.localdate().isoformat(), "expires_on": "", "reason": ""}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        form = screenings.ClearanceForm(
            reason=request.POST.get("reason", ""),
            cleared_on=form_date(request.POST.get("cleared_on")),
            expires_on=form_date(request.POST.get("expires_on")),
        )
        try:
            made = screenings.clear(actor, screening_id, form)
        except InvalidInputError as invalid:
            errors = field_errors(invalid)
            values = {k: request.POST.get(k, "") for k in values}
        else:
            return HttpResponseRedirect(reverse("clinic-client", args=[made.client_id]) + "#current")
    else:
        screenings.require_clearance_role(actor, screening_id)
    screening, body = screenings.get(actor, screening_id)
    staff = staff_screening(body, knowledge(), lang_of(request))
    context = {"actor": actor, "screening": screening, "staff": staff, "values": values, "errors": errors}
    return render(request, "clinic/clearance.html", context, status=422 if errors else 200)
