"""Traceability and recall: who a cartridge lot or a device touched, exported, and marked for contact.

A manufacturer's recall names a cartridge lot (or a device's serial). The list shows every session
of the actor's clinic that used it, newest first, with the client's contact details, the
practitioner, the device and cartridge and the zones treated; its totals count the sessions, the
distinct clients and the adverse events recorded against the lot (for a device: against its
sessions). The queries are in :mod:`needlewise.clinic.recall.rows`: one for the rows with their
contact marks, one for their zones, whatever the number of rows (no N+1).

Paging: a list longer than :data:`PAGE_SIZE` sessions is paged by keyset, not by offset. ``after_id``
is the last session shown; the next page holds the sessions performed before it (ties broken by id),
so sessions recorded in between never shift rows onto the wrong page or show them twice. Totals
always count the whole list.

A key that matches no session exactly is looked up ignoring case and as the start of a lot or serial
(:func:`~needlewise.clinic.recall.keys.resolve_key`): one match is listed under its own
spelling, otherwise the list is empty and carries the near matches to offer. The export and the
marking take the key the list showed, exactly.

Every call is audited. Audit rows hold ids, never names: the lot or serial, an identifier of a
manufactured product, goes in the row's ``detail`` with the ids of the clients shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone

from needlewise.clinic.access.actor import Actor
from needlewise.clinic.access.guard import use_case
from needlewise.clinic.access.tenancy import access_recall_contact
from needlewise.clinic.audit import log as audit_log
from needlewise.clinic.recall.keys import (
    LotInUse,
    RecallKind,
    checked_key,
    known_keys,
    lots_in_use,
    parse_kind,
    resolve_key,
    sessions_of,
)
from needlewise.clinic.recall.rows import (
    EXPORT_HEADER,
    PAGE_SIZE,
    RecallList,
    RecallRow,
    adverse_events,
    csv_line,
    found_rows,
    recall_rows,
)
from needlewise.clinic.spreadsheet import csv_text
from needlewise.clinic.typed_text import character_problem
from needlewise.domain.permissions import Action
from needlewise.errors import N_, ConflictError, InvalidInputError, Problem
from needlewise.storage.models import RecallContact

__all__ = [
    "EXPORT_HEADER",
    "PAGE_SIZE",
    "LotInUse",
    "OpenContacts",
    "RecallKind",
    "RecallList",
    "RecallRow",
    "by_device",
    "by_lot",
    "export_csv",
    "lots",
    "mark_contacted",
    "mark_for_contact",
    "open_contacts",
    "recall_list",
    "require_role",
]

REASON_MIN = 10
TEXT_LIMIT = 2000
OPEN_LIMIT = 500
LOTS_LIMIT = 200


@use_case(Action.RUN_RECALL, "recall", audited=False)
def require_role(actor: Actor) -> None:
    """Refuse (and record) roles that do not run recalls, before they even see the form."""


def _detail(kind: RecallKind, key: str, rows: list[RecallRow], **more: object) -> dict[str, object]:
    return {"kind": kind.value, "key": key, **more, "clients": sorted({r.client_id for r in rows})}


@use_case(Action.RUN_RECALL, "recall")
def recall_list(actor: Actor, kind: RecallKind, key: str, *, after_id: int | None = None) -> RecallList:
    """A page of the sessions of the actor's clinic that used this lot or device, newest first."""
    key = checked_key(kind, key)
    found = found_rows(actor.staff_clinic_id, kind, key, after_id, PAGE_SIZE + 1)
    suggestions: tuple[str, ...] = ()
    if not found and after_id is None:  # no exact match: ignoring case, a prefix, or near matches
        match, suggestions = resolve_key(key, known_keys(actor.staff_clinic_id, kind))
        if match is not None:
            key = match
            found = found_rows(actor.staff_clinic_id, kind, key, after_id, PAGE_SIZE + 1)
    sessions = sessions_of(actor.staff_clinic_id, kind, key)
    shown = found[:PAGE_SIZE]
    if after_id is None and len(found) <= PAGE_SIZE:  # the whole list is here: count it
        total, clients = len(shown), len({f["client_id"] for f in shown})
    else:
        counted = sessions.aggregate(sessions=Count("pk"), clients=Count("client", distinct=True))
        total, clients = counted["sessions"], counted["clients"]
    rows = recall_rows(shown)
    adverse = adverse_events(actor.staff_clinic_id, kind, key)
    audit_log.record(actor, "read", "recall", detail=_detail(kind, key, rows, after=after_id))
    next_after = shown[-1]["id"] if len(found) > PAGE_SIZE else None
    return RecallList(kind, key, rows, total, clients, adverse, after_id, next_after, suggestions)


def by_lot(actor: Actor, lot: str, *, after_id: int | None = None) -> RecallList:
    """Every session of the actor's clinic that used cartridges of ``lot``, newest first (see the module)."""
    return recall_list(actor, RecallKind.LOT, lot, after_id=after_id)


def by_device(actor: Actor, serial: str, *, after_id: int | None = None) -> RecallList:
    """Every session of the actor's clinic done with the device of this serial, newest first."""
    return recall_list(actor, RecallKind.DEVICE, serial, after_id=after_id)


