"""A red-flag check-in is queued for the clinic's practitioners with the answer, without health data."""

from __future__ import annotations

import smtplib

import pytest
from django.contrib.auth.models import User
from django.db import transaction

from clinic.checkin_support import answer as answer_checkin
from clinic.followup_support import checkin_of, session_row
from clinic.support import last_seq, rows_after
from needlewise.clinic.access.actor import Actor
from needlewise.clinic.followup import staff_alerts
from needlewise.clinic.followup.staff_alerts import StaffAlertMail
from needlewise.domain.permissions import Role
from needlewise.messaging.outbox import OutboxSender
from needlewise.services.ports import OutboundMessage
from needlewise.storage.models import CheckIn, Clinic, QueuedMessage, StaffMember, TreatmentSession

pytestmark = pytest.mark.django_db

PUBLIC = Actor.anonymous("203.0.113.9", "req-staff-alert")
LINK = "https://clinic.example.org/clinic/alerts/"


class Outbox:
    """A MessageSender keeping what it is given."""

    def __init__(self) -> None:
        self.sent: list[OutboundMessage] = []

    def send(self, message: OutboundMessage) -> None:
        self.sent.append(message)


class DownServer:
    """A MessageSender whose mail server refuses the connection."""

    def send(self, message: OutboundMessage) -> None:
        del message
        raise smtplib.SMTPConnectError(421, "Service not available")


def mail(sender, sms: str = "") -> StaffAlertMail:
    return StaffAlertMail(
        sender, "%(clinic)s: a check-in needs attention", "Sign in to see it at %(clinic)s:\n\n%(link)s\n", LINK, sms
    )


@pytest.fixture
def session(site_a, kb):
    return session_row(site_a, kb)


def notify_rows(seq: int) -> list[tuple[str, str, dict[str, object]]]:
    return [(r.action, r.outcome, r.detail) for r in rows_after(seq) if r.action == "notify_staff"]


def test_a_red_flag_is_handed_over_with_the_answer_to_each_practitioner_the_session_s_first(site_a, session, kb):
    checkin, token = checkin_of(session, 1)
    outbox, seq = Outbox(), last_seq()
    answer_checkin(PUBLIC, token, {"fever_chills"}, kb, staff_mail=mail(outbox))
    nurse = site_a.members[Role.NURSE]  # who performed the session
    colleagues = sorted((site_a.members[r] for r in (Role.PROVIDER, Role.AESTHETICIAN)), key=lambda m: m.user.email)
    assert [(m.to, m.key) for m in outbox.sent] == [
        ((m.user.email,), f"red_flag_alert:checkin:{checkin.pk}:staff:{m.user_id}:email") for m in [nurse, *colleagues]
    ]
    name = site_a.clinic.name
    for message in outbox.sent:
        assert (message.subject, message.text) == (
            f"{name}: a check-in needs attention",
            f"Sign in to see it at {name}:\n\n{LINK}\n",
        )
        assert (message.purpose, message.clinic_id, message.channel, message.urgent) == (
            "red_flag_alert",
            site_a.clinic.pk,
            "email",
            True,
        )
        assert (message.not_before, message.client_id) == (None, None)  # due at once, to staff
        words = f"{message.subject} {message.text}"
        for private in (site_a.client.given_name, site_a.client.family_name, "fever", str(checkin.pk)):
            assert private not in words
    assert notify_rows(seq) == [("notify_staff", "success", {"recipients": 3, "on_call": []})]
    assert CheckIn.objects.get(pk=checkin.pk).alert == "open"


