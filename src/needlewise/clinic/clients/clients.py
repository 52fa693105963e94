"""Clients: create, find, edit, archive. Every read and write is audited; nothing is ever deleted."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_noop

from needlewise.clinic.access import gate
from needlewise.clinic.access.actor import Actor
from needlewise.clinic.access.guard import use_case
from needlewise.clinic.access.tenancy import access_client
from needlewise.clinic.audit import log as audit_log
from needlewise.clinic.clients import search_index
from needlewise.clinic.clients.client_form import NAME_LIMIT, ClientDetails, checked, phone_digits
from needlewise.clinic.local_time import clock_of
from needlewise.domain.permissions import Action
from needlewise.errors import N_, ConflictError, LikelyDuplicateError, Problem
from needlewise.storage.models import Client, ClientSearchToken

SEARCH_LIMIT = 50
_DUPLICATE_LIMIT = 5

#: Letters that NFKD does not take apart into a base letter and an accent, as a reader would type them.
_FOLDED = str.maketrans(
    {"ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ð": "d", "Ð": "d", "æ": "ae", "Æ": "ae"}
    | {"œ": "oe", "Œ": "oe", "þ": "th", "Þ": "th", "ħ": "h", "Ħ": "h", "\u0131": "i", "ŀ": "l", "Ŀ": "l"}
)


def name_key(text: str) -> str:
    """A name as the search index holds it: accents removed, case-folded, single spaces.

    Letters NFKD leaves whole are folded as a reader types them (``ł`` is ``l``, ``ø`` is ``o``,
    ``đ`` is ``d``, ``æ`` is ``ae``). Case-folding can lengthen a name (``ß`` becomes ``ss``): the
    key keeps the first 100 characters. Control characters (a NUL typed into the search box, which
    PostgreSQL cannot compare) separate words like spaces.
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLDED))
    plain = "".join(" " if unicodedata.category(c) == "Cc" else c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())[:NAME_LIMIT]


def name_words(text: str) -> list[str]:
    """The words of a name or of a search, folded as :func:`name_key`; hyphens, dots and other marks split words."""
    return re.sub(r"[\W_]+", " ", name_key(text)).split()


def words_key(given_name: str, family_name: str) -> str:
    """Every word of both names between spaces (`` jose maria nunez ``): a search word starts a word after a space."""
    return f" {' '.join(name_words(given_name) + name_words(family_name))} "


def _apply(client: Client, details: ClientDetails) -> None:
    client.given_name, client.family_name = details.given_name, details.family_name
    client.given_key, client.family_key = name_key(details.given_name), name_key(details.family_name)
    client.name_words = words_key(details.given_name, details.family_name)
    assert details.birth_date is not None  # noqa: S101 - checked() guarantees it
    client.birth_date = details.birth_date
    client.phone, client.phone_digits = details.phone, phone_digits(details.phone)
    client.email, client.contact_notes, client.language = details.email, details.contact_notes, details.language
    if details.clinical_notes is not None:
        client.clinical_notes = details.clinical_notes


def _clinical_notes_allowed(actor: Actor, details: ClientDetails, client_id: int | None = None) -> None:
    """Refuse (and record) clinical notes from a role that may not see health data (the front desk)."""
    if details.clinical_notes and not actor.may(Action.VIEW_HEALTH):
        gate.deny(actor, Action.VIEW_HEALTH, "client", client_id or "", client_id)


def _duplicate_error(matches: list[Client]) -> LikelyDuplicateError:
    problems = [
        Problem.worded(
            "duplicate_of",
            gettext_noop("This may be the same person as %(name)s (born %(born)s, client %(id)s)."),
            name=f"{c.given_name} {c.family_name}",
            born=c.birth_date.isoformat(),
            id=str(c.pk),
        )
        for c in matches
    ]
    return LikelyDuplicateError(problems, tuple(matches))


def likely_duplicates(clinic_id: int, details: ClientDetails) -> list[Client]:
    """Clients of the clinic (archived too) who may be the person ``details`` describe.

    The same date of birth and a whole word of either name in common, or the same phone digits, or
    the same e-mail address (case ignored). At most five, oldest first.
    """
    same_name = Q()
    for word in name_words(f"{details.given_name} {details.family_name}")[:8]:
        same_name |= Q(name_words__contains=f" {word} ")
    alike = Q(birth_date=details.birth_date) & same_name if same_name else Q(pk__in=[])
    digits = phone_digits(details.phone)
    if digits:
        alike |= Q(phone_digits=digits)
    if details.email:
        alike |= Q(email__iexact=details.email)
    rows = Client.objects.filter(alike, clinic_id=clinic_id).order_by("created_at", "pk")
    return list(rows[:_DUPLICATE_LIMIT])


