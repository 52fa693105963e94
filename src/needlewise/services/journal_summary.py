"""What a referral from a home journal carries to a clinic: the journal's summary, built in this one place.

The summary is the journal as it stands when the person sends it, decided with today's knowledge base
(:meth:`~needlewise.services.journal_state.JournalView.to_json`), less the page's disclaimer: the
re-assessment's tier and knowledge base, the pause and its reasons, the next reasonable day and its
interval, the device and when to replace it, every session logged (day, needle length, areas,
products afterwards, findings with their sources' ids), the latest findings, the skin checks kept
(answers, triage, what to do) and the changes reported (what changed, the re-assessment, its reasons),
the check that needs attention, and the sources cited.
The person's answers and the full assessment travel beside it (the request's profile and document).
"""

from __future__ import annotations

from needlewise.domain.json_types import JsonValue
from needlewise.services.journal_state import JournalView

SUMMARY_SCHEMA = "needlewise.journal-summary/1"
_LEFT_OUT = frozenset({"schema", "disclaimer"})


def journal_summary(view: JournalView) -> dict[str, JsonValue]:
    """The summary of ``view`` that a referral stores with the request (see the module)."""
    state = view.to_json()
    return {"schema": SUMMARY_SCHEMA, **{k: v for k, v in state.items() if k not in _LEFT_OUT}}
