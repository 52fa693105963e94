"""Staff pages after a session: check-in alerts, adverse events, and the client's aftercare sheet (HTML, PDF)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_http_methods, require_safe

from needlewise.clinic.followup import adverse_events, alerts
from needlewise.clinic.followup.adverse_events import OUTCOMES, SEVERITIES
from needlewise.clinic.followup.aftercare import AftercareFacts, aftercare_facts
from needlewise.clinic.followup.short_links import grouped
from needlewise.domain.permissions import Action
from needlewise.domain.statuses import AlertStatus
from needlewise.domain.vocabulary import Lang
from needlewise.errors import InvalidInputError
from needlewise.reports.aftercare import CheckinLink, aftercare_body, aftercare_pdf
from needlewise.web.views.clinic_common import acting, clinic_page, field_errors, private_file
from needlewise.web.views.common import knowledge, lang_of, render


@require_safe
@clinic_page
def alert_list(request: HttpRequest) -> HttpResponse:
    """Open check-in alerts, most urgent first, and the adverse events recorded lately."""
    actor = acting(request)
    context = {
        "actor": actor,
        "alerts": alerts.alerts(actor, knowledge(), lang_of(request)),
        "events": adverse_events.recent(actor),
        "may_treat": actor.may(Action.RECORD_TREATMENT),
        "closed": request.GET.get("closed") == "1",
    }
    return render(request, "clinic/followup_alerts.html", context)


@require_http_methods(["GET", "POST"])
@clinic_page
def alert_acknowledge(request: HttpRequest, checkin_id: int) -> HttpResponse:
    """Close an alert once acted on, saying what was done (a choice and a note in words)."""
    actor = acting(request)
    values = {"action": request.POST.get("action", ""), "note": request.POST.get("note", "")}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            alerts.acknowledge(actor, checkin_id, values["action"], values["note"])
        except InvalidInputError as invalid:
            errors = field_errors(invalid)
        else:
            return HttpResponseRedirect(reverse("clinic-alerts") + "?closed=1")
    context = {
        "actor": actor,
        "alert": alerts.open_alert(actor, checkin_id, knowledge(), lang_of(request)),
        "actions": alerts.ACK_ACTIONS,
        "values": values,
        "errors": errors,
    }
    return render(request, "clinic/alert_acknowledge.html", context, status=422 if errors else 200)


@require_http_methods(["GET", "POST"])
@clinic_page
def adverse_new(request: HttpRequest, session_id: int) -> HttpResponse:
    """Record an adverse event against a session (from an alert, its check-in is preselected)."""
    actor = acting(request)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            event = adverse_events.record(actor, session_id, adverse_events.read(request.POST), knowledge())
        except InvalidInputError as invalid:
            errors = field_errors(invalid)
        else:
            return HttpResponseRedirect(reverse("clinic-adverse-event", args=[event.pk]))
        values = adverse_events.echo(request.POST)
    report = adverse_events.report_context(actor, session_id)
    open_alerts = [c.pk for c in report.checkins if c.alert == AlertStatus.OPEN.value]
    if request.method == "GET":  # an open alert of the session is chosen, and closing it ticked, unless told otherwise
        chosen = request.GET.get("checkin") or (str(open_alerts[0]) if open_alerts else "")
        values = {"outcome": "ongoing", "checkin": chosen, "close_alert": "1" if open_alerts else ""}
    context = {
        "actor": actor,
        "report": report,
        "open_alerts": open_alerts,
        "values": values,
        "errors": errors,
        "severities": SEVERITIES,
        "outcomes": OUTCOMES,
    }
    return render(request, "clinic/adverse_new.html", context, status=422 if errors else 200)


@require_http_methods(["GET", "POST"])
@clinic_page
def adverse_event(request: HttpRequest, event_id: int) -> HttpResponse:
    """One adverse event; practitioners update its outcome with a note."""
    actor = acting(request)
    errors: dict[str, list[str]] = {}
    posted = adverse_events.echo_outcome(request.POST)
    if request.method == "POST":
        try:
            adverse_events.update_outcome(actor, event_id, posted["outcome"], posted["note"])
        except InvalidInputError as invalid:
            errors = field_errors(invalid)
        else:
            return HttpResponseRedirect(reverse("clinic-adverse-event", args=[event_id]))
    event = adverse_events.get(actor, event_id)
    kinds = {k.kind_id: k for k in knowledge().treatment.adverse_event_kinds}
    context = {
        "actor": actor,
        "event": event,
        "kind": kinds.get(event.kind),
        "errors": errors,
        "values": posted if errors else {"outcome": event.outcome, "note": ""},
        "outcomes": OUTCOMES,
        "may_treat": actor.may(Action.RECORD_TREATMENT),
    }
    return render(request, "clinic/adverse_event.html", context, status=422 if errors else 200)


def _sheet_lang(request: HttpRequest, facts: AftercareFacts) -> Lang:
    code = request.GET.get("lang", "")
    if code in {lang.value for lang in Lang}:
        return Lang(code)
    return facts.lang or lang_of(request)


def _links(request: HttpRequest, facts: AftercareFacts, lang: Lang) -> list[CheckinLink]:
    suffix = f"?lang={lang.value}" if facts.lang is not None and lang is not facts.lang else ""
    return [
        CheckinLink(day, due_on, request.build_absolute_uri(reverse("checkin-short", args=[grouped(code)])) + suffix)
        for day, due_on, code in facts.checkins
    ]


@require_safe
@clinic_page
def aftercare(request: HttpRequest, session_id: int) -> HttpResponse:
    """The aftercare sheet in the client's language (``?lang=``), with the check-in links to give them."""
    actor = acting(request)
    facts = aftercare_facts(actor, session_id)
    sheet_lang = _sheet_lang(request, facts)
    body = aftercare_body(facts.sheet, knowledge(), sheet_lang, _links(request, facts, sheet_lang))
    context = {"actor": actor, "facts": facts, "sheet_lang": sheet_lang, "body": body}
    return render(request, "clinic/aftercare.html", context)


@require_safe
@clinic_page
def aftercare_download(request: HttpRequest, session_id: int) -> HttpResponse:
    """The aftercare sheet as a PDF to print or send."""
    facts = aftercare_facts(acting(request), session_id)
    sheet_lang = _sheet_lang(request, facts)
    pdf = aftercare_pdf(facts.sheet, knowledge(), sheet_lang, _links(request, facts, sheet_lang))
    return private_file(pdf, "application/pdf", f"aftercare-session-{session_id}.pdf", download=True)


urls: list[URLPattern] = [
    path("clinic/alerts/", alert_list, name="clinic-alerts"),
    path("clinic/alerts/<id:checkin_id>/acknowledge/", alert_acknowledge, name="clinic-alert-ack"),
    path("clinic/sessions/<id:session_id>/adverse-events/new/", adverse_new, name="clinic-adverse-new"),
    path("clinic/adverse-events/<id:event_id>/", adverse_event, name="clinic-adverse-event"),
    path("clinic/sessions/<id:session_id>/aftercare/", aftercare, name="clinic-aftercare"),
    path("clinic/sessions/<id:session_id>/aftercare.pdf", aftercare_download, name="clinic-aftercare-pdf"),
]
