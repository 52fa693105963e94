"""The client form (add a client, change their details), declared once: the fields the page posts.

:class:`ClientFields` declares each field, in the form's order, and how it is read from a post;
:func:`read` builds the :class:`~needlewise.clinic.records.clients.ClientDetails` that
:func:`~needlewise.clinic.records.clients.checked` checks, and whether staff confirmed a new person
(shown a possible duplicate). The API's ``ClientIn`` takes the same fields as JSON.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict

from needlewise.clinic import forms
from needlewise.clinic.forms import Absent, Flag, Posted, PostedDay, Reads
from needlewise.clinic.records.clients import ClientDetails
from needlewise.domain.statuses import Channel


def _ticked(typed: str) -> bool:
    return typed == "1"


class ClientFields(BaseModel):
    """Every field the client form posts; the checks are :func:`~needlewise.clinic.records.clients.checked`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    given_name: str
    family_name: str
    birth_date: PostedDay
    phone: str
    email: str
    contact_notes: str
    clinical_notes: Annotated[str | None, Absent(None)]  # not on the front desk's form: left as it is
    language: Annotated[str, Absent("en")]
    agrees_email: Flag  # the new-client form only: agrees to be contacted by e-mail (said in person)
    agrees_sms: Flag
    confirm_new_person: Annotated[bool, Reads(_ticked)]


def read(post: Posted) -> tuple[ClientDetails, bool]:
    """The details as posted, each field read by its declaration, and whether a new person was confirmed."""
    values = forms.read(ClientFields, post)
    confirmed: bool = values.pop("confirm_new_person")
    del values["agrees_email"], values["agrees_sms"]
    return ClientDetails(**values), confirmed


def agreed_channels(post: Posted) -> list[Channel]:
    """The channels the new-client form says the client agrees to be contacted on."""
    values = forms.read(ClientFields, post)
    return [channel for channel in Channel if values[f"agrees_{channel.value}"]]
