"""Where a client may be reached now: each channel they have an address for and agree to be contacted on."""

from __future__ import annotations

from needlewise.clinic.contact import consent_to_contact
from needlewise.domain.statuses import Channel
from needlewise.storage.models import Client


def reachable(client: Client) -> list[tuple[Channel, str]]:
    """The client's channels (e-mail first) with their address, for those they agree to now; one query at most."""
    addresses = {Channel.EMAIL: client.email.strip(), Channel.SMS: client.phone.strip()}
    given = {channel: address for channel, address in addresses.items() if address}
    agree = consent_to_contact.agreed((client.pk, channel.value) for channel in given)
    return [(channel, address) for channel, address in given.items() if (client.pk, channel.value) in agree]
