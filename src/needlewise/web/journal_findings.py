"""The journal page's findings, each shown once: a finding that fired on many sessions is one card.

The latest session's findings have their cards at the top ("About your latest session"); the others
(from earlier sessions only) get one card each below the list of sessions, with the days of the
sessions they came from. Each session in the list names its findings in a fold, linking to its card.
The PDF lists each session's finding titles and gives every finding's card once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from needlewise.domain.assessment import Finding
from needlewise.services.journal_state import JournalView


@dataclass(frozen=True, slots=True)
class EarlierFinding:
    """A finding of earlier sessions that the latest session did not raise, and the days it came from."""

    finding: Finding
    days: tuple[date, ...]  # newest first, as the list of sessions


def earlier_findings(view: JournalView, *, with_latest: bool = False) -> tuple[EarlierFinding, ...]:
    """Each finding of the earlier sessions once (not the latest session's, unless ``with_latest``), newest first.

    ``with_latest``: every session's findings, once each (the PDF, which has no card at the top).
    """
    latest = set() if with_latest else {f.rule_id for f in view.findings}
    found: dict[str, tuple[Finding, list[date]]] = {}
    for logged in reversed(view.sessions):
        for finding in logged.findings:
            if finding.rule_id not in latest:
                found.setdefault(finding.rule_id, (finding, []))[1].append(logged.entry.on)
    return tuple(EarlierFinding(finding, tuple(days)) for finding, days in found.values())
