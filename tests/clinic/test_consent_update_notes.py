"""A new consent version (issue 14): clients with an appointment to come who signed an older one are told, once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from clinic.treatment_support import signed_consent
from clinic_factories import client_outbox, details
from needlewise.clinic.clients import clients
from needlewise.clinic.consent import update_notes, versions
from needlewise.clinic.contact import consent_to_contact
from needlewise.clinic.scheduling import appointments, changes
from needlewise.domain.permissions import Role
from needlewise.domain.statuses import Channel, ContactMethod
from needlewise.storage.models import Client, Clinic, QueuedMessage

pytestmark = pytest.mark.django_db

MONDAY = datetime(2026, 3, 30, 10, 0)  # noqa: DTZ001 - as typed on the clinic's clock (Madrid)
INTRO = {"intro_en": "Our updated form.", "intro_es": "Nuestro formulario actualizado."}


@pytest.fixture(autouse=True)
def early_march():
    with time_machine.travel(datetime(2026, 3, 1, 9, 0, tzinfo=UTC), tick=False) as traveller:
        yield traveller


def agree(site, client: Client, *channels: Channel, granted: bool = True) -> None:
    for channel in channels:
        desk = site.actor(Role.FRONT_DESK)
        consent_to_contact.record(desk, client.pk, channel, granted=granted, method=ContactMethod.IN_PERSON)


def book(site, client: Client, when=MONDAY):
    nurse = site.members[Role.NURSE].user_id
    return appointments.book(site.actor(Role.FRONT_DESK), client.pk, nurse, when, 60)


def without_footer(row: QueuedMessage) -> str:
    """The note's own text, without the unsubscribe footer the page's sender adds."""
    return row.text.partition("\n\n--\n")[0]


def publish(site, kb, sender=None):
    owner = site.actor(Role.OWNER)
    return versions.create_template(owner, **INTRO, kb=kb, sender=sender or client_outbox())


def notes() -> list[QueuedMessage]:
    return list(QueuedMessage.objects.filter(purpose="consent_update").order_by("pk"))


def test_a_client_who_signed_an_older_version_is_told_before_their_next_appointment(site_a, kb):
    signed_consent(site_a, kb)  # version 1
    agree(site_a, site_a.client, Channel.EMAIL, Channel.SMS)
    book(site_a, site_a.client, MONDAY + timedelta(days=7))
    book(site_a, site_a.client)  # the next one
    template = publish(site_a, kb)
    email, sms = notes()
    assert (email.channel, email.recipients, email.client_id, email.key) == (
        "email",
        ["client@alpha.example.org"],
        site_a.client.pk,
        f"consent_update:{template.pk}:{site_a.client.pk}:email",
    )
    assert email.subject == "Clinic Alpha: an updated consent form to sign"
    assert email.text.endswith(f"\n\n--\nTo stop e-mails from your clinic, open this link:\n{email.unsubscribe_url}\n")
    assert without_footer(email).splitlines() == [
        (
            "Before your next appointment at Clinic Alpha, on Monday 30 March 2026 at 10:00, you will be asked to sign "
            "the clinic's updated consent form."
        ),
        "",
        "Address: 1 Main Street",
        "Alphaville",
        f"Phone: {site_a.clinic.phone}",
        "",
        "If you have questions, please call the clinic.",
    ]
    assert sms.text.startswith("Before your next appointment at Clinic Alpha, on Monday 30 March 2026 at 10:00")
    assert sms.text.endswith(f"Address: 1 Main Street, Alphaville; Phone: {site_a.clinic.phone}")
    for private in ("Zephyrine", "Quixotelle", "microneedling", "treatment", "Our updated form"):
        assert private not in email.text + email.subject + sms.text
    update_notes.notify(template, client_outbox())  # asked again: the same notes
    assert len(notes()) == 2
    publish(site_a, kb)  # another version: told again
    assert len(notes()) == 4


def test_a_spanish_client_is_told_in_spanish(site_a, kb):
    Client.objects.filter(pk=site_a.client.pk).update(language="es")
    signed_consent(site_a, kb)
    agree(site_a, site_a.client, Channel.EMAIL)
    book(site_a, site_a.client)
    publish(site_a, kb)
    (email,) = notes()
    assert email.subject == "Clinic Alpha: un formulario de consentimiento actualizado para firmar"
    assert email.text.splitlines()[0] == (
        "Antes de tu próxima cita en Clinic Alpha, el lunes 30 de marzo de 2026 a las 10:00, te pediremos que "
        "firmes el formulario de consentimiento actualizado de la clínica."
    )
    assert without_footer(email).splitlines()[-1] == "Si tienes preguntas, llama a la clínica."


def test_who_is_not_told(site_a, kb, early_march):
    desk = site_a.actor(Role.FRONT_DESK)
    never_signed = clients.create(desk, details(given_name="Nova", email="nova@alpha.example.org"))
    agree(site_a, never_signed, Channel.EMAIL)
    book(site_a, never_signed, MONDAY + timedelta(days=2))
    signed_consent(site_a, kb)
    agree(site_a, site_a.client, Channel.EMAIL)
    Clinic.objects.filter(pk=site_a.clinic.pk).update(address="", phone="")
    cancelled = book(site_a, site_a.client, MONDAY + timedelta(days=1))
    changes.cancel(desk, cancelled.pk)
    book(site_a, site_a.client, datetime(2026, 3, 2, 10, 0))  # noqa: DTZ001 - past by the time the version comes
    early_march.move_to(datetime(2026, 3, 3, 9, 0, tzinfo=UTC))
    publish(site_a, kb)
    assert notes() == []  # no appointment to come for the one who signed; the other never signed
    book(site_a, site_a.client)
    agree(site_a, site_a.client, Channel.EMAIL, granted=False)
    publish(site_a, kb)
    assert notes() == []  # no consent to be contacted
    agree(site_a, site_a.client, Channel.EMAIL)
    Client.objects.filter(pk=site_a.client.pk).update(archived_at=datetime(2026, 3, 3, tzinfo=UTC))
    publish(site_a, kb)
    assert notes() == []  # archived
    Client.objects.filter(pk=site_a.client.pk).update(archived_at=None, language="en")
    template = versions.create_template(site_a.actor(Role.OWNER), **INTRO, kb=kb)  # no sender: no notes
    assert update_notes.notify(template, None) == 0
    assert notes() == []
    publish(site_a, kb)
    (email,) = notes()
    assert without_footer(email).splitlines()[-2:] == [
        "",
        "If you have questions, please call the clinic.",
    ]  # no address or phone
