"""Tamper evidence for clinical records: each one checked against the digest in its latest audit row.

When a session, adverse event, screening (answers and verdict), signed consent, treatment plan or
check-in is recorded or changed, the digest of the stored row (:mod:`record_digests`) goes into the
detail of that audit row, in its clinic's keyed chain; a session's row carries the digests of the
check-ins made with it. :func:`verify` recomputes every record's digest and compares it with its
latest audit row, and ``needlewise audit verify`` reports the first records that differ.

Sessions and adverse events carried digests from the start. Screenings, consents, plans and
check-ins recorded before they did (their audit rows are in the legacy chain, or, for a check-in,
its session's) and not changed since are reported as not covered, not as changed; any other record
without a digest in its audit rows was written outside the application.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from needlewise.clinic.audit.log import LEGACY
from needlewise.clinic.records.record_digests import (
    ADVERSE_EVENT,
    CHECKIN,
    CONSENT,
    DIGESTS,
    MODELS,
    PLAN,
    SCREENING,
    SESSION,
    adverse_event_digest,
    session_digest,
)
from needlewise.storage.models import AuditEntry, CheckIn

__all__ = ["SHOWN", "RecordReport", "adverse_event_digest", "session_digest", "verify"]

SHOWN = 10
LABELS = {
    SESSION: ("session", "sessions"),
    ADVERSE_EVENT: ("adverse event", "adverse events"),
    SCREENING: ("screening", "screenings"),
    CONSENT: ("consent", "consents"),
    PLAN: ("plan", "plans"),
    CHECKIN: ("check-in", "check-ins"),
}
NEWLY_COVERED = frozenset({SCREENING, CONSENT, PLAN, CHECKIN})
_CHANGES = ("create", "update", "close", "answer", "acknowledge")


def _listed(counts: Counter[str]) -> str:
    parts = [f"{counts[kind]} {LABELS[kind][counts[kind] != 1]}" for kind in LABELS if kind in counts]
    return ", ".join(parts[:-1]) + f" and {parts[-1]}" if len(parts) > 1 else "".join(parts)


@dataclass
class RecordReport:
    """What :func:`verify` checked, what it could not (recorded before coverage), and what does not match."""

    checked: Counter[str] = field(default_factory=Counter)
    not_covered: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether every covered record matches its latest audit row."""
        return not self.problems

    def counted(self) -> str:
        """The records checked, kind by kind, in words."""
        return _listed(Counter({kind: self.checked[kind] for kind in LABELS}))

    def uncovered(self) -> str:
        """The records recorded before their kind was covered, in words ('' when none)."""
        return _listed(+self.not_covered)


@dataclass
class _Recorded:
    digests: dict[tuple[str, str], str | None] = field(default_factory=dict)
    legacy: set[tuple[str, str]] = field(default_factory=set)


def _recorded() -> _Recorded:
    """The digest of each record's latest successful change, and the records created in the legacy chain."""
    found = _Recorded()
    rows = (
        AuditEntry.objects.filter(object_type__in=list(DIGESTS), action__in=_CHANGES, outcome="success")
        .exclude(object_id="")
        .order_by("chain", "seq")
        .values_list("chain", "object_type", "object_id", "detail")
    )
    for chain, object_type, object_id, detail in rows.iterator(chunk_size=2000):
        details = detail if isinstance(detail, dict) else {}
        digest = details.get("digest")
        found.digests[object_type, object_id] = digest if isinstance(digest, str) else None
        if chain == LEGACY:
            found.legacy.add((object_type, object_id))
        made = details.get("checkins")
        for checkin_id, checkin_digest in made.items() if isinstance(made, dict) else ():
            found.digests[CHECKIN, str(checkin_id)] = str(checkin_digest)
    return found


def _check(kind: str, pk: int, recorded: _Recorded, legacy: bool, report: RecordReport) -> None:
    label = LABELS[kind][0]
    expected = recorded.digests.get((kind, str(pk)))
    if expected is None:
        if kind in NEWLY_COVERED and legacy:
            report.not_covered[kind] += 1
        else:
            report.problems.append(f"{label} {pk} has no audit row with its digest")
    elif DIGESTS[kind](pk) != expected:
        report.problems.append(f"{label} {pk} was changed outside the application")


def verify() -> RecordReport:
    """Recompute every covered record's digest and compare it with its latest audit row."""
    recorded = _recorded()
    report = RecordReport()
    checkin_sessions = dict(CheckIn.objects.values_list("pk", "session_id"))
    for kind, model in MODELS.items():
        ids = list(model._default_manager.order_by("pk").values_list("pk", flat=True))  # noqa: SLF001 - Django's API
        report.checked[kind] = len(ids)
        for pk in ids:
            source = (SESSION, str(checkin_sessions[pk])) if kind == CHECKIN else (kind, str(pk))
            _check(kind, pk, recorded, source in recorded.legacy, report)
    return report
