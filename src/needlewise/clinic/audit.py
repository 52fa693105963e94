"""The audit log: who did what to which record, when, from where, and whether it was allowed.

Each row's hash is SHA-256 over the previous row's hash and the row's own fields (canonical JSON),
so editing, deleting or inserting a row breaks the chain from that row on; the head row holds the
last position, so cutting rows off the end shows too. Rows carry ids, never names or answers: the
log itself holds no health data.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import ParamSpec, TypeVar

import orjson
from django.db import connection, transaction
from django.utils import timezone

from needlewise.clinic.actor import Actor
from needlewise.clinic.spreadsheet import safe_cell
from needlewise.domain.permissions import Action
from needlewise.errors import NotAllowedError, NotFoundError, Problem
from needlewise.storage.models import AuditEntry, AuditHead

P = ParamSpec("P")
R = TypeVar("R")
GENESIS = "0" * 64
PAGE_SIZE = 100
EXPORT_FIELDS = (
    "seq",
    "at",
    "actor",
    "actor_role",
    "clinic_id",
    "action",
    "object_type",
    "object_id",
    "client_id",
    "outcome",
    "ip",
    "request_id",
    "detail",
    "prev_hash",
    "hash",
)


_COLUMNS = (*EXPORT_FIELDS,)
_INSERT = f"INSERT INTO audit_entry ({', '.join(_COLUMNS)}) VALUES ({', '.join(['%s'] * len(_COLUMNS))})"  # noqa: S608 - fixed column names, values are parameters


def _row_hash(prev_hash: str, fields: dict[str, object]) -> str:
    body = orjson.dumps(fields, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(prev_hash.encode("ascii") + body).hexdigest()


def _fields(entry: AuditEntry) -> dict[str, object]:
    return {
        "seq": entry.seq,
        "at": entry.at.astimezone(UTC).isoformat(),
        "actor": entry.actor,
        "actor_role": entry.actor_role,
        "clinic_id": entry.clinic_id,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "client_id": entry.client_id,
        "outcome": entry.outcome,
        "ip": entry.ip,
        "request_id": entry.request_id,
        "detail": entry.detail,
    }


def record(  # noqa: PLR0913 - an audit row has this many facts
    actor: Actor,
    action: str,
    object_type: str,
    object_id: object = "",
    *,
    client_id: int | None = None,
    outcome: str = "success",
    clinic_id: int | None = None,
    detail: dict[str, object] | None = None,
) -> AuditEntry:
    """Append one row; call inside the transaction of the change it records (it joins it).

    Three short statements in plain SQL: move the head (which locks it until the transaction ends,
    so appends are serialised and the chain cannot fork), insert the row, store the new hash.
    """
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
        head = cursor.fetchone()
        if head is None:  # a database whose head row was never made (migration 0003 makes it)
            cursor.execute("INSERT INTO audit_head (id, seq, hash) VALUES (1, 1, %s)", [GENESIS])
            head = (1, GENESIS)
        seq, prev_hash = int(head[0]), str(head[1])
        entry = AuditEntry(
            seq=seq,
            at=timezone.now(),
            actor=actor.actor_id,
            actor_role=actor.role.value if actor.role else "",
            clinic_id=clinic_id if clinic_id is not None else actor.clinic_id,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            client_id=client_id,
            outcome=outcome,
            ip=actor.ip,
            request_id=actor.request_id,
            detail=detail or {},
            prev_hash=prev_hash,
        )
        entry.hash = _row_hash(prev_hash, _fields(entry))
        ops = connection.ops
        values = [getattr(entry, name) for name in _COLUMNS]
        values[_COLUMNS.index("at")] = ops.adapt_datetimefield_value(entry.at)
        values[_COLUMNS.index("detail")] = ops.adapt_json_value(entry.detail, None)
        cursor.execute(_INSERT, values)
        cursor.execute("UPDATE audit_head SET hash = %s WHERE id = 1", [entry.hash])
    return entry


def deny(actor: Actor, action: Action, object_type: str, object_id: object = "", client_id: int | None = None) -> None:
    """Record a refused attempt in its own transaction, then raise :class:`NotAllowedError`."""
    with transaction.atomic():
        record(actor, action.value, object_type, object_id, client_id=client_id, outcome="denied")
    raise NotAllowedError([Problem("(permission)", f"your role may not {action.value.replace('_', ' ')}")])


def require(
    actor: Actor, action: Action, object_type: str, object_id: object = "", client_id: int | None = None
) -> int:
    """The actor's clinic id if their role allows ``action``; otherwise record the denial and raise."""
    if not actor.may(action):
        deny(actor, action, object_type, object_id, client_id)
    assert actor.clinic_id is not None  # noqa: S101 - may() is False without a clinic
    return actor.clinic_id


