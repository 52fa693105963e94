"""Staff sign-in: password, then TOTP, lock-out, sign-out, password reset, the account page.

Owners and providers set TOTP up at their first sign-in; everyone else may turn it on. A reset
is a one-time link.

Failures say the same thing whether or not the account exists. A password reset never skips the
second factor: it only sets a password, and signing in still asks for the code.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.encoding import force_bytes, force_str
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from needlewise.clinic.access.actor import Actor
from needlewise.clinic.accounts import fields, lockout, second_factor, staff
from needlewise.clinic.audit import log as audit_log
from needlewise.domain.permissions import Role, needs_second_factor
from needlewise.errors import InvalidInputError
from needlewise.web.staff_session import actor_of, client_ip, staff_required, start
from needlewise.web.views.common import render

if TYPE_CHECKING:
    from needlewise.storage.models import StaffMember

PENDING = "nw_pending_user"
PENDING_AT = "nw_pending_at"
ENROL_SECRET = "nw_enrol_secret"  # noqa: S105 - a session key name, not a secret
PENDING_SECONDS = 300


def _request_id(request: HttpRequest) -> str:
    return str(request.META.get("NEEDLEWISE_REQUEST_ID", ""))


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/clinic/") and url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return target
    return reverse("clinic-home")


def _locked(request: HttpRequest, template: str, context: dict[str, object]) -> HttpResponse:
    message = _("Too many failed attempts. Wait a few minutes, then try again.")
    return render(request, template, {**context, "error": message}, status=429)


def _finish(request: HttpRequest, member: StaffMember) -> HttpResponse:
    """Sign the person in for real: a new session key, the verified mark, the audit row."""
    login(request, member.user, backend="needlewise.web.auth_backend.StaffBackend")
    start(request)
    lockout.clear_failures(member.user.username)
    actor = Actor.staff(member.user_id, member.clinic_id, Role(member.role), client_ip(request), _request_id(request))
    audit_log.record(actor, "sign_in", "session")
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
    email, password, ip = request.POST.get("email", ""), request.POST.get("password", ""), client_ip(request)
    if lockout.locked_out(email, ip):
        return _locked(request, "clinic/sign_in.html", context)
    user = authenticate(request, username=fields.normalise_email(email), password=password)
    member = staff.staff_of(user) if isinstance(user, User) else None
    if member is None:
        lockout.record_failure(email, ip, _request_id(request), "password")
        context["error"] = _("The e-mail address or the password is not right.")
        return render(request, "clinic/sign_in.html", context, status=401)
    if not member.totp_secret and not needs_second_factor(Role(member.role)):
        return _finish(request, member)
    request.session.cycle_key()
    request.session[PENDING], request.session[PENDING_AT] = member.user_id, time.time()
    step = "clinic-sign-in-code" if member.totp_secret else "clinic-enrol"
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
    ip = client_ip(request)
    if lockout.locked_out(member.user.username, ip):
        return _locked(request, "clinic/code.html", context)
    if second_factor.verify_totp(member, request.POST.get("code", "")):
        request.session.pop(PENDING, None)
        return _finish(request, member)
    lockout.record_failure(member.user.username, ip, _request_id(request), "second_factor")
    context["error"] = _("That code is not right, or was already used. Enter the current code from your app.")
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
        if second_factor.enrol_totp(member, secret, request.POST.get("code", "")):
            request.session.pop(ENROL_SECRET, None)
            if actor is not None:
                return HttpResponseRedirect(reverse("clinic-account") + "?enrolled=1")
            request.session.pop(PENDING, None)
            return _finish(request, member)
        context["error"] = _("That code does not match. Check the time on your phone and enter the current code.")
        return render(request, "clinic/enrol.html", context, status=422)
    return render(request, "clinic/enrol.html", context)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    """End the session on the server."""
    actor = actor_of(request)
    if actor is not None:
        audit_log.record(actor, "sign_out", "session")
    logout(request)
    return HttpResponseRedirect(reverse("clinic-sign-in") + "?signed_out=1")


@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    """Ask for a one-time link; the answer never says whether the account exists."""
    if request.method == "GET":
        return render(request, "clinic/reset.html", {"sent": False, "error": None})
    email = request.POST.get("email", "")
    user = staff.find_user(email)
    if user is not None and staff.staff_of(user) is not None:
        minutes = settings.PASSWORD_RESET_TIMEOUT // 60
        body = _("Use this link within %(minutes)s minutes to choose a new needlewise password:\n\n%(link)s\n")
        send_password_link(request, user, _("Your needlewise password"), body, minutes=minutes)
        audit_log.record(Actor.anonymous(client_ip(request), _request_id(request)), "reset_requested", "staff", user.pk)
    return render(request, "clinic/reset.html", {"sent": True, "error": None})


def send_password_link(request: HttpRequest, user: User, subject: str, body: str, **params: object) -> None:
    """Mail ``user`` a one-time link to choose a password; ``body`` places it with ``%(link)s``."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = request.build_absolute_uri(reverse("clinic-reset-confirm", args=[uid, token]))
    send_mail(subject, body % {**params, "link": link}, None, [user.email])


def _reset_user(uid: str, token: str) -> User | None:
    try:
        user_id = int(force_str(urlsafe_base64_decode(uid)))
    except (ValueError, TypeError):
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not default_token_generator.check_token(user, token):
        return None
    return user


@require_http_methods(["GET", "POST"])
def password_reset_confirm(request: HttpRequest, uid: str, token: str) -> HttpResponse:
    """Choose a new password with a valid one-time link (used up by the change itself)."""
    user = _reset_user(uid, token)
    if user is None:
        return render(request, "clinic/reset_confirm.html", {"valid": False, "errors": []}, status=400)
    if request.method == "GET":
        return render(request, "clinic/reset_confirm.html", {"valid": True, "errors": []})
    errors = _new_password_problems(request, user)
    if errors:
        return render(request, "clinic/reset_confirm.html", {"valid": True, "errors": errors}, status=422)
    user.set_password(request.POST["password"])
    user.save(update_fields=["password"])
    audit_log.record(Actor.anonymous(client_ip(request), _request_id(request)), "password_reset", "staff", user.pk)
    return HttpResponseRedirect(reverse("clinic-sign-in") + "?reset=1")


def _new_password_problems(request: HttpRequest, user: User) -> list[str]:
    password, again = request.POST.get("password", ""), request.POST.get("password_again", "")
    if password != again:
        return [_("The two new passwords are not the same.")]
    try:
        fields.check_password(password, user)
    except InvalidInputError as invalid:
        return [p.message for p in invalid.problems]
    return []


@staff_required
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    """Change one's password (current one required); see whether the second factor is on."""
    actor: Actor = request.actor  # type: ignore[attr-defined]
    user = User.objects.get(pk=actor.staff_user_id)
    member = staff.staff_of(user)
    context: dict[str, object] = {
        "actor": actor,
        "member": member,
        "errors": [],
        "changed": False,
        "enrolled": request.GET.get("enrolled") == "1",
    }
    if request.method == "POST":
        if not user.check_password(request.POST.get("current", "")):
            context["errors"] = [_("Your current password is not right.")]
        else:
            context["errors"] = _new_password_problems(request, user)
        if context["errors"]:
            return render(request, "clinic/account.html", context, status=422)
        user.set_password(request.POST["password"])
        user.save(update_fields=["password"])
        update_session_auth_hash(request, user)  # this session stays; every other one ends
        audit_log.record(actor, "update", "staff", member.pk if member else "", detail={"password": "changed"})
        context["changed"] = True
    return render(request, "clinic/account.html", context)
