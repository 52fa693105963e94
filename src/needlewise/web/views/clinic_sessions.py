"""Staff pages: check and record a treatment session, a session's record, its photos."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from needlewise.clinic.followup import checkins
from needlewise.clinic.records import plans
from needlewise.clinic.treatment import finding_words, photos, recording, session_checks, session_form, sessions
from needlewise.clinic.treatment.recording import Outcome
from needlewise.domain.permissions import Action
from needlewise.domain.treatment import CheckCode, Triage
from needlewise.errors import InvalidInputError, SessionBlockedError
from needlewise.web.views.clinic_common import acting, clinic_page, field_errors, private_file
from needlewise.web.views.common import knowledge, lang_of, render, say

if TYPE_CHECKING:
    from needlewise.storage.models import TreatmentSession


@require_http_methods(["GET", "POST"])
@clinic_page
def session_new(request: HttpRequest, client_id: int) -> HttpResponse:
    """The session form: "Check" runs the day's checks, "Record" stores the session if they all pass."""
    actor, kb, lang = acting(request), knowledge(), lang_of(request)
    begun = sessions.start(actor, client_id)
    planned = {zone: finding_words.millimetres(mm) for zone, mm in begun.planned.items()}
    values: dict[str, object] = {"passes": "", "lang": "en", **{f"zone_{z}": mm for z, mm in planned.items()}}
    errors: dict[str, list[str]] = {}
    outcome: Outcome | None = None
    blocked: list[str] = []
    status = 200
    if request.method == "POST" and begun.plan is not None:
        values = session_form.echo(request.POST, planned)
        form = session_form.read(request.POST, begun.plan.pk, planned)
        try:
            if request.POST.get("action") == "record":
                done = recording.record(actor, client_id, form, kb)
                assert done.session is not None  # noqa: S101 - record() raises unless it stored the session
                return HttpResponseRedirect(reverse("clinic-session", args=[done.session.pk]) + "?recorded=1")
            outcome = recording.check(actor, client_id, form, kb)
        except InvalidInputError as invalid:  # a zone's problem is shown on its own field ("zones.x" -> "zone_x")
            errors = {k.replace("zones.", "zone_", 1): v for k, v in field_errors(invalid).items()}
            status = 422
        except SessionBlockedError as refused:
            blocked, status = [say(session_checks.explain(c, kb, lang)) for c in refused.checks], 409
    context = {
        "actor": actor,
        "begun": begun,
        "planned": planned,
        "values": values,
        "errors": errors,
        "outcome": outcome,
        "blocked": blocked,
        "explain": lambda result: say(session_checks.explain(result, kb, lang)),
        "check_name": lambda result: gettext(session_checks.NAMES[result.code]),
    }
    return render(request, "clinic/session_form.html", context, status=status)


def _session_context(request: HttpRequest, session: TreatmentSession) -> dict[str, object]:
    actor, kb, lang = acting(request), knowledge(), lang_of(request)
    assert actor.clinic_id is not None  # noqa: S101 - a signed-in staff member has a clinic

    def describe(row: dict[str, Any]) -> str:
        return finding_words.describe(plans.finding_of(row), kb, lang)

    return {
        "actor": actor,
        "session": session,
        "check_name": lambda code: gettext(session_checks.NAMES[CheckCode(code)]),
        "triage_words": {
            Triage.EXPECTED.value: gettext("expected course"),
            Triage.CALL_CLINIC.value: gettext("call the clinic"),
            Triage.SEEK_CARE_NOW.value: gettext("seek care now"),
        },
        "photos": photos.photos_of(actor.clinic_id, session.pk),
        "recorded": request.GET.get("recorded") == "1",
        "may_treat": actor.may(Action.RECORD_TREATMENT),
        "describe": describe,
        "checkins": [
            (c.checkin, request.build_absolute_uri(reverse("checkin", args=[c.token])))
            for c in checkins.session_checkins(session)
        ],
        "errors": {},
    }


@require_safe
@clinic_page
def session_page(request: HttpRequest, session_id: int) -> HttpResponse:
    """A recorded session: what was done, the checks it passed, warnings, check-ins and photos."""
    session = sessions.get(acting(request), session_id)
    return render(request, "clinic/session.html", _session_context(request, session))


@require_POST
@clinic_page
def photo_add(request: HttpRequest, session_id: int) -> HttpResponse:
    """Attach a photo (metadata removed) to a session."""
    actor = acting(request)
    upload = request.FILES.get("photo")
    try:
        photos.add(actor, session_id, upload.read() if upload else b"", request.POST.get("caption", ""))
    except InvalidInputError as invalid:
        context = _session_context(request, sessions.get(actor, session_id))
        context["errors"] = field_errors(invalid)
        return render(request, "clinic/session.html", context, status=422)
    return HttpResponseRedirect(reverse("clinic-session", args=[session_id]) + "#photos")


@require_safe
@clinic_page
def photo(request: HttpRequest, photo_id: int) -> HttpResponse:
    """A photo's bytes, never cached."""
    data, content_type = photos.image(acting(request), photo_id)
    return private_file(data, content_type, f"photo-{photo_id}.jpg", download=False)


urls: list[URLPattern] = [
    path("clinic/clients/<int:client_id>/sessions/new/", session_new, name="clinic-session-new"),
    path("clinic/sessions/<int:session_id>/", session_page, name="clinic-session"),
    path("clinic/sessions/<int:session_id>/photos/", photo_add, name="clinic-session-photo-add"),
    path("clinic/photos/<int:photo_id>/", photo, name="clinic-photo"),
]