def test_the_on_call_contact_is_told_by_e_mail_and_sms_and_an_address_only_once(site_a, session, kb):
    Clinic.objects.filter(pk=site_a.clinic.pk).update(
        on_call_email="oncall@clinic-a.example.org", on_call_phone="+34 600 111 222"
    )
    checkin, token = checkin_of(session, 1)
    outbox, seq = Outbox(), last_seq()
    answer_checkin(PUBLIC, token, {"pus"}, kb, staff_mail=mail(outbox, sms="SMS %(clinic)s %(link)s"))
    email, sms = outbox.sent[-2:]
    assert (email.to, email.channel, email.key, email.urgent) == (
        ("oncall@clinic-a.example.org",),
        "email",
        f"red_flag_alert:checkin:{checkin.pk}:on_call:email",
        True,
    )
    assert (sms.to, sms.channel, sms.key, sms.urgent, sms.text) == (
        ("+34 600 111 222",),
        "sms",
        f"red_flag_alert:checkin:{checkin.pk}:on_call:sms",
        True,
        f"SMS {site_a.clinic.name} {LINK}",
    )
    assert notify_rows(seq) == [("notify_staff", "success", {"recipients": 5, "on_call": ["email", "sms"]})]
    # on call is the provider's own address (any case): the provider's message is the one
    provider = site_a.members[Role.PROVIDER].user.email
    Clinic.objects.filter(pk=site_a.clinic.pk).update(on_call_email=provider.upper(), on_call_phone="")
    checkin, token = checkin_of(session, 3)
    outbox = Outbox()
    answer_checkin(PUBLIC, token, {"worsening_pain_swelling"}, kb, staff_mail=mail(outbox))  # call the clinic
    assert [m.to for m in outbox.sent].count((provider,)) == 1
    assert len(outbox.sent) == 3
    assert all(m.channel == "email" for m in outbox.sent)


def test_the_session_s_practitioner_is_told_even_without_the_alert_permission_and_not_once_gone(site_a, kb):
    owner = site_a.members[Role.OWNER]
    StaffMember.objects.filter(pk=owner.pk).update(clinical_role="provider")
    session = session_row(site_a, kb)
    TreatmentSession.objects.filter(pk=session.pk).update(practitioner_id=owner.user_id)
    StaffMember.objects.filter(pk=owner.pk).update(clinical_role="")  # an owner who no longer treats
    checkin, token = checkin_of(session, 1)
    outbox = Outbox()
    answer_checkin(PUBLIC, token, {"pus"}, kb, staff_mail=mail(outbox))
    assert outbox.sent[0].to == (owner.user.email,)
    assert outbox.sent[0].key == f"red_flag_alert:checkin:{checkin.pk}:staff:{owner.user_id}:email"
    assert len(outbox.sent) == 4
    User.objects.filter(pk=owner.user_id).update(is_active=False)  # gone: the colleagues are told
    _, token = checkin_of(session, 3)
    outbox = Outbox()
    answer_checkin(PUBLIC, token, {"pus"}, kb, staff_mail=mail(outbox))
    assert owner.user.email not in {m.to[0] for m in outbox.sent}
    assert len(outbox.sent) == 3


def test_a_rolled_back_answer_queues_no_alert(session, kb):
    _, token = checkin_of(session, 1)
    queued: list[int] = []

    def answer_then_fail() -> None:
        with transaction.atomic():
            answer_checkin(PUBLIC, token, {"fever_chills"}, kb, staff_mail=mail(OutboxSender()))
            queued.append(QueuedMessage.objects.filter(purpose="red_flag_alert").count())
            raise RuntimeError  # the answer's transaction fails after the alert was asked for

    with pytest.raises(RuntimeError):
        answer_then_fail()
    assert queued == [3]
    assert not QueuedMessage.objects.exists()


def test_expected_healing_sends_nothing(session, kb):
    _, token = checkin_of(session, 1)
    outbox = Outbox()
    answer_checkin(PUBLIC, token, {"expected_reactions"}, kb, staff_mail=mail(outbox))
    assert outbox.sent == []


