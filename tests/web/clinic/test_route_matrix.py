"""Every clinic route, for anonymous and each role, on the own and on another clinic's records (T2/T3).

``POLICY`` is the committed table of who may use which route; a route added to ``clinic_urls``
without a line here fails :func:`test_every_clinic_route_has_a_policy`. For each request the
matrix checks the status, that the other clinic's client never shows, that refused requests and
every GET changed no row (``audit_entry``, its head row ``audit_head`` and ``django_session`` aside),
and that allowed writes did change rows.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from clinic.checkin_support import answer as answer_checkin
from clinic.checkin_support import form_answers
from clinic.followup_support import checkin_of, session_row, short_of
from clinic.treatment_support import SCAN_PDF, TINY_PNG, consent_template, plan, signed_consent, staff_actor
from clinic_factories import SITE_TIME_ZONE, clinic_today
from needlewise.bootstrap import knowledge_base
from needlewise.clinic.access.actor import Actor
from needlewise.clinic.consent import signatures
from needlewise.clinic.followup import adverse_events
from needlewise.clinic.recall import use_cases as recall
from needlewise.clinic.scheduling import appointments
from needlewise.clinic.treatment import photos
from needlewise.domain.permissions import Action, Role, allows
from needlewise.storage.models import Consent, ConsentTemplate, RecallContact, StaffMember, TreatmentPlan
from needlewise.web.urls import clinic_urls
from web.clinic.messages_support import failed_message
from web.clinic.support import (
    HOME_CLINIC_STATE,
    Site,
    actor_for,
    body,
    interview_state,
    make_site,
    signed_in,
    table_hashes,
)

PUBLIC = "public"  # anyone, signed in or not
ANY_STAFF = "any staff"  # any signed-in staff member, whatever the role
ANONYMOUS = "anonymous"
OWN, OTHER = "own", "other"

Data = Callable[[Site], dict[str, str]]


def _none(site: Site) -> dict[str, str]:
    del site
    return {}


@dataclass(frozen=True)
class Call:
    """One request to a route and the status it gets when allowed (anonymously / signed in, for public routes)."""

    ok: int
    data: Data = _none
    staff_ok: int | None = None  # public routes that answer signed-in staff differently
    writes: bool = False  # an allowed request changes rows besides the audit log and the sessions
    # roles whose member answers otherwise (on a staff route, that member's request is the one that writes)
    staff_ok_for: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Policy:
    """Who may use a route, what the route's id refers to, and the requests the matrix makes."""

    who: str | Action
    calls: dict[str, Call]
    target: str | None = None  # client, screening, request, staff: the id taken from the URL
    kwargs: Callable[[Site], dict[str, object]] = field(default=lambda _site: {})


def _today(offset: int = 0) -> str:
    return (clinic_today() + timedelta(days=offset)).isoformat()


def _reason(site: Site) -> dict[str, str]:
    del site
    return {"reason": "The client collapsed; the paramedics ask what she was screened for."}


def _client_details(site: Site) -> dict[str, str]:
    del site
    return {"given_name": "Newton", "family_name": "Figtree", "birth_date": "1985-01-02", "phone": "555 123 4567"}


def _screen_step(site: Site) -> dict[str, str]:
    del site
    # The first page of the staff screening, every question answered (the age comes from the date of birth).
    first_page = {
        "skin-now": "none",
        "pregnant": "no",
        "history": "none",
        "medications": "none",
        "isotretinoin": "never",
        "recent-procedures": "none",
        "goals": "none",
        "areas": "none",
        "device-kind": "undecided",
    }
    answers = {f"{question}:answer": text for question, text in first_page.items()}
    return {"state": interview_state({"setting": "clinic", "age": "30"}), "action": "next", **answers}


def _clearance(site: Site) -> dict[str, str]:
    del site
    reason = "Seen in person; the stop reason no longer applies."
    return {"reason": reason, "cleared_on": _today(), "expires_on": _today(30)}


def _new_colleague(site: Site) -> dict[str, str]:
    return {"email": f"colleague@{site.clinic.slug}.example.org", "display_name": "Colleague", "role": "nurse"}


def _clinic_page(site: Site) -> dict[str, str]:
    del site
    return {"name": "Renamed clinic", "city": "Newtown", "services": "Facials", "accepts_requests": "1"}


