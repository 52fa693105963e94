"""Staff pages: check and record a treatment session, a session's record, its photos."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from needlewise.clinic.followup import checkins
from needlewise.clinic.records import plans
from needlewise.clinic.treatment import finding_words, photos, recording, session_checks, sessions
from needlewise.clinic.treatment.recording import Outcome
from needlewise.clinic.treatment.session_form import NumbingForm, SessionForm
from needlewise.domain.permissions import Action
from needlewise.domain.treatment import CheckCode, Triage
from needlewise.domain.vocabulary import Lang
from needlewise.errors import InvalidInputError, SessionBlockedError
from needlewise.web.views.clinic_common import acting, clinic_page, field_errors, form_date, private_file
from needlewise.web.views.common import knowledge, lang_of, render, say

if TYPE_CHECKING:
    from needlewise.storage.models import TreatmentSession

_TEXT_FIELDS = (
    "device_model",
    "device_kind",
    "device_serial",
    "cartridge_lot",
    "cartridge_serial",
    "cartridge_expiry",
    "passes",
    "end_point",
    "numbing_product",
    "numbing_lidocaine_percent",
    "numbing_minutes",
    "pain_score",
    "immediate_reactions",
    "notes",
    "lang",
)
_FLAGS = ("numbing_compounded", "numbing_occluded", "numbing_broken_skin", "numbing_heat")


def _form(request: HttpRequest, plan_id: int, planned: dict[str, object]) -> SessionForm:
    post = request.POST
    return SessionForm(
        plan_id=plan_id,
        device_model=post.get("device_model", ""),
        device_kind=post.get("device_kind", ""),
        device_serial=post.get("device_serial", ""),
        cartridge_lot=post.get("cartridge_lot", ""),
        cartridge_serial=post.get("cartridge_serial", ""),
        cartridge_expiry=form_date(post.get("cartridge_expiry")),
        zones={z: post.get(f"zone_{z}", "") for z in planned if post.get(f"zone_{z}", "").strip()},
        passes=post.get("passes", ""),
        end_point=post.get("end_point", ""),
        numbing=NumbingForm(
            product=post.get("numbing_product", ""),
            lidocaine_percent=post.get("numbing_lidocaine_percent", ""),
            compounded="numbing_compounded" in post,
            zones=tuple(post.getlist("numbing_zones")),
            minutes=post.get("numbing_minutes", ""),
            occluded="numbing_occluded" in post,
            broken_skin="numbing_broken_skin" in post,
            heat="numbing_heat" in post,
        ),
        pain_score=post.get("pain_score", ""),
        immediate_reactions=post.get("immediate_reactions", ""),
        products_applied=tuple(post.getlist("products_applied")),
        notes=post.get("notes", ""),
        lang=Lang.ES if post.get("lang") == "es" else Lang.EN,
    )


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
        values = {k: request.POST.get(k, "") for k in _TEXT_FIELDS}
        values |= {f"zone_{z}": request.POST.get(f"zone_{z}", "") for z in planned}
        values |= {k: k in request.POST for k in _FLAGS}
        values |= {"numbing_zones": request.POST.getlist("numbing_zones")}
        values |= {"products_applied": request.POST.getlist("products_applied")}
        form = _form(request, begun.plan.pk, dict(planned))
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


@require_GET
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


@require_GET
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
