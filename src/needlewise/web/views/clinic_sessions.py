"""Staff pages: check and record a treatment session, a session's record, its photos."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from needlewise.clinic.contact import answers, checkin_links
from needlewise.clinic.followup import checkin_tokens
from needlewise.clinic.records import plans
from needlewise.clinic.treatment import finding_words, photos, recording, session_checks, session_form, sessions
from needlewise.clinic.treatment.recording import Outcome
from needlewise.clinic.treatment.sessions import SessionStart
from needlewise.domain.permissions import Action
from needlewise.domain.statuses import Channel
from needlewise.domain.treatment import CheckCode, Triage
from needlewise.errors import InvalidInputError, SessionBlockedError
from needlewise.web import client_messages
from needlewise.web.uploads import takes_upload
from needlewise.web.views.clinic_common import acting, clinic_page, field_errors, private_file
from needlewise.web.views.common import knowledge, lang_of, render, say

if TYPE_CHECKING:
    from needlewise.storage.models import TreatmentSession


@dataclass(frozen=True, slots=True)
class _Step:
    """What the session form shows: step 1 (the day's checks) or step 2 (the treatment), and why."""

    values: dict[str, object]
    step: int = 1
    errors: dict[str, list[str]] = field(default_factory=dict)
    outcome: Outcome | None = None
    blocked: tuple[str, ...] = ()
    status: int = 200
    carry: bool = False  # step 2 was shown: step 1 keeps its values, hidden, for when it is shown again


#: The session form's fixed messages (no number in them), translated when shown; the others stay as worded.
FIXED_MESSAGES = (
    gettext_noop("this field is required"),
    gettext_noop("enter the cartridge's expiry date as YYYY-MM-DD"),
    gettext_noop("enter the needle length used on at least one zone"),
    gettext_noop("choose treatment zones from the list"),
    gettext_noop("name the numbing product, or leave its details empty"),
    gettext_noop("this zone is not in the treatment plan; add it to a plan first"),
)


def _field_order(planned: Mapping[str, str]) -> list[str]:
    """The fields in the order the form shows them (the error summary follows it)."""
    first = [*session_form.CheckFields.model_fields, *(f"zone_{zone}" for zone in planned), "zones"]
    return first + [name for name in session_form.SessionFields.model_fields if name not in first]


def _errors(invalid: InvalidInputError, planned: Mapping[str, str]) -> dict[str, list[str]]:
    """Each field's messages in the page's language, in the form's order (a zone's "zones.x" shown at "zone_x")."""
    errors: dict[str, list[str]] = {}
    for problem in invalid.problems:
        message = say(problem) if problem.template else gettext(problem.message)  # unknown text: as it is
        errors.setdefault(problem.where.replace("zones.", "zone_", 1), []).append(message)
    order = _field_order(planned)
    return dict(sorted(errors.items(), key=lambda item: order.index(item[0]) if item[0] in order else len(order)))


def _answer(
    request: HttpRequest, client_id: int, begun: SessionStart, planned: Mapping[str, str]
) -> _Step | HttpResponse:
    """The form posted: check (step 1), change what was checked, or record; the step to show next, or the session."""
    actor, kb, lang = acting(request), knowledge(), lang_of(request)
    assert begun.plan is not None  # noqa: S101 - the caller shows no form without a plan
    values = session_form.echo(request.POST, planned)
    action = request.POST.get("action", "check")
    carry = "end_point" in request.POST
    if action == "change":
        return _Step(values, carry=carry)
    form = session_form.read(request.POST, begun.plan.pk, planned)
    try:
        if action == "record":
            done = recording.record(actor, client_id, form, kb, client_messages.checkin_messages(request))
            assert done.session is not None  # noqa: S101 - record() raises unless it stored the session
            return HttpResponseRedirect(reverse("clinic-session", args=[done.session.pk]) + "?recorded=1")
        outcome = recording.check(actor, client_id, form, kb)
    except InvalidInputError as invalid:
        errors = _errors(invalid, planned)
        step_one = _field_order(planned)[: len(session_form.CheckFields.model_fields) + len(planned) + 1]
        return _Step(values, 1 if set(step_one) & set(errors) else 2, errors, status=422, carry=carry)
    except SessionBlockedError as refused:
        blocked = tuple(say(session_checks.explain(c, kb, lang)) for c in refused.checks)
        return _Step(values, blocked=blocked, status=409, carry=carry)
    if outcome.blocked:
        blocked = tuple(say(session_checks.explain(c, kb, lang)) for c in outcome.blocked)
        return _Step(values, outcome=outcome, blocked=blocked, status=409, carry=carry)
    if not carry:  # step 2 shown for the first time: offer the plan's products
        values |= sessions.treatment_values(begun, kb)
    return _Step(values, 2, outcome=outcome)


@require_http_methods(["GET", "POST"])
@clinic_page
def session_new(request: HttpRequest, client_id: int) -> HttpResponse:
    """The session form in two steps: the day's checks first (step 1); only if they pass, the treatment (step 2).

    "Record the session" runs every check again before anything is stored.
    """
    actor, kb, lang = acting(request), knowledge(), lang_of(request)
    begun = sessions.start(actor, client_id)
    planned = {zone: finding_words.millimetres(mm) for zone, mm in begun.planned.items()}
    step: _Step | HttpResponse = _Step(sessions.first_values(begun, timezone.now()))
    if request.method == "POST" and begun.plan is not None:
        step = _answer(request, client_id, begun, planned)
    if isinstance(step, HttpResponse):
        return step
    context = {
        "actor": actor,
        "begun": begun,
        "planned": planned,
        "step": step,
        "values": step.values,
        "errors": step.errors,
        "check_fields": list(session_form.CheckFields.model_fields),
        "explain": lambda result: say(session_checks.explain(result, kb, lang)),
        "check_name": lambda result: gettext(session_checks.NAMES[result.code]),
    }
    return render(request, "clinic/session_form.html", context, status=step.status)


def _session_context(request: HttpRequest, session: TreatmentSession) -> dict[str, object]:
    actor, kb, lang = acting(request), knowledge(), lang_of(request)
    assert actor.clinic_id is not None  # noqa: S101 - a signed-in staff member has a clinic

    def describe(row: dict[str, Any]) -> str:
        return finding_words.describe(plans.finding_of(row), kb, lang)

    listed = checkin_tokens.session_checkins(session)
    ids = [c.checkin.pk for c in listed]
    asked = request.GET.get("link", "")
    shown = int(asked) if asked.isdecimal() and len(asked) <= 3 else None  # noqa: PLR2004 - a day number

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
        # A check-in link is the key to the client's answers: the page shows one only when asked
        # ("Show link", for a client who lost their sheet); the aftercare sheet prints them all.
        "checkins": [
            (
                c.checkin,
                request.build_absolute_uri(reverse("checkin", args=[c.token])) if shown == c.checkin.day else "",
            )
            for c in listed
        ],
        "sent_by": [gettext(answers.CHANNEL_WORDS[Channel(c)]) for c in checkin_links.channels_of(ids)],
        "errors": {},
    }


@require_safe
@clinic_page
def session_page(request: HttpRequest, session_id: int) -> HttpResponse:
    """A recorded session: what was done, the checks it passed, warnings, check-ins and photos."""
    session = sessions.get(acting(request), session_id)
    return render(request, "clinic/session.html", _session_context(request, session))


@takes_upload(photos.MAX_BYTES, Action.RECORD_TREATMENT, "photo")
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
    path("clinic/clients/<id:client_id>/sessions/new/", session_new, name="clinic-session-new"),
    path("clinic/sessions/<id:session_id>/", session_page, name="clinic-session"),
    path("clinic/sessions/<id:session_id>/photos/", photo_add, name="clinic-session-photo-add"),
    path("clinic/photos/<id:photo_id>/", photo, name="clinic-photo"),
]
