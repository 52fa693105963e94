"""Owner and clinical-lead pages: staff, the clinic's public page, re-screening, intake (audit log: clinic_audit)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from needlewise import bootstrap
from needlewise.clinic.access.actor import Actor
from needlewise.clinic.accounts import clinic_settings as clinic_profile
from needlewise.clinic.accounts import staff as staff_accounts
from needlewise.clinic.accounts.fields import Reaching
from needlewise.clinic.followup import rescreen
from needlewise.clinic.intake import inbox
from needlewise.clinic.sign_in import passwords
from needlewise.domain.contact import Contact
from needlewise.domain.permissions import CLINICAL_ROLES, NEEDLE_SCOPE_MM, PERMISSIONS, Action, Role
from needlewise.errors import ConflictError, InvalidInputError, Problem
from needlewise.reports.journal_summary import staff_summary
from needlewise.reports.staff import staff_screening
from needlewise.services.time_zones import zone_choices
from needlewise.web.views.clinic_common import acting, clinic_page, field_errors
from needlewise.web.views.clinic_password import password_link_to
from needlewise.web.views.common import knowledge, lang_of, render


@require_http_methods(["GET", "POST"])
@clinic_page
def staff(request: HttpRequest) -> HttpResponse:
    """The clinic's staff and the permission table; owners add colleagues (who get a set-password link)."""
    actor = acting(request)
    errors: dict[str, list[str]] = {}
    values = {"email": "", "display_name": "", "role": Role.NURSE.value}
    added = None
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in values}
        role = Role(values["role"]) if values["role"] in set(Role) else None
        try:
            member = staff_accounts.add_staff(actor, _new_staff(values, role))
        except (InvalidInputError, ConflictError) as invalid:
            errors = field_errors(invalid)
        else:
            link = _send_welcome(request, member.user)
            added = member
            values = {"email": "", "display_name": "", "role": Role.NURSE.value}
            return _staff_page(request, actor, values=values, added=added, invite_link=_shown(link))
    return _staff_page(request, actor, errors=errors, values=values, added=added)


def _shown(link: str) -> str | None:
    """The invitation link to show the owner: only when no mail server delivers it (the server log has it)."""
    return None if bootstrap.messages_reach_people() else link


def _staff_page(request: HttpRequest, actor: Actor, **shown: object) -> HttpResponse:
    """The Staff page with what the last action left to show (errors, values, a new colleague)."""
    members = staff_accounts.staff_list(actor)
    context = {
        "actor": actor,
        "members": members,
        "me": next(m for m in members if m.user_id == actor.user_id),
        "errors": {},
        "values": {"email": "", "display_name": "", "role": Role.NURSE.value},
        "added": None,
        "roles": list(Role),
        "clinical_roles": [r for r in Role if r in CLINICAL_ROLES],
        "actions": list(Action),
        "permissions": PERMISSIONS,
        "scope": NEEDLE_SCOPE_MM,
        "role_errors": [],
        "invite_link": None,
        "resent": None,
        "link_minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
        "role_saved": request.GET.get("clinical_role") == "saved",
        **shown,
    }
    refused = bool(shown.get("errors") or shown.get("role_errors"))
    return render(request, "clinic/staff.html", context, status=422 if refused else 200)


@require_POST
@clinic_page
def staff_clinical_role(request: HttpRequest) -> HttpResponse:
    """The owner gives themself a clinical role (or changes it, or gives it up): one account for one person."""
    actor = acting(request)
    try:
        staff_accounts.set_own_clinical_role(actor, request.POST.get("clinical_role", ""))
    except InvalidInputError:
        return _staff_page(request, actor, role_errors=[_("Choose provider, nurse or aesthetician, or none.")])
    return HttpResponseRedirect(reverse("clinic-staff") + "?clinical_role=saved")


def _new_staff(values: dict[str, str], role: Role | None) -> staff_accounts.NewStaff:
    if role is None:
        raise InvalidInputError([Problem("role", _("choose one of the roles listed"))])
    return staff_accounts.NewStaff(values["email"], values["display_name"], role)


def _welcome_mail() -> passwords.LinkMail:
    """The welcome link; an address that has an account with another clinic is told of the invitation instead."""
    body = _("You have a needlewise account. Choose your password with this link:\n\n%(link)s\n")
    held = _(
        "%(clinic)s added this e-mail address to its staff on needlewise. This address already has a "
        "needlewise account with another clinic, and one account belongs to one clinic, so nothing changed "
        "for your account and no new one was made.\n\nTo work with %(clinic)s as well, give them another "
        "e-mail address of yours. If you do not know them, you can ignore this message.\n"
    )
    return passwords.LinkMail(
        _("Your needlewise account"), body, held=passwords.LinkMail(_("A clinic invited you to needlewise"), held)
    )


def _send_welcome(request: HttpRequest, user: User) -> str:
    return passwords.send_password_link(bootstrap.message_sender(), user, password_link_to(request), _welcome_mail())


@require_POST
@clinic_page
def staff_invitation(request: HttpRequest, staff_id: int) -> HttpResponse:
    """Send a colleague who has not chosen a password a new link (the old ones stop working)."""
    actor = acting(request)
    member, link = passwords.resend_invitation(
        actor,
        staff_id,
        sender=bootstrap.message_sender(),
        link_to=password_link_to(request),
        mail=_welcome_mail(),
    )
    return _staff_page(request, actor, resent=member, invite_link=_shown(link))


