"""The owner's view of the audit log: a clinic's rows page by page, and their CSV export."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import orjson

from needlewise.clinic.access.actor import Actor
from needlewise.clinic.access.guard import use_case
from needlewise.clinic.audit.log import EXPORT_FIELDS, record, row_fields
from needlewise.clinic.spreadsheet import safe_cell
from needlewise.domain.permissions import Action
from needlewise.storage.models import AuditEntry

PAGE_SIZE = 100


@dataclass(frozen=True, slots=True)
class AuditPage:
    """Up to PAGE_SIZE of a clinic's audit rows, newest first; ``older`` continues after the last one."""

    entries: list[AuditEntry]
    before: int | None
    older: int | None


@use_case(Action.VIEW_AUDIT, "audit_log")
def clinic_entries(actor: Actor, before: int | None = None, client_id: int | None = None) -> AuditPage:
    """The owner's view of their clinic's log, rows older than ``before`` (itself recorded).

    Pages are keyed by position, not by offset, so the rows this very reading adds never shift
    the next page.
    """
    query = AuditEntry.objects.filter(clinic_id=actor.staff_clinic_id)
    if client_id is not None:
        query = query.filter(client_id=client_id)
    if before is not None:
        query = query.filter(seq__lt=before)
    rows = list(query.order_by("-seq")[: PAGE_SIZE + 1])
    record(actor, "read", "audit_log", detail={"before": before})
    entries = rows[:PAGE_SIZE]
    return AuditPage(entries, before, entries[-1].seq if len(rows) > PAGE_SIZE else None)


@use_case(Action.VIEW_AUDIT, "audit_log")
def export_csv(actor: Actor, since: datetime | None = None) -> Iterator[str]:
    """The clinic's rows as CSV text chunks, oldest first.

    Permission is checked and the export recorded when this is called, before any row is read,
    so a refusal reaches the caller before a streamed response has started.
    """
    record(actor, "export", "audit_log")
    return _csv_rows(actor.staff_clinic_id, since)


def _csv_rows(clinic_id: int, since: datetime | None) -> Iterator[str]:
    query = AuditEntry.objects.filter(clinic_id=clinic_id)
    if since is not None:
        query = query.filter(at__gte=since)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_FIELDS)
    yield buffer.getvalue()
    for entry in query.order_by("seq").iterator(chunk_size=2000):
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
