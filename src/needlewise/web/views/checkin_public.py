"""The client's check-in page behind a private link: a few red-flag questions, then what to do.

Each question is answered yes, no or not sure (radio buttons, all required: one left unanswered is a
422 naming it at the question and in the error summary; nothing is saved). A "not sure" is triaged as
"yes", and the outcome says so.

No sign-in: the link is the key, its full form or the short one printed on the aftercare sheet. The page
speaks the language the check-in was scheduled in (the client's) unless ``?lang=`` asks for another; the
answer form posts with the usual CSRF token.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path, reverse
from django.utils import translation
from django.views.decorators.http import require_http_methods

from needlewise import bootstrap
from needlewise.api.statuses import status_of
from needlewise.clinic.access.actor import Actor
from needlewise.clinic.followup import checkin_form, checkins
from needlewise.clinic.followup.checkins import CheckinView
from needlewise.clinic.followup.staff_alerts import StaffAlertMail
from needlewise.domain.vocabulary import Lang
from needlewise.edge.request_actor import client_ip, request_id
from needlewise.errors import ConflictError, InvalidInputError, NotFoundError, TooManyAttemptsError
from needlewise.web.public_limits import too_many
from needlewise.web.views.common import knowledge, render, say


def _page(request: HttpRequest, view: CheckinView, lang: Lang, extra: dict[str, object], status: int) -> HttpResponse:
    policy = knowledge().treatment.checkin
    context = {
        "view": view,
        "page_lang": lang,
        "outcome": policy.outcome[view.triage].in_(lang) if view.triage else None,
        "asked_citations": sorted(
            {c for q in view.questions if q.question_id in view.yes_ids | view.not_sure_ids for c in q.citations}
        ),
        "answer_field": checkin_form.answer_field,
        "errors": {},
        "given": {},
        "policy_citations": policy.citations,
        "conflict": False,
        **extra,
    }
    with translation.override(lang.value):
        response = render(request, "checkin.html", context, status=status)
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "same-origin"  # "no-referrer" makes browsers post with Origin: null (CSRF 403)
    return response


def _staff_mail(request: HttpRequest) -> StaffAlertMail:
    """The messages to the clinic's practitioners and on-call contact when an answer opens an alert.

    No health data: the clinic's name and the alerts list's address, in English and Spanish.
    """
    subjects, texts, sms = [], [], []
    for code in ("en", "es"):
        with translation.override(code):
            subjects.append(translation.gettext("A client's check-in needs attention"))
            texts.append(
                translation.gettext(
                    "A client's check-in answers at %(clinic)s need a practitioner. Sign in to needlewise to see them:"
                )
            )
            sms.append(translation.gettext("a client's check-in at %(clinic)s needs attention. Sign in to see it:"))
    link = request.build_absolute_uri(reverse("clinic-alerts"))
    text = "".join(f"{words}\n\n%(link)s\n\n" for words in texts).rstrip("\n") + "\n"
    subject = "needlewise, %(clinic)s: " + " / ".join(subjects)
    return StaffAlertMail(
        bootstrap.message_sender(), subject, text, link, "needlewise: " + " / ".join(sms) + " %(link)s"
    )


@require_http_methods(["GET", "HEAD", "POST"])
def checkin(request: HttpRequest, token: str) -> HttpResponse:
    """GET (and HEAD): the day's questions (or the answer given); POST: send the answers, see what to do."""
    actor = Actor.anonymous(client_ip(request), request_id(request))
    kb = knowledge()
    posted = checkin_form.read(request.POST)
    code = request.GET.get("lang", "")
    asked = checkin_form.asked_lang(code) if code else posted.lang
    try:
        view = checkins.open_checkin(actor, token, kb) if request.method != "POST" else None
        if view is None:
            view = checkins.answer(actor, token, posted.answers, kb, staff_mail=_staff_mail(request))
    except TooManyAttemptsError as guessing:
        return too_many(request, guessing.wait)
    except NotFoundError as missing:
        status = status_of(missing).status
        return render(request, "error.html", {"status": status}, status=status)
    except InvalidInputError as invalid:
        view = checkins.open_checkin(actor, token, kb)
        lang = asked or view.lang
        with translation.override(lang.value):
            errors = {p.where: [say(p)] for p in invalid.problems}
        given = {key: said.value for key, said in posted.answers.items()}
        return _page(request, view, lang, {"errors": errors, "given": given}, status_of(invalid).status)
    except ConflictError as conflict:
        view = checkins.open_checkin(actor, token, kb)
        return _page(request, view, asked or view.lang, {"conflict": True}, status_of(conflict).status)
    return _page(request, view, asked or view.lang, {}, 200)


urls: list[URLPattern] = [
    path("checkin/<str:token>/", checkin, name="checkin"),
    path("c/<str:token>", checkin, name="checkin-short"),  # the short code printed with a QR code
]