def records_not_found(object_type: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Audit a use case's NotFoundError (an id of another clinic, or none) as a denied attempt.

    The use case's own transaction has rolled back by then, so the row is written in a new one. The
    decorated function takes the actor first and the record's id second.
    """

    def decorate(use_case: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(use_case)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return use_case(*args, **kwargs)
            except NotFoundError:
                actor, object_id = args[0], args[1] if len(args) > 1 else kwargs.get("client_id", "")
                assert isinstance(actor, Actor)  # noqa: S101 - every use case takes the actor first
                with transaction.atomic():
                    record(actor, "not_found", object_type, object_id, outcome="denied")
                raise

        return run

    return decorate


@dataclass(frozen=True, slots=True)
class ChainReport:
    """The outcome of checking the whole chain."""

    rows: int
    head_seq: int
    broken_at: int | None
    reason: str

    @property
    def ok(self) -> bool:
        """Whether every row and the head match."""
        return self.broken_at is None and self.reason == ""


def verify() -> ChainReport:
    """Recompute the chain from the first row; report the first row that does not match, and why."""
    head = AuditHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    prev, expected, rows = GENESIS, 1, 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        rows += 1
        if entry.seq != expected:
            return ChainReport(rows, head_seq, expected, f"row {expected} is missing (next row is {entry.seq})")
        if entry.prev_hash != prev:
            return ChainReport(rows, head_seq, entry.seq, f"row {entry.seq} does not follow row {entry.seq - 1}")
        if _row_hash(prev, _fields(entry)) != entry.hash:
            return ChainReport(rows, head_seq, entry.seq, f"row {entry.seq} was changed after it was written")
        prev, expected = entry.hash, expected + 1
    last = expected - 1
    if last > head_seq:
        return ChainReport(rows, head_seq, head_seq + 1, f"rows after {head_seq} were added outside the application")
    if (last, prev) != (head_seq, head_hash):
        return ChainReport(rows, head_seq, expected, f"rows after {last} are missing (head is at {head_seq})")
    return ChainReport(rows, head_seq, None, "")


@dataclass(frozen=True, slots=True)
class AuditPage:
    """Up to PAGE_SIZE of a clinic's audit rows, newest first; ``older`` continues after the last one."""

    entries: list[AuditEntry]
    before: int | None
    older: int | None


def clinic_entries(actor: Actor, before: int | None = None, client_id: int | None = None) -> AuditPage:
    """The owner's view of their clinic's log, rows older than ``before`` (itself recorded).

    Pages are keyed by position, not by offset, so the rows this very reading adds never shift
    the next page.
    """
    clinic_id = require(actor, Action.VIEW_AUDIT, "audit_log")
    query = AuditEntry.objects.filter(clinic_id=clinic_id)
    if client_id is not None:
        query = query.filter(client_id=client_id)
    if before is not None:
        query = query.filter(seq__lt=before)
    with transaction.atomic():
        rows = list(query.order_by("-seq")[: PAGE_SIZE + 1])
        record(actor, "read", "audit_log", detail={"before": before})
    entries = rows[:PAGE_SIZE]
    return AuditPage(entries, before, entries[-1].seq if len(rows) > PAGE_SIZE else None)


def export_csv(actor: Actor, since: datetime | None = None) -> Iterator[str]:
    """The clinic's rows as CSV text chunks, oldest first.

    Permission is checked and the export recorded when this is called, before any row is read,
    so a refusal reaches the caller before a streamed response has started.
    """
    clinic_id = require(actor, Action.VIEW_AUDIT, "audit_log")
    with transaction.atomic():
        record(actor, "export", "audit_log")
    return _csv_rows(clinic_id, since)


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
        fields = _fields(entry)
        writer.writerow(
            [
                *(safe_cell(fields[name]) for name in EXPORT_FIELDS[:-3]),
                orjson.dumps(entry.detail, option=orjson.OPT_SORT_KEYS).decode(),
                entry.prev_hash,
                entry.hash,
            ]
        )
        yield buffer.getvalue()
