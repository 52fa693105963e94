"""The client's fields, declared once: the page's form, the API's ``ClientIn`` and the use case's checks.

:class:`ClientFields` declares each field, in the form's order: how the page reads it from a post
(:mod:`needlewise.clinic.forms`), what the API's JSON takes (:class:`Json`: its type, bounds, default
and description; :func:`api_fields` makes the API's schema from them) and its checks (validators
that trim it and word what is wrong). :func:`checked` checks a :class:`ClientDetails` by it;
:func:`read` builds one from a post, :func:`entered` from the API's body. A field added here is on
the page's form (its template), in the API and checked by the use case.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from datetime import date
from typing import Annotated, Any, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, create_model
from pydantic.fields import FieldInfo

from needlewise.clinic import forms
from needlewise.clinic.forms import Absent, Flag, Posted, Reads, calendar_day, choice, fail
from needlewise.clinic.typed_text import character_problem
from needlewise.domain.statuses import Channel
from needlewise.domain.vocabulary import Lang
from needlewise.errors import N_, InvalidInputError, Problem

NAME_LIMIT = 100
PHONE_LIMIT = 40
NOTES_LIMIT = 5000
EMAIL_LIMIT = 254
#: The languages a client may be written to in (the knowledge base's).
LANGUAGES = tuple(lang.value for lang in Lang)

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class ClientDetails:
    """What staff enter about a client (validated by :func:`checked`)."""

    given_name: str
    family_name: str
    birth_date: date | None
    phone: str = ""
    email: str = ""
    #: Contact and practical notes (best time to call...): every role sees them. No health data.
    contact_notes: str = ""
    #: Clinical notes, encrypted, clinical roles only; None leaves them as they are (a form without them).
    clinical_notes: str | None = None
    language: str = "en"


#: The fields of the form that are the client's details (the others say what staff confirmed).
DETAILS = tuple(field.name for field in fields(ClientDetails))


@dataclass(frozen=True, slots=True)
class Json:
    """How the API's JSON takes a field: its type and its pydantic ``Field`` (bounds, default, description)."""

    kind: Any
    field: FieldInfo


def phone_digits(text: str) -> str:
    """Only the digits of a phone number, as the search index holds it."""
    return re.sub(r"\D", "", text)


def _at_most(limit: int) -> Problem:
    return Problem.worded("", N_("at most %(limit)s characters"), limit=str(limit))


def _name(typed: str) -> str:
    name = typed.strip()
    if not name:
        fail(forms.REQUIRED)
    if len(name) > NAME_LIMIT:
        forms.refuse(_at_most(NAME_LIMIT))
    if refused := character_problem("", name):
        forms.refuse(refused)
    return name


def _born(day: date | None, info: ValidationInfo) -> date | None:
    if day is None:
        fail(N_("enter the date of birth as YYYY-MM-DD"))
    context: Mapping[str, date] = info.context or {}  # checked() gives the clinic's today
    if not date(1900, 1, 1) <= day <= context["today"]:
        fail(N_("the date of birth must be between 1900-01-01 and today"))
    return day


def _phone(typed: str) -> str:
    phone = typed.strip()
    if (phone and not 6 <= len(phone_digits(phone)) <= 20) or re.search(r"[^\d\s()+.\-]", phone):  # noqa: PLR2004
        fail(N_("enter a phone number: digits, spaces, + ( ) - . only"))
    if len(phone) > PHONE_LIMIT:
        forms.refuse(_at_most(PHONE_LIMIT))
    return phone


def _email(typed: str) -> str:
    email = typed.strip()
    if email and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", email):
        fail(N_("enter an e-mail address like name@example.org"))
    if len(email) > EMAIL_LIMIT:
        forms.refuse(_at_most(EMAIL_LIMIT))
    return email


def _contact_notes(typed: str) -> str:
    if len(typed.strip()) > NOTES_LIMIT:
        forms.refuse(_at_most(NOTES_LIMIT))
    if refused := character_problem("", typed, multiline=True):  # where the character is, as typed
        forms.refuse(refused)
    return typed.strip()


