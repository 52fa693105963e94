"""Staff sign-in: password, then TOTP, lock-out, sign-out; choosing a password is :mod:`.clinic_password`.

Every role sets TOTP up at its first sign-in (see ``domain.permissions``); a recovery code may
stand in for a code. A reset is a one-time link.

These views only read the form, call the use case (:mod:`needlewise.clinic.sign_in.sign_in` and
:mod:`needlewise.clinic.sign_in.passwords`) and show the outcome; the session between the password
and the code, the words of the pages and messages, and the links' addresses are theirs.
Failures say the same thing whether or not the account exists.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import segno
from django.contrib.auth import login, logout
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from needlewise.clinic.access.actor import Actor
from needlewise.clinic.accounts import staff
from needlewise.clinic.sign_in import second_factor
from needlewise.clinic.sign_in import sign_in as signing_in
from needlewise.domain.permissions import Role, needs_second_factor
from needlewise.edge.request_actor import request_id
from needlewise.web.signed_in_sessions import note_origin
from needlewise.web.staff_session import actor_of, client_ip, start
from needlewise.web.views.clinic_recovery import show_codes
from needlewise.web.views.common import render

if TYPE_CHECKING:
    from needlewise.storage.models import StaffMember

PENDING = "nw_pending_user"
PENDING_AT = "nw_pending_at"
ENROL_SECRET = "nw_enrol_secret"  # noqa: S105 - a session key name, not a secret
PENDING_SECONDS = 300


def at_the_door(request: HttpRequest) -> Actor:
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
    attempt = signing_in.with_password(at_the_door(request), email, password)
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
    attempt = signing_in.with_code(at_the_door(request), member, code, _establish(request))
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
            attempt = signing_in.with_new_second_factor(at_the_door(request), member, secret, code, _establish(request))
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