@use_case(Action.RUN_RECALL, "recall")
def export_csv(actor: Actor, kind: str, key: str) -> str:
    """The whole list (every page) as CSV, cells safe to open in a spreadsheet; the export is recorded.

    The text starts with a UTF-8 byte-order mark (accents survive Excel) and phone numbers are kept
    as text (see :mod:`needlewise.clinic.spreadsheet`).
    """
    recall_kind = parse_kind(kind)
    key = checked_key(recall_kind, key)
    rows = recall_rows(found_rows(actor.staff_clinic_id, recall_kind, key, None, None))
    audit_log.record(actor, "export", "recall", detail=_detail(recall_kind, key, rows, sessions=len(rows)))
    return csv_text(EXPORT_HEADER, (csv_line(row) for row in rows), bom=True)


@use_case(Action.RUN_RECALL, "recall")
def lots(actor: Actor) -> list[LotInUse]:
    """The clinic's cartridge lots in use, most recently used first (up to LOTS_LIMIT), with their counts."""
    found = lots_in_use(actor.staff_clinic_id, LOTS_LIMIT)
    audit_log.record(actor, "read", "recall", detail={"kind": "lots", "shown": len(found)})
    return found


def _checked_text(where: str, text: str, minimum: int, short: Problem) -> str:
    text = text.strip()
    if len(text) < minimum:
        raise InvalidInputError([short])
    if len(text) > TEXT_LIMIT:
        raise InvalidInputError([Problem.worded(where, N_("at most %(limit)s characters"), limit=str(TEXT_LIMIT))])
    if refused := character_problem(where, text, multiline=True):
        raise InvalidInputError([refused])
    return text


@use_case(Action.RUN_RECALL, "recall")
def mark_for_contact(actor: Actor, kind: str, key: str, reason: str) -> int:
    """Mark every client on the list for contact, once per client, lot or device; returns how many are new.

    Marking again adds nobody twice (the table's unique constraint holds even for two clicks at
    once): only clients treated since the last marking are added.
    """
    recall_kind = parse_kind(kind)
    key = checked_key(recall_kind, key)
    too_short = N_("give the reason in at least %(minimum)s characters")
    reason = _checked_text("reason", reason, REASON_MIN, Problem.worded("reason", too_short, minimum=str(REASON_MIN)))
    treated = set(sessions_of(actor.staff_clinic_id, recall_kind, key).values_list("client_id", flat=True).distinct())
    contacts = RecallContact.objects.filter(clinic_id=actor.staff_clinic_id, kind=recall_kind.value, key=key)
    new = treated - set(contacts.values_list("client_id", flat=True))
    RecallContact.objects.bulk_create(
        [
            RecallContact(
                clinic_id=actor.staff_clinic_id,
                client_id=client_id,
                kind=recall_kind.value,
                key=key,
                reason=reason,
                marked_by_id=actor.staff_user_id,
            )
            for client_id in sorted(new)
        ],
        ignore_conflicts=True,
    )
    made = [(pk, client_id) for pk, client_id in contacts.values_list("pk", "client_id") if client_id in new]
    for contact_id, client_id in sorted(made):
        audit_log.record(actor, "create", "recall_contact", contact_id, client_id=client_id)
    audit_log.record(actor, "create", "recall", detail={"kind": recall_kind.value, "key": key, "marked": len(made)})
    return len(made)


@use_case(Action.RUN_RECALL, "recall_contact", record="contact_id", missing="recall_contact")
def mark_contacted(actor: Actor, contact_id: int, note: str) -> RecallContact:
    """Record that a marked client was contacted, and how (a contact is marked contacted once)."""
    note = _checked_text("note", note, 1, Problem("note", N_("say how the client was contacted")))
    contact = access_recall_contact(actor, contact_id, lock=True)
    if contact.contacted_at is not None:
        raise ConflictError([Problem("recall_contact", N_("this client was already marked as contacted"))])
    contact.contacted_at = timezone.now()
    contact.contacted_by_id = actor.staff_user_id
    contact.contact_note = note
    contact.save(update_fields=["contacted_at", "contacted_by", "contact_note"])
    audit_log.record(actor, "update", "recall_contact", contact.pk, client_id=contact.client_id)
    return contact


@dataclass(frozen=True, slots=True)
class OpenContacts:
    """The clinic's clients still to be contacted (oldest marks first, up to OPEN_LIMIT) and how many in all."""

    contacts: list[RecallContact]
    total: int


@use_case(Action.RUN_RECALL, "recall_contact")
def open_contacts(actor: Actor) -> OpenContacts:
    """The clinic's outstanding recall contacts, with each client's contact details (the read is recorded)."""
    outstanding = RecallContact.objects.filter(clinic_id=actor.staff_clinic_id, contacted_at__isnull=True)
    contacts = list(outstanding.select_related("client", "marked_by__staff").order_by("marked_at", "pk")[:OPEN_LIMIT])
    total = outstanding.count()
    audit_log.record(actor, "read", "recall_contact", detail={"shown": [c.pk for c in contacts]})
    return OpenContacts(contacts, total)
