"""Appointment reminders (issue 14): queued when booked, on the channels the client agrees to, in their language.

The time in the reminder is on the clinic's clock; the reminder is due ``reminder_hours`` of elapsed time
before the start; moving or cancelling an appointment withdraws the reminder still waiting.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from clinic.support import last_seq, rows_after
from clinic_factories import client_outbox
from needlewise.adapters.mail import MailConnection
from needlewise.clinic.contact import consent_to_contact
from needlewise.clinic.scheduling import appointments, changes
from needlewise.domain.permissions import Role
from needlewise.domain.statuses import Channel, ContactMethod
from needlewise.errors import ConflictError, InvalidInputError
from needlewise.messaging import delivery, worker
from needlewise.storage.models import Client, Clinic, QueuedMessage

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
MONDAY = datetime(2026, 3, 30, 10, 0)  # noqa: DTZ001 - as typed on the clinic's clock (Madrid, summer time by then)
MONDAY_UTC = datetime(2026, 3, 30, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def early_march():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def agree(site, *channels: Channel, granted: bool = True) -> None:
    for channel in channels:
        consent_to_contact.record(
            site.actor(Role.FRONT_DESK), site.client.pk, channel, granted=granted, method=ContactMethod.IN_PERSON
        )


def book(site, when=MONDAY, practitioner=Role.NURSE):
    desk = site.actor(Role.FRONT_DESK)
    nurse = site.members[practitioner].user_id
    return appointments.book(desk, site.client.pk, nurse, when, 60, sender=client_outbox())


def reminders() -> list[QueuedMessage]:
    return list(QueuedMessage.objects.filter(purpose="appointment_reminder").order_by("pk"))


def test_a_booking_queues_an_e_mail_reminder_48_hours_before_on_the_clinic_s_clock_across_dst(site_a):
    agree(site_a, Channel.EMAIL)
    seq = last_seq()
    appointment = book(site_a)
    assert appointment.starts_at == MONDAY_UTC  # 10:00 in a Madrid summer
    (row,) = reminders()
    # 48 hours of elapsed time: Saturday 08:00Z, 09:00 in Madrid, the clocks going forward on Sunday
    assert row.next_attempt_at == datetime(2026, 3, 28, 8, 0, tzinfo=UTC)
    assert (row.channel, row.recipients, row.client_id, row.urgent, row.status) == (
        "email",
        ["client@alpha.example.org"],
        site_a.client.pk,
        False,
        "queued",
    )
    assert row.key == f"reminder:{appointment.pk}:2026-03-30T08:00:00+00:00:email"
    assert row.subject == "Reminder: your appointment at Clinic Alpha"
    assert row.text.splitlines() == [
        "This is a reminder of your appointment at Clinic Alpha on Monday 30 March 2026 at 10:00.",
        "",
        "Address: 1 Main Street",
        "Alphaville",
        f"Phone: {site_a.clinic.phone}",
        "",
        "If you cannot come, please call the clinic.",
        "",
        "--",
        "To stop e-mails from your clinic, open this link:",
        row.unsubscribe_url,
    ]
    assert row.unsubscribe_url.startswith("http://testserver/unsubscribe/")
    for private in ("microneedling", "Zephyrine", "Quixotelle", "session", "treatment"):
        assert private not in row.text + row.subject
    (create,) = [r for r in rows_after(seq) if r.action == "create"]
    assert create.detail == {"reminders": ["email"]}


def test_a_spanish_client_gets_it_in_spanish_by_e_mail_and_sms(site_a):
    Client.objects.filter(pk=site_a.client.pk).update(language="es")
    agree(site_a, Channel.EMAIL, Channel.SMS)
    appointment = book(site_a)
    email, sms = reminders()
    assert email.subject == "Recordatorio: tu cita en Clinic Alpha"
    assert email.text.splitlines()[0] == (
        "Te recordamos tu cita en Clinic Alpha el lunes 30 de marzo de 2026 a las 10:00."
    )
    assert email.text.splitlines()[-5] == "Si no puedes venir, llama a la clínica."
    assert email.text.splitlines()[-2] == "Para dejar de recibir correos de tu clínica, abre este enlace:"
    assert (sms.channel, sms.recipients, sms.key) == (
        "sms",
        ["+1 (555) 010-2030"],
        f"reminder:{appointment.pk}:2026-03-30T08:00:00+00:00:sms",
    )
    assert sms.text == (
        "Clinic Alpha: recordatorio de tu cita el lunes 30 de marzo de 2026 a las 10:00. "
        f"Dirección: 1 Main Street, Alphaville; Teléfono: {site_a.clinic.phone}"
    )
    assert sms.next_attempt_at == datetime(2026, 3, 28, 8, 0, tzinfo=UTC)  # 09:00 in Madrid: not quiet hours


def test_nothing_is_queued_without_consent_an_address_a_lead_time_or_time_left(site_a):
    book(site_a)  # never asked
    agree(site_a, Channel.EMAIL, Channel.SMS, granted=False)
    book(site_a, MONDAY + timedelta(days=1))  # said no
    agree(site_a, Channel.EMAIL, Channel.SMS)
    Client.objects.filter(pk=site_a.client.pk).update(email="", phone="")
    book(site_a, MONDAY + timedelta(days=2))  # no address
    Client.objects.filter(pk=site_a.client.pk).update(email="client@alpha.example.org")
    Clinic.objects.filter(pk=site_a.clinic.pk).update(reminder_hours=0)
    book(site_a, MONDAY + timedelta(days=3))  # the clinic sends none
    Clinic.objects.filter(pk=site_a.clinic.pk).update(reminder_hours=48)
    book(site_a, datetime(2026, 3, 2, 10, 0))  # noqa: DTZ001 - tomorrow: 48 hours before is past
    appointments.book(
        site_a.actor(Role.FRONT_DESK),
        site_a.client.pk,
        site_a.members[Role.NURSE].user_id,
        MONDAY + timedelta(days=4),
        60,
    )
    assert reminders() == []  # ... and a booking with no sender queues none


def test_an_sms_that_quiet_hours_would_hold_past_the_start_is_not_queued(site_a):
    agree(site_a, Channel.EMAIL, Channel.SMS)
    Clinic.objects.filter(pk=site_a.clinic.pk).update(reminder_hours=1)
    book(site_a, datetime(2026, 3, 30, 8, 0))  # noqa: DTZ001 - due 07:00 in Madrid, in quiet hours until 08:00
    assert [r.channel for r in reminders()] == ["email"]


def test_a_reminder_to_a_client_who_withdraws_consent_is_never_sent(site_a, mailoutbox, early_march):
    agree(site_a, Channel.EMAIL)
    book(site_a)
    agree(site_a, Channel.EMAIL, granted=False)
    early_march.move_to(datetime(2026, 3, 28, 8, 1, tzinfo=UTC))
    worker.run_once("test-worker")
    ((status, error),) = QueuedMessage.objects.values_list("status", "last_error")
    assert (status, error, mailoutbox) == ("withheld", "no consent to this channel", [])


def test_moving_an_appointment_replaces_its_reminder_and_the_old_one_never_goes(site_a, mailoutbox, early_march):
    agree(site_a, Channel.EMAIL)
    appointment = book(site_a)
    seq = last_seq()
    later = MONDAY + timedelta(days=7)
    changes.move(site_a.actor(Role.FRONT_DESK), appointment.pk, later, sender=client_outbox())
    old, new = reminders()
    assert (old.status, old.last_error) == ("cancelled", "appointment moved")
    assert (new.status, new.key) == ("queued", f"reminder:{appointment.pk}:2026-04-06T08:00:00+00:00:email")
    assert new.next_attempt_at == datetime(2026, 4, 4, 8, 0, tzinfo=UTC)
    assert "Monday 6 April 2026 at 10:00" in new.text
    (move,) = [r for r in rows_after(seq) if r.action == "move"]
    assert move.detail == {"from": "2026-03-30T08:00:00+00:00", "reminders": ["email"], "reminders_withdrawn": 1}
    early_march.move_to(datetime(2026, 3, 28, 8, 1, tzinfo=UTC))  # the old reminder's time
    worker.run_once("test-worker")
    assert mailoutbox == []
    early_march.move_to(datetime(2026, 4, 4, 8, 1, tzinfo=UTC))
    worker.run_once("test-worker")
    (sent,) = mailoutbox
    assert "Monday 6 April 2026 at 10:00" in sent.body


def test_moving_back_to_the_first_time_queues_a_new_reminder_and_the_same_time_keeps_it(site_a):
    agree(site_a, Channel.EMAIL)
    appointment = book(site_a)
    desk, outbox = site_a.actor(Role.FRONT_DESK), client_outbox()
    changes.move(desk, appointment.pk, MONDAY + timedelta(hours=2), sender=outbox)
    changes.move(desk, appointment.pk, MONDAY, sender=outbox)
    changes.move(desk, appointment.pk, MONDAY, sender=outbox)  # the same time: nothing changes
    assert [(r.key.removeprefix(f"reminder:{appointment.pk}:"), r.status) for r in reminders()] == [
        ("2026-03-30T08:00:00+00:00:email", "cancelled"),
        ("2026-03-30T10:00:00+00:00:email", "cancelled"),
        ("2026-03-30T08:00:00+00:00:email:2", "queued"),
    ]


def test_a_reminder_already_claimed_by_a_worker_when_its_appointment_moves_never_goes(site_a, mailoutbox, early_march):
    agree(site_a, Channel.EMAIL)
    appointment = book(site_a)
    early_march.move_to(datetime(2026, 3, 28, 8, 1, tzinfo=UTC))  # the reminder is due
    desk = site_a.actor(Role.FRONT_DESK)

    @contextlib.contextmanager
    def moved_meanwhile() -> Iterator[MailConnection]:
        # The worker has claimed the reminder; the front desk moves the appointment before it is sent.
        changes.move(desk, appointment.pk, MONDAY + timedelta(days=7), sender=client_outbox())
        with MailConnection() as sender:
            yield sender

    batch = delivery.deliver_batch(10, moved_meanwhile)
    assert (len(batch.taken_back), batch.tried, mailoutbox) == (1, 0, [])
    old, new = reminders()
    assert (old.status, old.last_error, new.status) == ("cancelled", "appointment moved", "queued")


def test_cancelling_withdraws_the_reminder(site_a, mailoutbox, early_march):
    agree(site_a, Channel.EMAIL, Channel.SMS)
    appointment = book(site_a)
    seq = last_seq()
    changes.cancel(site_a.actor(Role.FRONT_DESK), appointment.pk)
    assert [(r.status, r.last_error) for r in reminders()] == [("cancelled", "appointment cancelled")] * 2
    (cancel,) = [r for r in rows_after(seq) if r.action == "cancel"]
    assert cancel.detail == {"reminders_withdrawn": 2}
    early_march.move_to(datetime(2026, 3, 28, 8, 1, tzinfo=UTC))
    worker.run_once("test-worker")
    assert mailoutbox == []


def test_a_move_passes_the_booking_s_checks_again(site_a):
    desk = site_a.actor(Role.FRONT_DESK)
    appointment, other = book(site_a), book(site_a, MONDAY + timedelta(days=1))
    with pytest.raises(InvalidInputError, match="in the future"):
        changes.move(desk, appointment.pk, datetime(2026, 2, 1, 10, 0))  # noqa: DTZ001 - typed
    with pytest.raises(InvalidInputError):
        changes.move(desk, appointment.pk, None)
    with pytest.raises(ConflictError, match="another appointment"):
        changes.move(desk, appointment.pk, MONDAY + timedelta(days=1, minutes=30))
    changes.move(desk, other.pk, MONDAY + timedelta(days=1, minutes=30))  # overlapping only itself
    changes.cancel(desk, appointment.pk)
    with pytest.raises(ConflictError, match="cancelled"):
        changes.move(desk, appointment.pk, MONDAY + timedelta(days=3))