@use_case(Action.EDIT_CLIENTS, "client", atomic=False)
def create(actor: Actor, details: ClientDetails, *, warn_duplicates: bool = False) -> Client:
    """Add a client to the actor's clinic.

    With ``warn_duplicates`` (the pages and the API, unless staff confirmed a new person), a client
    who may already be on file is LikelyDuplicateError naming them (``matches``: their rows), and
    nothing is added; the warning is recorded with the ids it showed.
    """
    details = checked(details, clock_of(actor.staff_clinic_id).today())
    _clinical_notes_allowed(actor, details)
    if warn_duplicates:
        matches = likely_duplicates(actor.staff_clinic_id, details)
        if matches:
            with transaction.atomic():
                audit_log.record(actor, "duplicate_warning", "client", detail={"shown": [c.pk for c in matches]})
            raise _duplicate_error(matches)
    with transaction.atomic():
        client = Client(clinic_id=actor.staff_clinic_id, created_by_id=actor.staff_user_id)
        _apply(client, details)
        client.save(force_insert=True)
        search_index.write(client, new=True)
        audit_log.record(actor, "create", "client", client.pk, client_id=client.pk)
    return client


@use_case(Action.VIEW_CLIENTS, "client", record="client_id", client="client_id", missing="client")
def get(actor: Actor, client_id: int) -> Client:
    """One client of the actor's clinic (the read is recorded); NotFoundError for any other id."""
    client = access_client(actor, client_id)
    audit_log.record(actor, "read", "client", client.pk, client_id=client.pk)
    return client


@use_case(Action.EDIT_CLIENTS, "client", record="client_id", client="client_id", missing="client", atomic=False)
def update(actor: Actor, client_id: int, details: ClientDetails) -> Client:
    """Change a client's details (not an archived client's); clinical notes only by clinical roles."""
    details = checked(details, clock_of(actor.staff_clinic_id).today())
    _clinical_notes_allowed(actor, details, client_id)  # a refusal is recorded in a transaction of its own
    with transaction.atomic():
        client = access_client(actor, client_id)
        if client.archived_at is not None:
            raise ConflictError([Problem("client", N_("this client is archived; restore them before editing"))])
        _apply(client, details)
        client.save()
        search_index.write(client, new=False)
        audit_log.record(actor, "update", "client", client.pk, client_id=client.pk)
    return client


@use_case(Action.ARCHIVE_CLIENTS, "client", record="client_id", client="client_id", missing="client")
def set_archived(actor: Actor, client_id: int, archived: bool) -> Client:
    """Archive a client (hidden from searches, records kept) or restore them."""
    client = access_client(actor, client_id)
    client.archived_at = timezone.now() if archived else None
    client.save(update_fields=["archived_at", "updated_at"])
    search_index.set_archived(client)
    audit_log.record(actor, "archive" if archived else "restore", "client", client.pk, client_id=client.pk)
    return client


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """What to look for: words that start words of either name, a birth date, a run of a phone number's digits."""

    text: str = ""
    birth_date: date | None = None
    phone: str = ""
    include_archived: bool = False

    @property
    def empty(self) -> bool:
        """Whether nothing was asked for."""
        return not (self.text.strip() or self.birth_date or phone_digits(self.phone))


def _parts(query: SearchQuery) -> list[tuple[str, str]] | None:
    """The index parts of a query: up to four name words, then the phone's digits; None when nothing can match."""
    words = name_words(query.text)
    if query.text.strip() and not words:  # only marks (``%``, ``-``): no name has a word like that
        return None
    parts = [(search_index.NAME, word) for word in words[:4]]  # each word starts a word of either name
    digits = phone_digits(query.phone)
    return [*parts, (search_index.PHONE, digits)] if digits else parts  # a run of digits anywhere in the phone


def _matching(clinic_id: int, query: SearchQuery, parts: list[tuple[str, str]]) -> QuerySet[Client]:
    """The query as a query set: a birth date (its index leads) and the parts' index ranges as subqueries."""
    rows = Client.objects.filter(clinic_id=clinic_id).only(*search_index.LISTED)
    if not query.include_archived:
        rows = rows.filter(archived_at__isnull=True)
    if query.birth_date is not None:
        rows = rows.filter(birth_date=query.birth_date)
    for kind, part in parts:
        low, high = search_index.part_range(kind, part)
        tokens = ClientSearchToken.objects.filter(clinic_id=clinic_id, token__gte=low, token__lt=high)
        rows = rows.filter(pk__in=tokens.values("client_id"))
    return rows


@use_case(Action.VIEW_CLIENTS, "client")
def search(actor: Actor, query: SearchQuery) -> list[Client]:
    """Up to SEARCH_LIMIT clients of the actor's clinic matching every part of ``query``, by name.

    An empty query lists the clients most recently added. The search is recorded with the ids it
    showed (not the words searched for, which may be a name).
    """
    clinic_id, parts = actor.staff_clinic_id, _parts(query)
    if parts is None:
        found = []
    elif query.empty:
        found = list(_matching(clinic_id, query, parts).order_by("-created_at", "-pk")[:SEARCH_LIMIT])
    elif query.birth_date is None:  # name words or phone digits only: the index finds and orders the page
        found = search_index.first_page(clinic_id, parts, include_archived=query.include_archived, limit=SEARCH_LIMIT)
    else:
        found = list(_matching(clinic_id, query, parts).order_by("family_key", "given_key", "pk")[:SEARCH_LIMIT])
    audit_log.record(actor, "search", "client", detail={"shown": [c.pk for c in found]})
    return found
