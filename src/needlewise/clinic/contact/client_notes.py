"""Notes to clients (appointment reminders, a new consent to sign): their wording, and the one place they are built.

A note is written in the client's language, with dates and times on the clinic's clock, and says who
it is from and how to reach them (the clinic's name, address and phone) and nothing about anyone's
health or treatment. :func:`note` builds every such message, so what each message to a client
carries (its channel, the client it goes to, an unsubscribe link when the queue offers one) is decided
once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import translation
from django.utils.dates import MONTHS, WEEKDAYS

from needlewise.clinic.local_time import ClinicClock
from needlewise.domain.statuses import Channel
from needlewise.errors import N_
from needlewise.services.ports import OutboundMessage
from needlewise.storage.models import Client, Clinic

DAY = N_("%(weekday)s %(day)s %(month)s %(year)s")
ADDRESS = N_("Address: %(address)s")
PHONE = N_("Phone: %(phone)s")


@dataclass(frozen=True, slots=True)
class From:
    """The clinic a note is from: its name, address, phone and clock."""

    clinic_id: int
    name: str
    address: str
    phone: str
    clock: ClinicClock

    @classmethod
    def of(cls, clinic: Clinic) -> From:
        """The facts of ``clinic``."""
        return cls(
            clinic.pk, clinic.name, clinic.address.strip(), clinic.phone.strip(), ClinicClock.named(clinic.time_zone)
        )

    def day(self, day: date) -> str:
        """A day in words in the active language: ``Monday 30 March 2026``, ``lunes 30 de marzo de 2026``."""
        words = {"weekday": WEEKDAYS[day.weekday()], "day": day.day, "month": MONTHS[day.month], "year": day.year}
        return translation.gettext(DAY) % {k: str(v) for k, v in words.items()}

    def when(self, instant: datetime) -> dict[str, str]:
        """``date`` and ``time`` (``10:00``) of ``instant`` on the clinic's clock, in the active language."""
        local = self.clock.local(instant)
        return {"date": self.day(local.date()), "time": local.strftime("%H:%M")}

    def reach(self, *, one_line: bool = False) -> list[str]:
        """The lines that say where the clinic is and how to call it, in the active language (those it has).

        ``one_line``: the address's lines joined with commas (an SMS).
        """
        address = ", ".join(self.address.splitlines()) if one_line else self.address
        lines = [translation.gettext(ADDRESS) % {"address": address}] if address else []
        return lines + ([translation.gettext(PHONE) % {"phone": self.phone}] if self.phone else [])


@dataclass(frozen=True, slots=True)
class Note:
    """What one note says: a subject and its text (an SMS sends the text only)."""

    subject: str
    text: str


def note(  # noqa: PLR0913 - each is one fact of the message
    client: Client,
    channel: Channel,
    address: str,
    words: Note,
    *,
    purpose: str,
    key: str,
    not_before: datetime | None = None,
) -> OutboundMessage:
    """The message of one note to ``client`` on ``channel`` at ``address``: sent only while they agree to it."""
    return OutboundMessage(
        to=(address,),
        subject=words.subject,
        text=words.text,
        purpose=purpose,
        key=key,
        clinic_id=client.clinic_id,
        channel=channel.value,
        client_id=client.pk,
        not_before=not_before,
    )