def _reset_link(site: Site) -> dict[str, object]:
    user = User.objects.get(pk=site.members[Role.FRONT_DESK].user_id)  # fresh: its last_login is in the token
    return {"uid": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user)}


def _home_result(site: Site) -> dict[str, str]:
    del site
    return {"state": interview_state(HOME_CLINIC_STATE), "action": "open"}


def _client_id(site: Site) -> dict[str, object]:
    return {"client_id": site.client.pk}


def _stop_screening(site: Site) -> dict[str, object]:
    return {"screening_id": site.stop.pk}


def _ok_screening(site: Site) -> dict[str, object]:
    return {"screening_id": site.ok.pk}


def _request_id(site: Site) -> dict[str, object]:
    return {"request_id": site.request.pk}


def _front_desk_id(site: Site) -> dict[str, object]:
    return {"staff_id": site.members[Role.FRONT_DESK].pk}


def _provider_id(site: Site) -> dict[str, object]:
    return {"staff_id": site.members[Role.PROVIDER].pk}


def _slug(site: Site) -> dict[str, object]:
    return {"slug": site.clinic.slug}


def _template_id(site: Site) -> dict[str, object]:
    return {"template_id": ConsentTemplate.objects.filter(clinic=site.clinic).latest("version").pk}


def _drawn_consent_id(site: Site) -> dict[str, object]:
    return {"consent_id": Consent.objects.filter(clinic=site.clinic, method="drawn").latest("pk").pk}


def _paper_consent_id(site: Site) -> dict[str, object]:
    return {"consent_id": Consent.objects.filter(clinic=site.clinic, method="paper").latest("pk").pk}


def _plan_id(site: Site) -> dict[str, object]:
    return {"plan_id": TreatmentPlan.objects.filter(clinic=site.clinic).latest("pk").pk}


def _consent_intros(site: Site) -> dict[str, str]:
    del site
    return {"intro_en": "Welcome.", "intro_es": "Bienvenida."}


def _signature(site: Site) -> dict[str, str]:
    data_url = "data:image/png;base64," + base64.b64encode(TINY_PNG).decode()
    template = ConsentTemplate.objects.filter(clinic=site.clinic).latest("version")
    return {
        "template_id": str(template.pk),
        "lang": "en",
        "typed_name": "Zed",
        "method": "drawn",
        "signature_data": data_url,
    }


def _plan_form(site: Site) -> dict[str, str]:
    del site
    return {"goals": "glow", "zone_cheeks": "0.5", "sessions_planned": "3"}


def _session(site: Site) -> dict[str, object]:
    return {"session_id": session_row(site, knowledge_base()).pk}


def _checkin_token(site: Site) -> dict[str, object]:
    return {"token": checkin_of(session_row(site, knowledge_base()), 1)[1]}


def _checkin_short(site: Site) -> dict[str, object]:
    return {"token": short_of(session_row(site, knowledge_base()), 1)[1]}


def _day_1_answers(_site: Site) -> dict[str, str]:
    """Every question of a day-1 check-in answered (pus yes, the others no)."""
    return form_answers(knowledge_base(), 1, {"pus"})


def _open_alert(site: Site) -> dict[str, object]:
    checkin, token = checkin_of(session_row(site, knowledge_base()), 1)
    answer_checkin(Actor.anonymous("192.0.2.1", "matrix"), token, {"pus"}, knowledge_base())
    return {"checkin_id": checkin.pk}


def _adverse_report(site: Site) -> dict[str, str]:
    del site
    return {"kind": "pih", "severity": "mild", "onset_on": _today(), "outcome": "ongoing", "description": "Matrix."}


def _what_was_done(site: Site) -> dict[str, str]:
    del site
    return {"action": "called_client", "note": "Matrix."}


def _adverse_event(site: Site) -> dict[str, object]:
    form = adverse_events.AdverseEventForm("pih", "mild", False, clinic_today(), "ongoing", "Matrix.")  # noqa: FBT003 - not serious
    nurse = actor_for(site.members[Role.NURSE])
    session_id = int(str(_session(site)["session_id"]))
    return {"event_id": adverse_events.record(nurse, session_id, form, knowledge_base()).pk}


def _booking(site: Site) -> dict[str, str]:
    return {"practitioner": str(site.members[Role.NURSE].user_id), "date": _today(1), "time": "10:00", "minutes": "60"}


