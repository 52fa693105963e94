"""From the home journal to a clinic: choose a clinic, read what is sent, agree, send (no JavaScript needed).

The journal's key is in the path, so the clinics and the form are plain ``GET`` pages; the form posts
the consent text's digest back with it (:mod:`needlewise.clinic.intake.referral`). Every page is
``no-store`` and ``noindex`` as the journal's are; an unknown journal or clinic is ``404``, bad input
re-renders the form with ``422``, each error at its field and in a summary at the top.
"""

from __future__ import annotations

from django.core import signing
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_http_methods, require_safe

from needlewise import bootstrap
from needlewise.clinic.intake import public, referral
from needlewise.errors import InvalidInputError, NotFoundError
from needlewise.reports.numbers import for_readers
from needlewise.services import journal
from needlewise.web.views.clinic_common import anonymous_actor, field_errors, request_form, request_values
from needlewise.web.views.common import knowledge, lang_of, render, say
from needlewise.web.views.journal_public import missing
from needlewise.web.views.journal_return import private_page


def _not_found(request: HttpRequest, error: NotFoundError) -> HttpResponse:
    """``404``: the journal's own page when its link is unknown, the plain one for a clinic not taking requests."""
    if any(p.where == "key" for p in error.problems):
        return missing(request)
    return private_page(render(request, "error.html", {"status": 404, "message": say(error.problems[0])}, status=404))


@require_safe
def clinics(request: HttpRequest, token: str) -> HttpResponse:
    """The clinics that take requests, each a link to the referral form."""
    try:
        journal.find_record(bootstrap.journals(), token)
    except NotFoundError:
        return missing(request)
    context = {"token": token, "clinics": public.directory()}
    return private_page(render(request, "journal_referral_clinics.html", context))


def _sent_salt(token: str, slug: str) -> str:
    return f"journal-referral-sent:{token}:{slug}"


def sent_receipt(token: str, slug: str, request_id: int) -> str:
    """The sent page's ``r``: the request's number, signed for this journal and clinic (no health data)."""
    return signing.dumps(request_id, salt=_sent_salt(token, slug))


def _send(request: HttpRequest, token: str, slug: str, values: dict[str, str]) -> int:
    """Store the referral the form describes (the use case's errors go up)."""
    form = request_form(request, values)
    actor = anonymous_actor(request)
    digest = request.POST.get("consent_digest", "")
    store = bootstrap.journals()
    sent = referral.refer(
        actor, store, token, slug, form=form, kb=knowledge(), lang=lang_of(request), shown_digest=digest
    )
    return sent.pk


@require_http_methods(["GET", "HEAD", "POST"])
def send(request: HttpRequest, token: str, slug: str) -> HttpResponse:
    """What would be sent and the consent (GET); on POST, the referral is stored, or the form shows what is wrong."""
    values = request_values(request)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            sent_id = _send(request, token, slug, values)
        except NotFoundError as unknown:
            return _not_found(request, unknown)
        except InvalidInputError as invalid:
            errors = field_errors(invalid)
        else:  # Post/Redirect/Get: a reload of the next page sends nothing again
            where = reverse("journal-referral-sent", args=[token, slug])
            return private_page(HttpResponseRedirect(f"{where}?r={sent_receipt(token, slug, sent_id)}", status=303))
    try:
        about = referral.prepare(bootstrap.journals(), token, slug, knowledge(), lang_of(request))
    except NotFoundError as unknown:
        return _not_found(request, unknown)
    context = {
        "token": token,
        "about": about,
        "assessment": for_readers(about.view.assessment),
        "values": values,
        "errors": errors,
    }
    return private_page(render(request, "journal_referral.html", context, status=422 if errors else 200))


@require_safe
def sent(request: HttpRequest, token: str, slug: str) -> HttpResponse:
    """The referral was sent: the clinic's name and phone (reload-safe; ``r``: the signed request's number)."""
    try:
        journal.find_record(bootstrap.journals(), token)
        clinic = public.public_clinic(slug)
        signing.loads(request.GET.get("r", ""), salt=_sent_salt(token, slug))
    except signing.BadSignature:
        return private_page(render(request, "error.html", {"status": 404}, status=404))
    except NotFoundError as unknown:
        return _not_found(request, unknown)
    return private_page(render(request, "journal_referral_sent.html", {"token": token, "clinic": clinic}))


urls: list[URLPattern] = [
    path("journal/<str:token>/referral/", clinics, name="journal-referral"),
    path("journal/<str:token>/referral/<slug:slug>/", send, name="journal-referral-send"),
    path("journal/<str:token>/referral/<slug:slug>/sent/", sent, name="journal-referral-sent"),
]
