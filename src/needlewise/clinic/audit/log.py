"""The audit log: who did what to which record, when, from where, and whether it was allowed.

Each clinic has its own chain (rows of no clinic, such as failed sign-ins of unknown accounts, have
chain 0). A row's hash is an HMAC-SHA256, under the audit key kept outside the database
(:mod:`needlewise.storage.audit_keys`), of the previous row's hash and the row's own fields
(canonical JSON), so editing, deleting or inserting a row breaks its chain from that row on, and
someone who can write the database but not read the key cannot make the hashes match again. Each
chain's head row holds its last position, so cutting rows off the end shows too; appends lock only
their own clinic's head. Rows written before the chains were keyed (the legacy chain, -1) keep their
plain SHA-256 hashes. Rows carry ids, never names or answers: the log itself holds no health data.
:mod:`needlewise.clinic.audit.chain` verifies.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from contextvars import ContextVar
from datetime import UTC

import orjson
from cryptography.hazmat.primitives import hashes, hmac
from django.db import connection, transaction
from django.utils import timezone

from needlewise.clinic.access.actor import Actor
from needlewise.storage.audit_keys import audit_keys
from needlewise.storage.models import AuditEntry

GENESIS = "0" * 64
LEGACY, NO_CLINIC = -1, 0
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


_COLUMNS = ("chain", *EXPORT_FIELDS, "key_id")
_MOVE_HEAD = "UPDATE audit_head SET seq = seq + 1 WHERE chain = %s RETURNING seq, hash"
_NEW_HEAD = "INSERT INTO audit_head (chain, seq, hash) VALUES (%s, 0, %s) ON CONFLICT (chain) DO NOTHING"
_INSERT = f"INSERT INTO audit_entry ({', '.join(_COLUMNS)}) VALUES ({', '.join(['%s'] * len(_COLUMNS))})"  # noqa: S608 - fixed column names, values are parameters
_STORE_HASH = "UPDATE audit_head SET hash = %s WHERE chain = %s"
#: PostgreSQL: the row and the head's new hash in one statement (one round trip less a page view). A
#: data-modifying WITH always runs to completion, read or not; SQLite has no such WITH (and no round trips).
_INSERT_AND_STORE_HASH = f"WITH added AS ({_INSERT} RETURNING 1) {_STORE_HASH}"


def _row_hash(prev_hash: str, fields: dict[str, object]) -> str:
    """The legacy rule: plain SHA-256, which anyone can recompute (rows before migration 0024)."""
    body = orjson.dumps(fields, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(prev_hash.encode("ascii") + body).hexdigest()


def keyed_hash(key: bytes, entry: AuditEntry) -> str:
    """A keyed row's hash: HMAC-SHA256 under ``key`` of the previous hash and the row's fields, chain and key id."""
    fields = {**row_fields(entry), "chain": entry.chain, "key_id": entry.key_id}
    mac = hmac.HMAC(key, hashes.SHA256())
    mac.update(entry.prev_hash.encode("ascii") + orjson.dumps(fields, option=orjson.OPT_SORT_KEYS))
    return mac.finalize().hex()


def expected_hash(entry: AuditEntry, keys: Mapping[str, bytes]) -> str | None:
    """What ``entry``'s hash should be by its chain's rule; None when its key is not configured."""
    if entry.chain == LEGACY:
        return _row_hash(entry.prev_hash, row_fields(entry))
    key = keys.get(entry.key_id)
    return None if key is None else keyed_hash(key, entry)


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

    Short statements in plain SQL: move the clinic's head (which locks it until the transaction
    ends, so appends to one chain are serialised and it cannot fork; other clinics' appends do not
    wait), insert the row, store the new hash (the last two as one statement on PostgreSQL). A chain
    without a head (a clinic made since migration 0024) gets one first; ``ON CONFLICT DO NOTHING``
    lets two first appends race safely.
    """
    clinic = clinic_id if clinic_id is not None else actor.clinic_id
    chain = NO_CLINIC if clinic is None else clinic
    key_id, keys = audit_keys()
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(_MOVE_HEAD, [chain])
        head = cursor.fetchone()
        if head is None:
            cursor.execute(_NEW_HEAD, [chain, GENESIS])
            cursor.execute(_MOVE_HEAD, [chain])
            head = cursor.fetchone()
        seq, prev_hash = int(head[0]), str(head[1])
        entry = AuditEntry(
            chain=chain,
            key_id=key_id,
            seq=seq,
            at=timezone.now(),
            actor=actor.actor_id,
            actor_role=actor.role_label,
            clinic_id=clinic,
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
        entry.hash = keyed_hash(keys[key_id], entry)
        ops = connection.ops
        values = [getattr(entry, name) for name in _COLUMNS]
        values[_COLUMNS.index("at")] = ops.adapt_datetimefield_value(entry.at)
        values[_COLUMNS.index("detail")] = ops.adapt_json_value(entry.detail, None)
        if connection.vendor == "postgresql":
            cursor.execute(_INSERT_AND_STORE_HASH, [*values, entry.hash, chain])
        else:
            cursor.execute(_INSERT, values)
            cursor.execute(_STORE_HASH, [entry.hash, chain])
    rows_written.set(rows_written.get() + 1)
    return entry