def _appointment(site: Site) -> dict[str, object]:
    starts_at = timezone.now().replace(microsecond=0) + timedelta(days=1)
    desk = actor_for(site.members[Role.FRONT_DESK])
    nurse = site.members[Role.NURSE].user_id
    return {"appointment_id": appointments.book(desk, site.client.pk, nurse, starts_at, 60).pk}


def _session_form(site: Site) -> dict[str, str]:
    plan_zones = TreatmentPlan.objects.filter(clinic=site.clinic).latest("pk").zones.all()
    lengths = {f"zone_{z.zone}": str(z.length_mm) for z in plan_zones}
    expiry = _today(300)
    now = timezone.now().astimezone(ZoneInfo(SITE_TIME_ZONE))
    return {
        "performed_date": now.date().isoformat(),
        "performed_time": now.strftime("%H:%M"),
        "device_model": "Pen",
        "device_kind": "pen",
        "cartridge_lot": "LOT-M",
        "cartridge_serial": "SN-M",
        "cartridge_expiry": expiry,
        "passes": "2",
        "end_point": "erythema",
        "action": "record",
        **lengths,
    }


def _photo_upload(site: Site) -> dict[str, object]:
    del site
    return {"photo": SimpleUploadedFile("p.png", TINY_PNG), "caption": "Matrix"}


def _photo(site: Site) -> dict[str, object]:
    nurse = actor_for(site.members[Role.NURSE])
    return {"photo_id": photos.add(nurse, session_row(site, knowledge_base()).pk, TINY_PNG).pk}


LOT = "LOT-2031-A"  # the lot of followup_support.session_row


def _lot_query(site: Site) -> dict[str, str]:
    del site
    return {"kind": "lot", "key": LOT}


def _lot_treated(site: Site) -> dict[str, object]:
    session_row(site, knowledge_base())  # made before the request: the mark has a client to mark
    return {}


def _mark(site: Site) -> dict[str, str]:
    del site
    return {"kind": "lot", "key": LOT, "reason": "Supplier recalled the lot."}


def _recall_contact(site: Site) -> dict[str, object]:
    session = session_row(site, knowledge_base())
    recall.mark_for_contact(actor_for(site.members[Role.NURSE]), "lot", LOT, "Supplier recalled the lot.")
    return {"contact_id": RecallContact.objects.get(clinic=site.clinic, client_id=session.client_id).pk}


def _failed_message(site: Site) -> dict[str, object]:
    return {"message_id": failed_message(site.clinic.pk, f"matrix:{site.clinic.pk}").pk}


GET, POST = "get", "post"
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

