"""From the home journal to a clinic: choose a clinic, read what is sent, agree, send (no JavaScript needed).

The journal's key is in the path, so the clinics and the form are plain ``GET`` pages; the form posts
the consent text's digest back with it (:mod:`needlewise.clinic.intake.referral`). Every page is
``no-store`` and ``noindex`` as the journal's are; an unknown journal or clinic is ``404``, bad input
re-renders the form with ``422``, each error at its field and in a summary at the top.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.views.decorators.http import require_http_methods, require_safe

from needlewise import bootstrap
from needlewise.clinic.access.actor import Actor
from needlewise.clinic.intake import public, referral
from needlewise.errors import InvalidInputError, NotFoundError
from needlewise.reports.numbers import for_readers
from needlewise.services import journal
from needlewise.web.staff_session import client_ip
from needlewise.web.views.clinic_common import field_errors, form_date
from needlewise.web.views.common import knowledge, lang_of, render, say
from needlewise.web.views.journal_public import missing, private_page

FIELDS = ("given_name", "family_name", "birth_date", "email", "phone", "message")


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


def _send(request: HttpRequest, token: str, slug: str, values: dict[str, str]) -> None:
    """Store the referral the form describes (the use case's errors go up)."""
    form = public.RequestForm(
        given_name=values["given_name"],
        family_name=values["family_name"],
        birth_date=form_date(values["birth_date"]),
        email=values["email"],
        phone=values["phone"],
        message=values["message"],
        consent=request.POST.get("consent") == "yes",
    )
    actor = Actor.anonymous(client_ip(request), str(request.META.get("NEEDLEWISE_REQUEST_ID", "")))
    digest = request.POST.get("consent_digest", "")
    store = bootstrap.journals()
    referral.refer(actor, store, token, slug, form=form, kb=knowledge(), lang=lang_of(request), shown_digest=digest)


@require_http_methods(["GET", "HEAD", "POST"])
def send(request: HttpRequest, token: str, slug: str) -> HttpResponse:
    """What would be sent and the consent (GET); on POST, the referral is stored, or the form shows what is wrong."""
    values = {k: request.POST.get(k, "") for k in FIELDS}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            _send(request, token, slug, values)
        except NotFoundError as unknown:
            return _not_found(request, unknown)
        except InvalidInputError as invalid:
            errors = field_errors(invalid)
        else:
            context = {"token": token, "clinic": public.public_clinic(slug)}
            return private_page(render(request, "journal_referral_sent.html", context, status=201))
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


urls: list[URLPattern] = [
    path("journal/<str:token>/referral/", clinics, name="journal-referral"),
    path("journal/<str:token>/referral/<slug:slug>/", send, name="journal-referral-send"),
]