@require_POST
@clinic_page
def staff_active(request: HttpRequest, staff_id: int) -> HttpResponse:
    """Deactivate or reactivate a colleague (who then gets a link to choose a new password)."""
    member = staff_accounts.set_active(acting(request), staff_id, active=request.POST.get("active") == "1")
    if member.user.is_active:
        _send_welcome(request, member.user)
    return HttpResponseRedirect(reverse("clinic-staff"))


@require_POST
@clinic_page
def staff_second_factor(request: HttpRequest, staff_id: int) -> HttpResponse:
    """Turn a colleague's second factor off after a lost phone; they set it up at their next sign-in."""
    staff_accounts.reset_second_factor(acting(request), staff_id)
    return HttpResponseRedirect(reverse("clinic-staff"))


@require_http_methods(["GET", "POST"])
@clinic_page
def clinic_settings(request: HttpRequest) -> HttpResponse:
    """The clinic's public page: name, city, services, whether it takes requests, contact details for clients."""
    actor = acting(request)
    clinic_profile.require_owner_page(actor)
    clinic = clinic_profile.own_clinic(actor)
    errors: dict[str, list[str]] = {}
    saved = False
    if request.method == "POST":
        page = clinic_profile.ClinicPage(
            name=request.POST.get("name", ""),
            city=request.POST.get("city", ""),
            services=request.POST.get("services", ""),
            accepts_requests=request.POST.get("accepts_requests") == "1",
            screening_valid_days=request.POST.get("screening_valid_days"),
            contact=_contact(request),
            reaching=_reaching(request),
        )
        try:
            clinic = clinic_profile.update_clinic(actor, page)
            saved = True
        except InvalidInputError as invalid:
            errors = field_errors(invalid)
    mail_missing = bootstrap.mail_channel_missing()
    context = {"actor": actor, "clinic": clinic, "errors": errors, "saved": saved, "mail_missing": mail_missing}
    context |= {"sms_missing": bootstrap.sms_channel_missing(), "zones": zone_choices()}
    return render(request, "clinic/settings.html", context, status=422 if errors else 200)


def _contact(request: HttpRequest) -> Contact | None:
    """The contact details posted (None when the form had none: they stay as they are)."""
    if "phone" not in request.POST:
        return None
    return Contact(
        phone=request.POST.get("phone", ""),
        address=request.POST.get("address", ""),
        out_of_hours=request.POST.get("out_of_hours", ""),
        time_zone=request.POST.get("time_zone", ""),
    )


def _reaching(request: HttpRequest) -> Reaching | None:
    """The on-call contact and reminder hours posted (None when the form had none: they stay as they are)."""
    if "reminder_hours" not in request.POST:
        return None
    return Reaching(
        on_call_email=request.POST.get("on_call_email", ""),
        on_call_phone=request.POST.get("on_call_phone", ""),
        reminder_hours=request.POST.get("reminder_hours", ""),
    )


@require_safe
@clinic_page
def rescreen_page(request: HttpRequest) -> HttpResponse:
    """Clients whose latest screening would now come out at a higher tier."""
    actor = acting(request)
    report = rescreen.report(actor, knowledge())
    return render(request, "clinic/rescreen.html", {"actor": actor, "report": report})


@require_safe
@clinic_page
def intake_queue(request: HttpRequest) -> HttpResponse:
    """Consultation requests sent by people from their result page."""
    actor = acting(request)
    status = request.GET.get("status", "open")
    status = status if status in {"open", "accepted", "declined"} else "open"
    rows = inbox.queue(actor, status)
    return render(request, "clinic/intake.html", {"actor": actor, "rows": rows, "status": status})


@require_safe
@clinic_page
def intake_request(request: HttpRequest, request_id: int) -> HttpResponse:
    """One request: contact details, message, the consent given, the assessment sent and a journal's summary.

    A journal's summary is read with the knowledge base's words in the page's language (it is stored as sent).
    """
    return _intake_request_page(request, request_id)


def _intake_request_page(request: HttpRequest, request_id: int, decision_error: str = "") -> HttpResponse:
    actor = acting(request)
    row = inbox.get(actor, request_id)
    body = row.document.body
    assert isinstance(body, dict)  # noqa: S101 - only store_document writes documents, always objects
    kb, lang = knowledge(), lang_of(request)
    staff = staff_screening(body, kb, lang)
    sent = row.journal_summary
    journal = staff_summary(sent, kb, lang) if isinstance(sent, dict) else None
    context = {"actor": actor, "row": row, "staff": staff, "journal": journal, "decision_error": decision_error}
    return render(request, "clinic/intake_request.html", context, status=422 if decision_error else 200)


@require_POST
@clinic_page
def intake_decide(request: HttpRequest, request_id: int) -> HttpResponse:
    """Accept (a client and a first screening are made) or decline a request; anything else is asked again (422)."""
    actor = acting(request)
    decision = request.POST.get("decision")
    if decision == "accept":
        client = inbox.accept(actor, request_id, knowledge())
        return HttpResponseRedirect(reverse("clinic-client", args=[client.pk]))
    if decision != "decline":  # a missing or unknown answer never declines anyone
        return _intake_request_page(request, request_id, _("Choose whether to make them a client or to decline."))
    inbox.decline(actor, request_id)
    return HttpResponseRedirect(reverse("clinic-intake"))