#: route name -> who may use it. Statuses are those of an allowed request on the own clinic's records.
POLICY: dict[str, Policy] = {
    "clinic-home": Policy(ANY_STAFF, {GET: Call(200)}),
    "clinic-sign-in": Policy(
        PUBLIC,
        {GET: Call(200, staff_ok=302), POST: Call(401, lambda _s: {"email": "nobody@example.org", "password": "x"})},
    ),
    "clinic-sign-in-code": Policy(PUBLIC, {GET: Call(302)}),
    # the front desk member has a second factor already (see `sites`): set-up sends them to their account
    "clinic-enrol": Policy(PUBLIC, {GET: Call(302, staff_ok=200, staff_ok_for={"front_desk": 302})}),
    "clinic-sign-out": Policy(PUBLIC, {POST: Call(302)}),
    "clinic-reset": Policy(PUBLIC, {GET: Call(200)}),
    "clinic-reset-confirm": Policy(PUBLIC, {GET: Call(200)}, kwargs=_reset_link),
    "clinic-account": Policy(ANY_STAFF, {GET: Call(200)}),
    "clinic-sign-out-others": Policy(ANY_STAFF, {POST: Call(302)}),
    # only the front desk's member has a second factor here: the others are sent back to their account page
    "clinic-recovery-codes": Policy(ANY_STAFF, {POST: Call(302, staff_ok_for={"front_desk": 200})}),
    "clinic-clients": Policy(Action.VIEW_CLIENTS, {GET: Call(200)}),
    "clinic-client-new": Policy(Action.EDIT_CLIENTS, {GET: Call(200), POST: Call(302, _client_details, writes=True)}),
    "clinic-client": Policy(Action.VIEW_CLIENTS, {GET: Call(200)}, "client", _client_id),
    "clinic-client-edit": Policy(
        Action.EDIT_CLIENTS, {GET: Call(200), POST: Call(302, _client_details, writes=True)}, "client", _client_id
    ),
    "clinic-contact-consent": Policy(
        Action.EDIT_CLIENTS,
        {POST: Call(302, lambda _s: {"channel": "sms", "granted": "1", "method": "by_phone"}, writes=True)},
        "client",
        _client_id,
    ),
    "clinic-client-archive": Policy(Action.ARCHIVE_CLIENTS, {POST: Call(302, writes=True)}, "client", _client_id),
    # break-glass: only a role without health data opens anything (the front desk's request writes)
    "clinic-emergency-access": Policy(
        Action.VIEW_CLIENTS,
        {POST: Call(302, _reason, staff_ok_for={"front_desk": 302})},
        "client",
        _client_id,
    ),
    "clinic-screen": Policy(
        Action.SCREEN_CLIENTS, {GET: Call(200), POST: Call(200, _screen_step)}, "client", _client_id
    ),
    "clinic-screening": Policy(Action.VIEW_HEALTH, {GET: Call(200)}, "screening", _ok_screening),
    "clinic-screening-pdf": Policy(Action.VIEW_HEALTH, {GET: Call(200)}, "screening", _ok_screening),
    "clinic-clearance": Policy(
        Action.RECORD_CLEARANCE,
        {GET: Call(200), POST: Call(302, _clearance, writes=True)},
        "screening",
        _stop_screening,
    ),
    "clinic-intake": Policy(Action.MANAGE_INTAKE, {GET: Call(200)}),
    "clinic-intake-request": Policy(Action.MANAGE_INTAKE, {GET: Call(200)}, "request", _request_id),
    "clinic-intake-decide": Policy(
        Action.MANAGE_INTAKE, {POST: Call(302, lambda _s: {"decision": "accept"}, writes=True)}, "request", _request_id
    ),
    "clinic-rescreen": Policy(Action.VIEW_HEALTH, {GET: Call(200)}),
    "clinic-staff": Policy(Action.MANAGE_STAFF, {GET: Call(200), POST: Call(200, _new_colleague, writes=True)}),
    "clinic-staff-active": Policy(
        Action.MANAGE_STAFF, {POST: Call(302, lambda _s: {"active": "0"}, writes=True)}, "staff", _front_desk_id
    ),
    "clinic-staff-clinical-role": Policy(
        Action.MANAGE_STAFF, {POST: Call(302, lambda _s: {"clinical_role": "nurse"}, writes=True)}
    ),
    "clinic-staff-invitation": Policy(Action.MANAGE_STAFF, {POST: Call(409)}, "staff", _front_desk_id),
    "clinic-staff-second-factor": Policy(Action.MANAGE_STAFF, {POST: Call(302, writes=True)}, "staff", _front_desk_id),
    "clinic-settings": Policy(Action.EDIT_CLINIC_PAGE, {GET: Call(200), POST: Call(200, _clinic_page, writes=True)}),
    "clinic-audit": Policy(Action.VIEW_AUDIT, {GET: Call(200)}),
    "clinic-messages": Policy(Action.MANAGE_STAFF, {GET: Call(200)}),
    "clinic-message-resend": Policy(Action.MANAGE_STAFF, {POST: Call(302, writes=True)}, "message", _failed_message),
    "clinic-audit-export": Policy(Action.VIEW_AUDIT, {GET: Call(200)}),
    "clinics": Policy(PUBLIC, {GET: Call(200)}),
    "clinics-choose": Policy(PUBLIC, {POST: Call(200, _home_result)}),
    "clinic-public": Policy(PUBLIC, {GET: Call(200)}, kwargs=_slug),
    "clinic-send": Policy(PUBLIC, {POST: Call(200, _home_result)}, kwargs=_slug),
    "clinic-consent-templates": Policy(
        Action.MANAGE_CONSENT, {GET: Call(200), POST: Call(302, _consent_intros, writes=True)}
    ),
    "clinic-consent-template": Policy(Action.MANAGE_CONSENT, {GET: Call(200)}, "template", _template_id),
    "clinic-consent-sign": Policy(
        Action.RECORD_TREATMENT, {GET: Call(200), POST: Call(302, _signature, writes=True)}, "client", _client_id
    ),
    "clinic-consent": Policy(Action.VIEW_HEALTH, {GET: Call(200)}, "consent", _drawn_consent_id),
    "clinic-consent-signature": Policy(Action.VIEW_HEALTH, {GET: Call(200)}, "consent", _drawn_consent_id),
    "clinic-consent-scan": Policy(Action.VIEW_HEALTH, {GET: Call(200)}, "consent", _paper_consent_id),
    "clinic-plan-new": Policy(
        Action.RECORD_TREATMENT, {GET: Call(200), POST: Call(302, _plan_form, writes=True)}, "client", _client_id
    ),
    "clinic-plan": Policy(Action.VIEW_HEALTH, {GET: Call(200)}, "plan", _plan_id),
    "clinic-plan-close": Policy(Action.RECORD_TREATMENT, {POST: Call(302, writes=True)}, "plan", _plan_id),
    # the client's latest screening is an uncleared stop result: the record is refused with the reasons
    "clinic-session-new": Policy(
        Action.RECORD_TREATMENT, {GET: Call(200), POST: Call(409, _session_form)}, "client", _client_id
    ),
    "clinic-session": Policy(Action.VIEW_HEALTH, {GET: Call(200)}, "session", _session),
    "clinic-session-photo-add": Policy(
        Action.RECORD_TREATMENT, {POST: Call(302, _photo_upload, writes=True)}, "session", _session
    ),
    "clinic-photo": Policy(Action.VIEW_HEALTH, {GET: Call(200)}, "photo", _photo),
    "clinic-alerts": Policy(Action.VIEW_HEALTH, {GET: Call(200)}),
    "clinic-alert-ack": Policy(
        Action.RECORD_TREATMENT, {GET: Call(200), POST: Call(302, _what_was_done, writes=True)}, "checkin", _open_alert
    ),
    "clinic-adverse-new": Policy(
        Action.RECORD_TREATMENT, {GET: Call(200), POST: Call(302, _adverse_report, writes=True)}, "session", _session
    ),
    # its POST (outcome update, record_treatment) is checked in test_followup_pages
    "clinic-adverse-event": Policy(Action.VIEW_HEALTH, {GET: Call(200)}, "adverse_event", _adverse_event),
    "clinic-aftercare": Policy(Action.VIEW_HEALTH, {GET: Call(200)}, "session", _session),
    "clinic-aftercare-pdf": Policy(Action.VIEW_HEALTH, {GET: Call(200)}, "session", _session),
    "clinic-schedule": Policy(Action.MANAGE_SCHEDULE, {GET: Call(200)}),
    "clinic-book": Policy(
        Action.MANAGE_SCHEDULE, {GET: Call(200), POST: Call(302, _booking, writes=True)}, "client", _client_id
    ),
    "clinic-appointment-ics": Policy(Action.MANAGE_SCHEDULE, {GET: Call(200)}, "appointment", _appointment),
    "clinic-appointment-move": Policy(
        Action.MANAGE_SCHEDULE,
        {GET: Call(200), POST: Call(302, lambda _s: {"date": _today(2), "time": "15:00"}, writes=True)},
        "appointment",
        _appointment,
    ),
    "clinic-appointment-cancel": Policy(
        Action.MANAGE_SCHEDULE, {POST: Call(302, writes=True)}, "appointment", _appointment
    ),
    "clinic-recall": Policy(Action.RUN_RECALL, {GET: Call(200, _lot_query)}, kwargs=_lot_treated),
    "clinic-recall-export": Policy(Action.RUN_RECALL, {GET: Call(200, _lot_query)}, kwargs=_lot_treated),
    "clinic-recall-mark": Policy(Action.RUN_RECALL, {POST: Call(302, _mark, writes=True)}, kwargs=_lot_treated),
    "clinic-recall-contacts": Policy(Action.RUN_RECALL, {GET: Call(200)}),
    "clinic-recall-contact-done": Policy(
        Action.RUN_RECALL,
        {POST: Call(302, lambda _s: {"note": "Phoned; no symptoms."}, writes=True)},
        "recall_contact",
        _recall_contact,
    ),
    "checkin": Policy(PUBLIC, {GET: Call(200), POST: Call(200, _day_1_answers)}, kwargs=_checkin_token),
    "checkin-short": Policy(PUBLIC, {GET: Call(200), POST: Call(200, _day_1_answers)}, kwargs=_checkin_short),
}