def test_a_sender_that_fails_loses_nothing_and_is_recorded(session, kb):
    checkin, token = checkin_of(session, 1)
    seq = last_seq()
    view = answer_checkin(PUBLIC, token, {"pus"}, kb, staff_mail=mail(DownServer()))
    assert view.answered
    assert CheckIn.objects.get(pk=checkin.pk).alert == "open"  # the banner still shows it
    assert notify_rows(seq) == [
        ("notify_staff", "failed", {"recipients": 3, "on_call": [], "error": "SMTPConnectError"}),
    ]


def test_no_one_to_tell_is_recorded_as_a_failure(site_a, session, kb):
    User.objects.filter(staff__clinic=site_a.clinic, staff__role__in=["provider", "nurse", "aesthetician"]).update(
        is_active=False
    )
    _, token = checkin_of(session, 1)
    outbox, seq = Outbox(), last_seq()
    answer_checkin(PUBLIC, token, {"pus"}, kb, staff_mail=mail(outbox))
    assert outbox.sent == []
    assert notify_rows(seq) == [("notify_staff", "failed", {"recipients": 0})]


def test_an_owner_who_also_treats_is_told_and_other_clinics_are_not(site_a, site_b):
    assert site_a.owner.user.email not in staff_alerts.recipients(site_a.clinic.pk)
    StaffMember.objects.filter(pk=site_a.owner.pk).update(clinical_role="nurse")
    found = staff_alerts.recipients(site_a.clinic.pk)
    assert site_a.owner.user.email in found
    assert site_a.members[Role.FRONT_DESK].user.email not in found
    assert len(staff_alerts.recipients(site_b.clinic.pk)) == 3
    assert not set(found) & set(staff_alerts.recipients(site_b.clinic.pk))
    User.objects.filter(pk=site_a.members[Role.NURSE].user.pk).update(email="")
    assert site_a.members[Role.NURSE].user.email not in staff_alerts.recipients(site_a.clinic.pk)


def test_staff_with_a_mobile_number_are_texted_too_and_a_number_shared_with_on_call_only_once(site_a, session, kb):
    Clinic.objects.filter(pk=site_a.clinic.pk).update(on_call_phone="+34 600 111 222")
    nurse, provider = site_a.members[Role.NURSE], site_a.members[Role.PROVIDER]  # the nurse performed the session
    StaffMember.objects.filter(pk=nurse.pk).update(alert_phone=" +34 600 333 444 ")
    StaffMember.objects.filter(pk=provider.pk).update(alert_phone="(+34) 600-111-222")  # the on-call phone too
    StaffMember.objects.filter(pk=site_a.members[Role.FRONT_DESK].pk).update(alert_phone="+34 600 999 999")
    checkin, token = checkin_of(session, 1)
    outbox, seq = Outbox(), last_seq()
    answer_checkin(PUBLIC, token, {"fever_chills"}, kb, staff_mail=mail(outbox, sms="SMS %(clinic)s %(link)s"))
    texts = [m for m in outbox.sent if m.channel == "sms"]
    assert [(m.to, m.key) for m in texts] == [
        (("+34 600 333 444",), f"red_flag_alert:checkin:{checkin.pk}:staff:{nurse.user_id}:sms"),
        (("(+34) 600-111-222",), f"red_flag_alert:checkin:{checkin.pk}:staff:{provider.user_id}:sms"),
    ]  # the practitioner's first; the on-call phone is the provider's text; front desk does not act on alerts
    assert [(m.to, m.channel) for m in outbox.sent[:2]] == [((nurse.user.email,), "email"), (texts[0].to, "sms")]
    for message in texts:
        assert (message.purpose, message.urgent, message.not_before, message.client_id) == (
            "red_flag_alert",
            True,
            None,
            None,
        )
        assert message.text == f"SMS {site_a.clinic.name} {LINK}"
        for private in (site_a.client.given_name, site_a.client.family_name, "fever", str(checkin.pk)):
            assert private not in f"{message.subject} {message.text}"
    assert notify_rows(seq) == [("notify_staff", "success", {"recipients": 5, "on_call": []})]
