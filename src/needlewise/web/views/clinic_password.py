"""Staff passwords: a one-time link to choose one (reset or invitation), the account page that changes it.

The account page also sets one's own mobile number for red-flag alerts
(:mod:`needlewise.clinic.accounts.alert_phone`), in a form of its own on the same address.
These views only read the form, call the use case (:mod:`needlewise.clinic.sign_in.passwords`) and
show the outcome. Asking for a link says the same thing whether or not the account exists.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth import update_session_auth_hash
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from needlewise import bootstrap
from needlewise.clinic.access.actor import Actor
from needlewise.clinic.accounts import alert_phone
from needlewise.clinic.sign_in import passwords, recovery_codes
from needlewise.clinic.sign_in import sign_in as signing_in
from needlewise.errors import InvalidInputError, NotFoundError, TooManyAttemptsError
from needlewise.web.after_response import after_response
from needlewise.web.signed_in_sessions import end_other_sessions, own_sessions
from needlewise.web.staff_session import staff_required
from needlewise.web.views.clinic_auth import at_the_door
from needlewise.web.views.clinic_common import field_errors
from needlewise.web.views.common import render


def password_link_to(request: HttpRequest) -> passwords.LinkTo:
    """The absolute address of the page that takes a one-time link's parts, on this request's host."""

    def link_to(uid: str, token: str) -> str:
        return request.build_absolute_uri(reverse("clinic-reset-confirm", args=[uid, token]))

    return link_to


@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    """Ask for a one-time link; the answer never says whether the account exists."""
    if request.method == "GET":
        return render(request, "clinic/reset.html", {"sent": False, "error": None})
    mail = passwords.LinkMail(
        _("Your needlewise password"),
        _("Use this link within %(minutes)s minutes to choose a new needlewise password:\n\n%(link)s\n"),
    )
    email, actor, link_to = request.POST.get("email", ""), at_the_door(request), password_link_to(request)
    page = render(request, "clinic/reset.html", {"sent": True, "error": None})
    if not passwords.count_reset(email):
        return page
    # Whether the account exists, and the mail, only once the answer has gone: its time tells nothing.
    return after_response(
        page,
        lambda: passwords.request_reset(actor, email, sender=bootstrap.message_sender(), link_to=link_to, mail=mail),
    )


@require_http_methods(["GET", "POST"])
def password_reset_confirm(request: HttpRequest, uid: str, token: str) -> HttpResponse:
    """Choose a password with a valid one-time link (used up by the change itself).

    A colleague's first link (an invitation: no password yet) names the clinic and asks them to
    choose their password; a reset asks for a new one.
    """
    holder = passwords.invitation_holder(uid, token)
    context: dict[str, object] = {
        "valid": holder is not None,
        "errors": [],
        "clinic_name": holder.clinic.name if holder else "",
        "invitation": holder is not None and not holder.user.has_usable_password(),
    }
    if request.method == "GET":
        return render(request, "clinic/reset_confirm.html", context, status=200 if holder else 400)
    try:
        passwords.reset_password(at_the_door(request), uid, token, _new_password(request))
    except NotFoundError:
        context["valid"] = False
        return render(request, "clinic/reset_confirm.html", context, status=400)
    except InvalidInputError as refused:
        context["errors"] = _words(refused)
        return render(request, "clinic/reset_confirm.html", context, status=422)
    return HttpResponseRedirect(reverse("clinic-sign-in") + "?reset=1")


def _new_password(request: HttpRequest) -> passwords.NewPassword:
    return passwords.NewPassword(request.POST.get("password", ""), request.POST.get("password_again", ""))


def _words(refused: InvalidInputError) -> list[str]:
    """The page's words for a refused password (the validators' own messages are already translated)."""
    words = {
        passwords.MISMATCH: _("The two new passwords are not the same."),
        passwords.WRONG_CURRENT: _("Your current password is not right."),
    }
    return [words.get(problem.where, problem.message) for problem in refused.problems]


def _count(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) < 6 else None  # noqa: PLR2004 - a short number


@staff_required
@require_POST
def sign_out_others(request: HttpRequest) -> HttpResponse:
    """End one's other signed-in sessions (audited); back to the account page, which says how many."""
    ended = signing_in.sign_out_others(request.actor, lambda: end_other_sessions(request))  # type: ignore[attr-defined]
    return HttpResponseRedirect(f"{reverse('clinic-account')}?{urlencode({'ended': ended})}")


@staff_required
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    """Change one's password (current one required) or one's alert phone; see whether the second factor is on."""
    actor: Actor = request.actor  # type: ignore[attr-defined]
    member = passwords.own_account(actor)
    context: dict[str, object] = {
        "actor": actor,
        "member": member,
        "phone_values": {alert_phone.FIELD: member.alert_phone},
        "phone_errors": {},
        "phone_saved": request.GET.get("phone") if request.GET.get("phone") in _PHONE_SAVED else None,
        "errors": [],
        "changed": False,
        "enrolled": request.GET.get("enrolled") == "1",
        "recovery_used": request.GET.get("recovery_used") == "1",
        "codes_left": recovery_codes.own_left(actor),
        "sessions": own_sessions(request),
        "ended": _count(request.GET.get("ended", "")),
    }
    if request.method == "POST" and request.POST.get("form") == alert_phone.FIELD:
        return _save_alert_phone(request, actor, context)
    if request.method == "POST":
        try:
            user = passwords.change_password(actor, request.POST.get("current", ""), _new_password(request))
        except TooManyAttemptsError as locked:
            context["errors"] = [_("Too many failed attempts. Wait a few minutes, then try again.")]
            response = render(request, "clinic/account.html", context, status=429)
            response["Retry-After"] = str(locked.wait)
            return response
        except InvalidInputError as refused:
            context["errors"] = _words(refused)
            return render(request, "clinic/account.html", context, status=422)
        update_session_auth_hash(request, user)  # this session stays; every other one ends
        context["changed"] = True
    return render(request, "clinic/account.html", context)


_PHONE_SAVED = ("set", "cleared")


def _save_alert_phone(request: HttpRequest, actor: Actor, context: dict[str, object]) -> HttpResponse:
    """Set or clear one's alert phone, then back to the account page, which says which; a refused number is 422."""
    typed = request.POST.get(alert_phone.FIELD, "")
    try:
        member = alert_phone.set_alert_phone(actor, typed)
    except InvalidInputError as refused:
        context["phone_errors"] = field_errors(refused)
        context["phone_values"] = {alert_phone.FIELD: typed}
        return render(request, "clinic/account.html", context, status=422)
    saved = _PHONE_SAVED[0] if member.alert_phone else _PHONE_SAVED[1]
    return HttpResponseRedirect(f"{reverse('clinic-account')}?{urlencode({'phone': saved})}")