#: Requests known to answer wrongly (see the reasons); strict, so a fix shows up as XPASS.
# Bugs the matrix found are fixed; a new one is listed here (route, method, role, whose) with its reason.
KNOWN_BUGS: dict[tuple[str, str, str, str], str] = {}


def _cases() -> Iterator[object]:
    for name, policy in POLICY.items():
        for method in policy.calls:
            for who in (ANONYMOUS, *(role.value for role in Role)):
                for whose in (OWN, OTHER) if policy.target else (OWN,):
                    key = (name, method, who, whose)
                    marks = [pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[key])] if key in KNOWN_BUGS else []
                    yield pytest.param(*key, id="-".join(key), marks=marks)


@pytest.fixture(scope="module")
def sites(django_db_setup, django_db_blocker) -> Iterator[tuple[Site, Site]]:
    """Both clinics, built once for the module inside a transaction rolled back at its end.

    Each test runs in its own savepoint inside it, so what one request changes is gone for the next.
    """
    del django_db_setup
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            built = (
                make_site("Clinic Alpha", "alpha", "Zephyrine", "Quixotelle"),
                make_site("Clinic Beta", "beta", "Barnaby", "Oakenshield"),
            )
            kb = knowledge_base()
            for site in built:  # consent text, a drawn and a paper consent, and a plan for the treatment routes
                template = consent_template(site, kb)
                signed_consent(site, kb)
                signatures.sign(
                    staff_actor(site, Role.NURSE),
                    site.client.pk,
                    template_id=template.pk,
                    lang="en",
                    typed_name="Paper Signer",
                    method="paper",
                    signature_png=None,
                    scan=SCAN_PDF,
                    scan_content_type="application/pdf",
                    kb=kb,
                )
                plan(site, kb)
            for site in built:  # a second factor for the lost-phone reset to turn off (not a signed-in
                # role's: a staff member who has one is sent from the set-up page to their account page)
                StaffMember.objects.filter(pk=site.members[Role.FRONT_DESK].pk).update(totp_secret="A" * 32)
            yield built
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def test_every_clinic_route_has_a_policy():
    names = {pattern.name for pattern in clinic_urls}
    assert names - POLICY.keys() == set(), "add these routes to POLICY"
    assert POLICY.keys() - names == set(), "these POLICY lines name no route"


