"""Tamper evidence for treatment records: sessions and adverse events, checked against the audit chain.

When a session is recorded, or an adverse event recorded or changed, the SHA-256 of the row's
stored content (a session with its zones) goes into the detail of that hash-chained audit row.
The database cannot be edited behind the application's back without it showing: :func:`verify`
recomputes every record's digest and compares it with its latest audit row, and
``needlewise audit verify`` reports the first records that differ. (Signed consents are protected
more strictly still: the database refuses to change them at all.)
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

import orjson

from needlewise.storage.models import AdverseEvent, AuditEntry, SessionZone, TreatmentSession

SESSION, ADVERSE_EVENT = "session", "adverse_event"
SHOWN = 10


def _plain(value: object) -> object:
    """A stored value as canonical JSON sees it, the same on SQLite and PostgreSQL."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, bytes | memoryview):  # pragma: no cover - neither table has a binary column
        return hashlib.sha256(bytes(value)).hexdigest()
    return value


def _digest(row: dict[str, object]) -> str:
    canonical = {key: _plain(value) for key, value in row.items()}
    return hashlib.sha256(orjson.dumps(canonical, option=orjson.OPT_SORT_KEYS)).hexdigest()


def session_digest(session_id: int) -> str:
    """The digest of a session's stored row and its zones."""
    row = dict(TreatmentSession.objects.filter(pk=session_id).values().get())
    zones = SessionZone.objects.filter(session_id=session_id).order_by("zone").values_list("zone", "length_mm")
    row["zones"] = [[zone, _plain(length)] for zone, length in zones]
    return _digest(row)


def adverse_event_digest(event_id: int) -> str:
    """The digest of an adverse event's stored row."""
    return _digest(dict(AdverseEvent.objects.filter(pk=event_id).values().get()))


@dataclass
class RecordReport:
    """What :func:`verify` checked and which records do not match their audit rows."""

    sessions: int = 0
    adverse_events: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether every record matches its latest audit row."""
        return not self.problems


def _recorded_digests() -> dict[tuple[str, str], str | None]:
    """The digest of the latest successful create/update audit row of each session and adverse event."""
    latest: dict[tuple[str, str], str | None] = {}
    rows = (
        AuditEntry.objects.filter(
            object_type__in=(SESSION, ADVERSE_EVENT), action__in=("create", "update"), outcome="success"
        )
        .exclude(object_id="")
        .order_by("seq")
        .values_list("object_type", "object_id", "detail")
    )
    for object_type, object_id, detail in rows.iterator(chunk_size=2000):
        digest = detail.get("digest") if isinstance(detail, dict) else None
        latest[object_type, object_id] = digest if isinstance(digest, str) else None
    return latest


def _mismatches(kind: str, ids: Iterator[int], recorded: dict[tuple[str, str], str | None]) -> Iterator[str]:
    compute = session_digest if kind == SESSION else adverse_event_digest
    label = kind.replace("_", " ")
    for pk in ids:
        expected = recorded.get((kind, str(pk)))
        if expected is None:
            yield f"{label} {pk} has no audit row with its digest"
        elif compute(pk) != expected:
            yield f"{label} {pk} was changed outside the application"


def verify() -> RecordReport:
    """Recompute every session's and adverse event's digest and compare it with its latest audit row."""
    recorded = _recorded_digests()
    report = RecordReport()
    session_ids = list(TreatmentSession.objects.order_by("pk").values_list("pk", flat=True))
    event_ids = list(AdverseEvent.objects.order_by("pk").values_list("pk", flat=True))
    report.sessions, report.adverse_events = len(session_ids), len(event_ids)
    for problem in _mismatches(SESSION, iter(session_ids), recorded):
        report.problems.append(problem)
    for problem in _mismatches(ADVERSE_EVENT, iter(event_ids), recorded):
        report.problems.append(problem)
    return report
