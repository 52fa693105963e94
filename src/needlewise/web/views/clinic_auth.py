"""Staff sign-in: password, then TOTP, lock-out, sign-out, password reset, the account page.

Every role sets TOTP up at its first sign-in (see ``domain.permissions``); a recovery code may
stand in for a code. A reset is a one-time link.

These views only read the form, call the use case (:mod:`needlewise.clinic.accounts.sign_in` and
:mod:`needlewise.clinic.accounts.passwords`) and show the outcome; the session between the password
and the code, the words of the pages and messages, and the links' addresses are theirs.
Failures say the same thing whether or not the account exists.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import segno
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from needlewise import bootstrap
from needlewise.clinic.access.actor import Actor
from needlewise.clinic.accounts import passwords, recovery_codes, second_factor, staff
from needlewise.clinic.accounts import sign_in as signing_in
from needlewise.domain.permissions import Role, needs_second_factor
from needlewise.edge.request_actor import request_id
from needlewise.errors import InvalidInputError, NotFoundError, TooManyAttemptsError
from needlewise.web.after_response import after_response
from needlewise.web.signed_in_sessions import end_other_sessions, note_origin, own_sessions
from needlewise.web.staff_session import actor_of, client_ip, staff_required, start
from needlewise.web.views.clinic_recovery import show_codes
from needlewise.web.views.common import render

if TYPE_CHECKING:
    from needlewise.storage.models import StaffMember

PENDING = "nw_pending_user"
PENDING_AT = "nw_pending_at"
ENROL_SECRET = "nw_enrol_secret"  # noqa: S105 - a session key name, not a secret
PENDING_SECONDS = 300


def _at_the_door(request: HttpRequest) -> Actor:
    """The anonymous person of this request, before they are signed in."""
    return Actor.anonymous(client_ip(request), request_id(request))


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/clinic/") and url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return target
    return reverse("clinic-home")


def _locked(request: HttpRequest, template: str, context: dict[str, object], wait: int) -> HttpResponse:
    message = _("Too many failed attempts. Wait a few minutes, then try again.")
    response = render(request, template, {**context, "error": message}, status=429)
    response["Retry-After"] = str(wait)
    return response


def _establish(request: HttpRequest) -> signing_in.Establish:
    """Sign the person in for real: a new session key and the verified mark (the use case audits it)."""

    def establish(member: StaffMember) -> None:
        login(request, member.user, backend="needlewise.web.auth_backend.StaffBackend")
        start(request)
        note_origin(request)

    return establish


def _signed_in(request: HttpRequest) -> HttpResponse:
    request.session.pop(PENDING, None)
    return HttpResponseRedirect(_next(request))


def _pending(request: HttpRequest) -> StaffMember | None:
    user_id = request.session.get(PENDING)
    started = float(request.session.get(PENDING_AT, 0))
    if user_id is None or time.time() - started > PENDING_SECONDS:
        return None
    return staff.active_member(int(user_id))


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    """E-mail and password; then the second factor, or setting it up."""
    context: dict[str, object] = {
        "next": request.POST.get("next") or request.GET.get("next", ""),
        "timed_out": request.GET.get("timed_out") == "1",
        "email": request.POST.get("email", ""),
        "error": None,
    }
    if request.method == "GET":
        if actor_of(request) is not None:
            return HttpResponseRedirect(_next(request))
        return render(request, "clinic/sign_in.html", context)
    email, password = request.POST.get("email", ""), request.POST.get("password", "")
    attempt = signing_in.with_password(_at_the_door(request), email, password)
    if attempt.step is signing_in.Step.LOCKED:
        return _locked(request, "clinic/sign_in.html", context, attempt.wait)
    if attempt.step is signing_in.Step.REFUSED:
        context["error"] = _("The e-mail address or the password is not right.")
        return render(request, "clinic/sign_in.html", context, status=401)
    assert attempt.member is not None  # noqa: S101 - a right password names the member
    request.session.cycle_key()
    request.session[PENDING], request.session[PENDING_AT] = attempt.member.user_id, time.time()
    step = "clinic-sign-in-code" if attempt.step is signing_in.Step.CODE else "clinic-enrol"
    return HttpResponseRedirect(f"{reverse(step)}?{urlencode({'next': _next(request)}, safe='/')}")


@require_http_methods(["GET", "POST"])
def sign_in_code(request: HttpRequest) -> HttpResponse:
    """The six-digit code from the authenticator app."""
    member = _pending(request)
    if member is None:
        return HttpResponseRedirect(reverse("clinic-sign-in"))
    context: dict[str, object] = {"next": _next(request), "error": None}
    if request.method == "GET":
        return render(request, "clinic/code.html", context)
    code = request.POST.get("code", "")
    attempt = signing_in.with_code(_at_the_door(request), member, code, _establish(request))
    if attempt.step is signing_in.Step.LOCKED:
        return _locked(request, "clinic/code.html", context, attempt.wait)
    if attempt.recovery:  # signed in with a recovery code: the account page says how many are left
        request.session.pop(PENDING, None)
        return HttpResponseRedirect(reverse("clinic-account") + "?recovery_used=1")
    if attempt.step is signing_in.Step.SIGNED_IN:
        return _signed_in(request)
    context["error"] = _(
        "That code is not right, or was already used. Enter the current code from your app, or an unused recovery code."
    )
    return render(request, "clinic/code.html", context, status=401)


def _qr_context(secret: str, member: StaffMember) -> dict[str, object]:
    uri = second_factor.provisioning_uri(secret, member.user.username, member.clinic.name)
    svg = segno.make(uri, error="m").svg_inline(scale=4, title=_("QR code for your authenticator app"))
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return {"qr_svg": svg, "secret": grouped}


@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    """Set up the second factor: at first sign-in (pending) or from the account page (signed in)."""
    actor = actor_of(request)
    member = staff.staff_of(request.user) if actor is not None and isinstance(request.user, User) else None
    member = member or _pending(request)
    if member is None:
        return HttpResponseRedirect(reverse("clinic-sign-in"))
    if member.totp_secret:  # replacing a second factor would let the password alone stand in for it
        target = "clinic-account" if actor is not None else "clinic-sign-in-code"
        return HttpResponseRedirect(reverse(target))
    secret = request.session.get(ENROL_SECRET) or second_factor.new_totp_secret()
    request.session[ENROL_SECRET] = secret
    context: dict[str, object] = {
        "next": _next(request),
        "error": None,
        "required": needs_second_factor(Role(member.role)),
        **_qr_context(secret, member),
    }
    if request.method == "POST":
        code = request.POST.get("code", "")
        if actor is not None:
            codes = second_factor.enrol_totp(member, secret, code)
            if codes is not None:
                request.session.pop(ENROL_SECRET, None)
                return show_codes(request, codes, reverse("clinic-account") + "?enrolled=1")
        else:
            attempt = signing_in.with_new_second_factor(
                _at_the_door(request), member, secret, code, _establish(request)
            )
            if attempt.step is signing_in.Step.SIGNED_IN:
                request.session.pop(ENROL_SECRET, None)
                request.session.pop(PENDING, None)
                return show_codes(request, list(attempt.codes), _next(request))
        context["error"] = _("That code does not match. Check the time on your phone and enter the current code.")
        return render(request, "clinic/enrol.html", context, status=422)
    return render(request, "clinic/enrol.html", context)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    """End the session on the server."""
    actor = actor_of(request)
    if actor is None:
        logout(request)
    else:
        signing_in.sign_out(actor, lambda: logout(request))
    return HttpResponseRedirect(reverse("clinic-sign-in") + "?signed_out=1")


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
    email, actor, link_to = request.POST.get("email", ""), _at_the_door(request), password_link_to(request)
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
        passwords.reset_password(_at_the_door(request), uid, token, _new_password(request))
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
    """Change one's password (current one required); see whether the second factor is on."""
    actor: Actor = request.actor  # type: ignore[attr-defined]
    context: dict[str, object] = {
        "actor": actor,
        "member": passwords.own_account(actor),
        "errors": [],
        "changed": False,
        "enrolled": request.GET.get("enrolled") == "1",
        "recovery_used": request.GET.get("recovery_used") == "1",
        "codes_left": recovery_codes.own_left(actor),
        "sessions": own_sessions(request),
        "ended": _count(request.GET.get("ended", "")),
    }
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
