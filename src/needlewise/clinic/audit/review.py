"""The owner's view of the audit log: a clinic's rows page by page, and their CSV export.

Rows can be narrowed to one person (an actor id such as ``user:7``), one action, one client and a
range of days (:class:`AuditFilter`); the page and the export take the same filter. Days are the
clinic's days: they start at midnight in the clinic's time zone (:func:`clinic_zone`, UTC when the
clinic has none that Python knows), while the log's own times stay UTC.

Rows hold ids, never names. The page puts names beside them for readers allowed to see them: staff
names for those whose role manages staff, client names for those whose role views clients (checked
through :meth:`Actor.may`, the one permission table); others see the ids alone.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo

import orjson
from django.db.models import QuerySet

from needlewise.clinic.access.actor import Actor
from needlewise.clinic.access.guard import use_case
from needlewise.clinic.audit.log import EXPORT_FIELDS, record, row_fields
from needlewise.clinic.local_time import clock_of
from needlewise.clinic.spreadsheet import safe_cell
from needlewise.domain.permissions import Action
from needlewise.storage.models import AuditEntry, Client, StaffMember

PAGE_SIZE = 100
FILTER_LIMIT = 80  # characters of a person or action filter (the columns' width)


def day_start(day: date, zone: tzinfo = UTC) -> datetime:
    """Midnight at the start of ``day`` in ``zone`` (the clinic's time zone)."""
    return datetime.combine(day, time.min, tzinfo=zone)


def clinic_zone(clinic_id: int) -> tzinfo:
    """The clinic's time zone (an IANA name, checked when it was set); UTC if Python does not know it."""
    return clock_of(clinic_id).zone


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """Which rows to show: one person, action and client, from the start of one day to the end of another.

    Empty text and None mean "any". ``person`` is an actor id as the log writes it (``user:7``).
    """

    person: str = ""
    action: str = ""
    client_id: int | None = None
    first_day: date | None = None
    last_day: date | None = None

    def as_detail(self) -> dict[str, object]:
        """The filter as an audit row's detail (only the parts that narrow)."""
        parts = {
            "person": self.person,
            "action": self.action,
            "client": self.client_id,
            "from": self.first_day.isoformat() if self.first_day else None,
            "to": self.last_day.isoformat() if self.last_day else None,
        }
        return {name: value for name, value in parts.items() if value not in ("", None)}


def _filtered(clinic_id: int, where: AuditFilter) -> QuerySet[AuditEntry]:
    query = AuditEntry.objects.filter(clinic_id=clinic_id)
    if where.person:
        query = query.filter(actor=where.person[:FILTER_LIMIT])
    if where.action:
        query = query.filter(action=where.action.strip()[:FILTER_LIMIT])
    if where.client_id is not None:
        query = query.filter(client_id=where.client_id)
    if where.first_day is None and where.last_day is None:
        return query
    zone = clinic_zone(clinic_id)  # one query, only when days are asked for
    if where.first_day is not None:
        query = query.filter(at__gte=day_start(where.first_day, zone))
    if where.last_day is not None:
        query = query.filter(at__lt=day_start(where.last_day + timedelta(days=1), zone))
    return query


@dataclass(frozen=True, slots=True)
class AuditPage:
    """Up to PAGE_SIZE of a clinic's audit rows, newest first; ``older`` continues after the last one.

    ``staff`` names the clinic's staff by actor id (every member, for the person filter) and
    ``clients`` the clients of the rows shown, each only for a reader allowed to see them (else empty).
    """

    entries: list[AuditEntry]
    before: int | None
    older: int | None
    staff: dict[str, str] = field(default_factory=dict)
    clients: dict[int, str] = field(default_factory=dict)


def _staff_names(actor: Actor) -> dict[str, str]:
    if not actor.may(Action.MANAGE_STAFF):
        return {}
    members = StaffMember.objects.filter(clinic_id=actor.staff_clinic_id).order_by("display_name", "user_id")
    return {f"user:{user_id}": name for user_id, name in members.values_list("user_id", "display_name")}


def _client_names(actor: Actor, entries: list[AuditEntry]) -> dict[int, str]:
    ids = {e.client_id for e in entries if e.client_id is not None}
    if not ids or not actor.may(Action.VIEW_CLIENTS):
        return {}
    found = Client.objects.filter(clinic_id=actor.staff_clinic_id, pk__in=ids)
    return {pk: f"{family}, {given}" for pk, family, given in found.values_list("pk", "family_name", "given_name")}


@use_case(Action.VIEW_AUDIT, "audit_log")
def clinic_entries(
    actor: Actor, before: int | None = None, client_id: int | None = None, *, where: AuditFilter | None = None
) -> AuditPage:
    """The owner's view of their clinic's log, rows older than ``before`` (itself recorded).

    Pages are keyed by position, not by offset, so the rows this very reading adds never shift
    the next page. ``client_id`` is a shorthand for a filter on that client alone.
    """
    where = where or AuditFilter(client_id=client_id)
    query = _filtered(actor.staff_clinic_id, where)
    if before is not None:
        query = query.filter(pk__lt=before)
    rows = list(query.order_by("-pk")[: PAGE_SIZE + 1])
    record(actor, "read", "audit_log", detail={"before": before, **where.as_detail()})
    entries = rows[:PAGE_SIZE]
    older = entries[-1].pk if len(rows) > PAGE_SIZE else None
    return AuditPage(entries, before, older, _staff_names(actor), _client_names(actor, entries))


@use_case(Action.VIEW_AUDIT, "audit_log")
def export_csv(actor: Actor, since: datetime | None = None, *, where: AuditFilter | None = None) -> Iterator[str]:
    """The clinic's rows as CSV text chunks, oldest first (those of ``where``, from ``since`` on).

    Permission is checked and the export recorded when this is called, before any row is read,
    so a refusal reaches the caller before a streamed response has started.
    """
    where = where or AuditFilter()
    record(actor, "export", "audit_log", detail=where.as_detail())
    return _csv_rows(actor.staff_clinic_id, since, where)


def _csv_rows(clinic_id: int, since: datetime | None, where: AuditFilter) -> Iterator[str]:
    query = _filtered(clinic_id, where)
    if since is not None:
        query = query.filter(at__gte=since)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_FIELDS)
    yield buffer.getvalue()
    for entry in query.order_by("chain", "seq").iterator(chunk_size=2000):
        buffer.seek(0)
        buffer.truncate()
        fields = row_fields(entry)
        writer.writerow(
            [
                *(safe_cell(fields[name]) for name in EXPORT_FIELDS[:-3]),
                orjson.dumps(entry.detail, option=orjson.OPT_SORT_KEYS).decode(),
                entry.prev_hash,
                entry.hash,
            ]
        )
        yield buffer.getvalue()
