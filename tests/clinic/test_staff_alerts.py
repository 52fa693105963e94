"""A red-flag check-in is queued for the clinic's practitioners with the answer, without health data."""

from __future__ import annotations

import smtplib

import pytest
from django.contrib.auth.models import User
from django.db import transaction

from clinic.followup_support import checkin_of, session_row
from clinic.support import last_seq, rows_after
from needlewise.clinic.access.actor import Actor
from needlewise.clinic.followup import checkins, staff_alerts
from needlewise.clinic.followup.staff_alerts import StaffAlertMail
from needlewise.domain.permissions import Role
from needlewise.messaging.outbox import OutboxSender
from needlewise.services.ports import OutboundMessage
from needlewise.storage.models import CheckIn, QueuedMessage, StaffMember

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


def mail(sender) -> StaffAlertMail:
    return StaffAlertMail(sender, "A client's check-in needs attention", "Sign in to see it:\n\n%(link)s\n", LINK)


@pytest.fixture
def session(site_a, kb):
    return session_row(site_a, kb)


def notify_rows(seq: int) -> list[tuple[str, str, dict[str, object]]]:
    return [(r.action, r.outcome, r.detail) for r in rows_after(seq) if r.action == "notify_staff"]


def test_a_red_flag_is_handed_over_with_the_answer_for_the_practitioners(site_a, session, kb):
    checkin, token = checkin_of(session, 1)
    outbox, seq = Outbox(), last_seq()
    checkins.answer(PUBLIC, token, {"fever_chills"}, kb, staff_mail=mail(outbox))
    (message,) = outbox.sent
    assert message.to == tuple(
        sorted(site_a.members[r].user.email for r in (Role.PROVIDER, Role.NURSE, Role.AESTHETICIAN))
    )
    assert (message.subject, message.text) == ("A client's check-in needs attention", f"Sign in to see it:\n\n{LINK}\n")
    assert (message.purpose, message.key, message.clinic_id) == (
        "staff_alert",
        f"staff_alert:checkin:{checkin.pk}",
        site_a.clinic.pk,
    )
    words = f"{message.subject} {message.text}"
    for private in (site_a.client.given_name, site_a.client.family_name, "fever", str(checkin.pk)):
        assert private not in words
    assert notify_rows(seq) == [("notify_staff", "success", {"recipients": 3})]
    assert CheckIn.objects.get(pk=checkin.pk).alert == "open"


def test_a_rolled_back_answer_queues_no_alert(session, kb):
    _, token = checkin_of(session, 1)
    queued: list[int] = []

    def answer_then_fail() -> None:
        with transaction.atomic():
            checkins.answer(PUBLIC, token, {"fever_chills"}, kb, staff_mail=mail(OutboxSender()))
            queued.append(QueuedMessage.objects.filter(purpose="staff_alert").count())
            raise RuntimeError  # the answer's transaction fails after the alert was asked for

    with pytest.raises(RuntimeError):
        answer_then_fail()
    assert queued == [1]
    assert not QueuedMessage.objects.exists()


def test_expected_healing_sends_nothing(session, kb):
    _, token = checkin_of(session, 1)
    outbox = Outbox()
    checkins.answer(PUBLIC, token, {"expected_reactions"}, kb, staff_mail=mail(outbox))
    assert outbox.sent == []


def test_a_sender_that_fails_loses_nothing_and_is_recorded(session, kb):
    checkin, token = checkin_of(session, 1)
    seq = last_seq()
    view = checkins.answer(PUBLIC, token, {"pus"}, kb, staff_mail=mail(DownServer()))
    assert view.answered
    assert CheckIn.objects.get(pk=checkin.pk).alert == "open"  # the banner still shows it
    assert notify_rows(seq) == [
        ("notify_staff", "failed", {"recipients": 3, "error": "SMTPConnectError"}),
    ]


def test_no_one_to_tell_is_recorded_as_a_failure(site_a, session, kb):
    User.objects.filter(staff__clinic=site_a.clinic, staff__role__in=["provider", "nurse", "aesthetician"]).update(
        is_active=False
    )
    _, token = checkin_of(session, 1)
    outbox, seq = Outbox(), last_seq()
    checkins.answer(PUBLIC, token, {"pus"}, kb, staff_mail=mail(outbox))
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