def _clinical_notes(typed: str | None) -> str | None:
    if typed is None:  # not on the form: left as they are
        return None
    notes = typed.strip()
    if len(notes) > NOTES_LIMIT:
        forms.refuse(_at_most(NOTES_LIMIT))
    if refused := character_problem("", notes, multiline=True):
        forms.refuse(refused)
    return notes


def _ticked(typed: str) -> bool:
    return typed == "1"


class ClientFields(BaseModel):
    """Every field of the client form, in its order: how it is posted, taken as JSON and checked.

    The checks need the clinic's ``today`` in the validation context (:func:`checked` gives it).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    given_name: Annotated[str, Json(str, Field(max_length=NAME_LIMIT)), AfterValidator(_name)]
    family_name: Annotated[str, Json(str, Field(max_length=NAME_LIMIT)), AfterValidator(_name)]
    birth_date: Annotated[date | None, Reads(calendar_day), Json(date, Field(strict=False)), AfterValidator(_born)]
    phone: Annotated[str, Json(str, Field(default="", max_length=PHONE_LIMIT)), AfterValidator(_phone)]
    email: Annotated[str, Json(str, Field(default="", max_length=EMAIL_LIMIT)), AfterValidator(_email)]
    contact_notes: Annotated[
        str,
        Json(str, Field(default="", description="Practical notes every role sees; no health data here.")),
        AfterValidator(_contact_notes),
    ]
    clinical_notes: Annotated[  # not on the front desk's form: left as they are
        str | None,
        Absent(None),
        Json(str, Field(default="", description="Clinical notes (encrypted); clinical roles only (else 403).")),
        AfterValidator(_clinical_notes),
    ]
    language: Annotated[
        str,
        Absent("en"),
        Json(Literal["en", "es"], Field(default="en")),
        choice(LANGUAGES, N_("choose en (English) or es (Spanish)")),
    ]
    # The new-client form only: the client agrees to be contacted on a channel (said in person).
    agrees_email: Annotated[
        Flag, Json(bool, Field(default=False, description="The client agrees to be contacted by e-mail (in person)."))
    ] = False
    agrees_sms: Annotated[
        Flag, Json(bool, Field(default=False, description="The client agrees to be contacted by SMS (in person)."))
    ] = False
    confirm_new_person: Annotated[
        bool,
        Reads(_ticked),
        Json(
            bool,
            Field(
                default=False,
                description="true: add the client even if they may already be on file (otherwise 409 naming who)",
            ),
        ),
    ] = False


def api_fields(schema: type[M]) -> type[M]:
    """``schema`` (a class of the API) with each declared field as its JSON takes it (a class decorator)."""
    declared: dict[str, Any] = {
        name: (json.kind, json.field)
        for name, info in ClientFields.model_fields.items()
        for json in info.metadata
        if isinstance(json, Json)
    }
    return create_model(
        schema.__name__, __base__=schema, __module__=schema.__module__, __doc__=schema.__doc__, **declared
    )


def checked(details: ClientDetails, today: date) -> ClientDetails:
    """The details, trimmed, or InvalidInputError naming every field that is wrong."""
    problems: list[Problem] = []
    parsed = forms.parse(ClientFields, asdict(details), problems, context={"today": today})
    if parsed is None:
        raise InvalidInputError(problems)
    return ClientDetails(**parsed.model_dump(include=set(DETAILS)))


def entered(values: Mapping[str, Any]) -> tuple[ClientDetails, bool, list[Channel]]:
    """The details in ``values`` (each declared field by name), whether a new person was confirmed, channels agreed."""
    details = ClientDetails(**{name: values[name] for name in DETAILS})
    return details, bool(values["confirm_new_person"]), [c for c in Channel if values[f"agrees_{c.value}"]]


def read(post: Posted) -> tuple[ClientDetails, bool]:
    """The details as posted, each field read by its declaration, and whether a new person was confirmed."""
    details, confirmed, _agreed = entered(forms.read(ClientFields, post))
    return details, confirmed


def agreed_channels(post: Posted) -> list[Channel]:
    """The channels the new-client form says the client agrees to be contacted on."""
    return entered(forms.read(ClientFields, post))[2]
