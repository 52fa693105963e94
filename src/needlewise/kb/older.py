"""Reading a knowledge base written for an older needlewise, only to compare it with the current one.

``needlewise kb diff --from REF`` reads the old side this way (``load_knowledge_base(..., older=...)``).
Where the current format asks for more than the older files have, the old knowledge base is read as
it declares itself and the difference is noted here instead of refused:

* its vocabulary is the values it labels: a value added since is absent (a vignette that uses it is
  not comparable), a value since removed is left out;
* a question without an ``unsure`` text takes no "not sure" answer (a vignette that needs one is not
  comparable); a plan text added since is left empty (verdicts do not read texts);
* citations of marketing sources, which the current rules refuse outside ``claims.yaml``, are counted;
* a ``treatment.yaml`` without the home journal's section (replacement figures, words) reads with a
  placeholder: verdicts never read it;
* a rule the current code cannot read (its shape, condition, tier or citations) is left out and
  reported as unreadable in the old version, with why.

Anything else the current code rejects still makes the load fail, with every problem listed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from needlewise.errors import Problem

_PLACEHOLDER_TEXT = {"en": "(absent in this version)", "es": "(ausente en esta versión)"}
HOME_JOURNAL_PLACEHOLDER = {
    "replace_after_uses": 10,
    "replace_after_months": 3,
    "replacement": {"confidence": "low", "text": _PLACEHOLDER_TEXT, "citations": ["aad-2018-mn-news-release"]},
    "too_soon": {"title": _PLACEHOLDER_TEXT, "advice": _PLACEHOLDER_TEXT},
    "checkin_outcome": dict.fromkeys(("expected", "call_clinic", "seek_care_now"), _PLACEHOLDER_TEXT),
}


@dataclass
class OlderFormat:
    """What was read with tolerance: notes on the older format, and the rules that could not be read."""

    notes: list[Problem] = field(default_factory=list)
    unreadable: dict[str, tuple[str, ...]] = field(default_factory=dict)  # rule id -> why
    marketing_citations: int = 0

    def all_notes(self) -> tuple[Problem, ...]:
        """The notes, with one for the marketing citations counted, if any."""
        if not self.marketing_citations:
            return tuple(self.notes)
        counted = Problem(
            "citations",
            f"{self.marketing_citations} citation(s) of marketing sources (grade MKT) outside claims.yaml, "
            "which the current rules refuse",
        )
        return (*self.notes, counted)


def fill_home_journal(documents: dict[str, object], older: OlderFormat) -> None:
    """Give an older ``treatment.yaml`` without a ``home_journal`` section the placeholder, noted."""
    treatment = documents.get("treatment.yaml")
    if isinstance(treatment, dict) and "home_journal" not in treatment:
        older.notes.append(Problem("treatment.yaml: home_journal", "absent in this version; read as a placeholder"))
        treatment["home_journal"] = HOME_JOURNAL_PLACEHOLDER