def test_the_policy_uses_exactly_the_actions_of_the_permission_table():
    used = {policy.who for policy in POLICY.values()}
    assert used - {PUBLIC, ANY_STAFF} == set(Action)  # and every action guards at least one route


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method", "who", "whose"), list(_cases()))
def test_route_answers_as_the_policy_says(sites, name, method, who, whose):
    own, other = sites
    policy, call = POLICY[name], POLICY[name].calls[method]
    target = other if whose == OTHER else own
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    role = None if who == ANONYMOUS else Role(who)
    if role is not None:
        signed_in(browser, StaffMember.objects.select_related("user").get(pk=own.members[role].pk))
    path = reverse(name, kwargs=policy.kwargs(target))  # after signing in: a reset token covers last_login
    before = table_hashes()
    data = call.data(own)
    response = getattr(browser, method)(path, data)
    changed = table_hashes() != before
    asked = f"{path}?{urlencode(data)}" if method == GET and data else path  # sign-in returns to the query too

    if policy.who == PUBLIC:
        expected = call.ok if role is None or call.staff_ok is None else call.staff_ok_for.get(role, call.staff_ok)
        assert response.status_code == expected
    elif role is None:
        assert (response.status_code, response["Location"]) == (302, f"/clinic/sign-in/?{urlencode({'next': asked})}")
        assert not changed
    elif policy.who != ANY_STAFF and not allows(role, policy.who):
        assert response.status_code == 403
        assert "Your role does not allow this" in body(response)
        assert not changed
    elif whose == OTHER:
        assert response.status_code == 404
        assert "Not found" in body(response)
        assert not changed
    else:
        assert response.status_code == call.staff_ok_for.get(who, call.ok)
        assert changed == (call.writes or who in call.staff_ok_for)
    if method == GET:
        assert not changed
    binary = response.get("Content-Type", "").startswith(("image/", "application/pdf"))
    text = "" if binary else body(response)
    assert other.client_name.split()[1] not in text
    assert other.requester_name not in text
