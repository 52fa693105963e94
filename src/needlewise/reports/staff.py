"""A stored clinic screening in staff language: the disposition, then reasons written for a practitioner.

Staff pages, the staff PDF and the clinic API read a screening's assessment document through this
module, never its consumer wording (the tier's title and summary, "home caution" labels) nor its
debug form (``goals = ['acne_scars']``). Each reason keeps the knowledge base's own title, evidence
and sources, and says what to check: the answers it rests on, in words (:mod:`.answers`). The
knowledge base has no clinic-facing advice of its own, so no new clinical wording is made up here:
the client-facing advice is kept, labelled as such, for the practitioner to read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from needlewise.domain.disposition import Disposition
from needlewise.domain.tier import Tier
from needlewise.domain.vocabulary import Lang
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.reports.answers import AnswerLine, fact_lines, question_text


@dataclass(frozen=True, slots=True)
class Source:
    """A cited source as a reader sees it."""

    title: str
    url: str | None  # None: no public original found; named with no link
    grade: str
    year: object


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason of a screening for a practitioner: what was found, what to check, the evidence."""

    title: str
    disposition: Disposition | None  # None: a note that changes nothing (a ``home_ok`` reason)
    check: list[AnswerLine]
    seek_care_if: str | None
    client_advice: str
    confidence: str
    evidence_note: str
    sources: list[Source]

    @property
    def evidence(self) -> tuple[object, ...]:
        """What the card says after what to check, as a key: the knowledge base's words the record holds."""
        return (self.seek_care_if, self.client_advice, self.confidence, self.evidence_note, tuple(self.sources))


@dataclass(frozen=True, slots=True)
class OpenQuestion:
    """A question answered "not sure" (or left unanswered) that could change the disposition."""

    question: str
    could_be: Disposition


@dataclass(frozen=True, slots=True)
class StaffScreening:
    """A screening's assessment as staff read it."""

    disposition: Disposition
    reasons: list[Reason]
    notes: list[Reason]
    open_questions: list[OpenQuestion]


def staff_screening(document: Mapping[str, object], kb: KnowledgeBase, lang: Lang) -> StaffScreening:
    """The staff reading of a stored assessment document (its JSON form)."""
    findings = _objects(document.get("findings"))
    opened = _objects(document.get("open_answers"))
    tiers = [Tier(str(f["tier"])) for f in findings]
    disposition = Disposition.of(Tier(str(document["tier"])), tiers, open_answers=len(opened))
    sources = document.get("sources")
    known = sources if isinstance(sources, Mapping) else {}
    reasons = [_reason(f, tier, known, kb, lang) for f, tier in zip(findings, tiers, strict=True)]
    return StaffScreening(
        disposition=disposition,
        reasons=[r for r in reasons if r.disposition is not None],
        notes=[r for r in reasons if r.disposition is None],
        open_questions=[
            OpenQuestion(question_text(str(a["field"]), kb, lang), Disposition.of_tier(Tier(str(a["could_be"]))))
            for a in opened
        ],
    )


def _objects(value: object) -> list[Mapping[str, object]]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def _reason(
    finding: Mapping[str, object], tier: Tier, sources: Mapping[str, object], kb: KnowledgeBase, lang: Lang
) -> Reason:
    facts = [(str(f["field"]), f["value"]) for f in _objects(finding.get("facts"))]
    seek = finding.get("seek_care_if")
    return Reason(
        title=str(finding["title"]),
        disposition=None if tier is Tier.HOME_OK else Disposition.of_tier(tier),
        check=fact_lines(facts, kb, lang),
        seek_care_if=str(seek) if seek else None,
        client_advice=str(finding.get("advice", "")),
        confidence=str(finding.get("confidence", "")),
        evidence_note=str(finding.get("evidence_note") or ""),
        sources=_sources(finding.get("citations"), sources, kb),
    )


def _sources(cited: object, sources: Mapping[str, object], kb: KnowledgeBase) -> list[Source]:
    """The cited sources as the record names them; the address is today's original where the source is known.

    An older record may hold the address of a copy (or an original found since); a source the knowledge
    base still lists is linked as it is now, and one with no public original is not linked at all.
    """
    found = []
    for source_id in cited if isinstance(cited, Sequence) and not isinstance(cited, str) else []:
        source = sources.get(str(source_id))
        if isinstance(source, Mapping):
            current = kb.sources.get(str(source_id))
            url = current.url if current is not None else source.get("url")
            link = str(url) if url else None
            found.append(Source(str(source["title"]), link, str(source["grade"]), source.get("year")))
    return found
