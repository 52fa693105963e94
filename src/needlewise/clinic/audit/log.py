"""The audit log: who did what to which record, when, from where, and whether it was allowed.

Each row's hash is SHA-256 over the previous row's hash and the row's own fields (canonical JSON),
so editing, deleting or inserting a row breaks the chain from that row on; the head row holds the
last position, so cutting rows off the end shows too. Rows carry ids, never names or answers: the
log itself holds no health data.
"""

from __future__ import annotations

import hashlib
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC

import orjson
from django.db import connection, transaction
from django.utils import timezone

from needlewise.clinic.access.actor import Actor
from needlewise.storage.models import AuditEntry, AuditHead

GENESIS = "0" * 64
#: How many rows this context has written (the use-case guard counts a use case's own).
rows_written: ContextVar[int] = ContextVar("rows_written", default=0)
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


def row_fields(entry: AuditEntry) -> dict[str, object]:
    """A row's fields as its hash covers them (and as the CSV export writes them)."""
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
            actor_role=actor.role_label,
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
        entry.hash = _row_hash(prev_hash, row_fields(entry))
        ops = connection.ops
        values = [getattr(entry, name) for name in _COLUMNS]
        values[_COLUMNS.index("at")] = ops.adapt_datetimefield_value(entry.at)
        values[_COLUMNS.index("detail")] = ops.adapt_json_value(entry.detail, None)
        cursor.execute(_INSERT, values)
        cursor.execute("UPDATE audit_head SET hash = %s WHERE id = 1", [entry.hash])
    rows_written.set(rows_written.get() + 1)
    return entry


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
        if _row_hash(prev, row_fields(entry)) != entry.hash:
            return ChainReport(rows, head_seq, entry.seq, f"row {entry.seq} was changed after it was written")
        prev, expected = entry.hash, expected + 1
    last = expected - 1
    if last > head_seq:
        return ChainReport(rows, head_seq, head_seq + 1, f"rows after {head_seq} were added outside the application")
    if (last, prev) != (head_seq, head_hash):
        return ChainReport(rows, head_seq, expected, f"rows after {last} are missing (head is at {head_seq})")
    return ChainReport(rows, head_seq, None, "")
