"""How a clinic's clients reach it: the details every page and document a client sees shows."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Contact:
    """A clinic's phone, address and what to do out of hours (each may be empty), and its IANA time zone."""

    phone: str = ""
    address: str = ""
    out_of_hours: str = ""
    time_zone: str = "UTC"

    def cleaned(self) -> Contact:
        """The details trimmed."""
        return Contact(self.phone.strip(), self.address.strip(), self.out_of_hours.strip(), self.time_zone.strip())

    @property
    def tel(self) -> str:
        """The phone as a ``tel:`` address: a leading ``+`` and the digits (``tel:+34910000000``)."""
        return tel_link(self.phone)


def tel_link(phone: str) -> str:
    """A phone number as a ``tel:`` address: a leading ``+`` and the digits (``tel:+34910000000``)."""
    digits = "".join(c for c in phone if c.isdigit())
    return f"tel:{'+' if phone.strip().startswith('+') else ''}{digits}"
