"""What an assessment says: the verdict tier, the findings behind it, and the person's plan."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from needlewise.domain.citation import ENUM_TEXT, Citation, SourceForms, source_forms
from needlewise.domain.json_types import JsonValue
from needlewise.domain.plan import Plan
from needlewise.domain.shared_json import SharedArray, SharedObject, shared
from needlewise.domain.tier import Confidence, Severity, Tier

ASSESSMENT_SCHEMA = "needlewise.assessment/1"


@dataclass(frozen=True, slots=True)
class KbVersion:
    """Human version plus content hash of the knowledge base an assessment was made with."""

    version: str
    content_hash: str

    def to_json(self) -> dict[str, JsonValue]:
        """JSON form."""
        return {"version": self.version, "content_hash": self.content_hash}


class Fact(NamedTuple):
    """One answer a rule read, with the value it had."""

    field: str
    value: JsonValue

    def to_json(self) -> dict[str, JsonValue]:
        """JSON form."""
        return {"field": self.field, "value": self.value}


@dataclass(frozen=True, slots=True)
class FindingText:
    """What a finding says whatever the answers were: one per rule, setting and language.

    The engine prepares these once per knowledge base; an assessment only pairs them with the facts
    that fired them. The JSON form (all but the facts) is built once too.
    """

    rule_id: str
    tier: Tier
    severity: Severity
    confidence: Confidence
    title: str
    advice: str
    seek_care_if: str | None
    evidence_note: str
    citations: tuple[Citation, ...]
    _json: dict[str, JsonValue] = field(init=False, repr=False, compare=False, hash=False)
    _citation_ids: tuple[str, ...] = field(init=False, repr=False, compare=False, hash=False)
    order: int = field(init=False, repr=False, compare=False, hash=False)  # most restrictive tier first
    source_forms: SourceForms = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        """Build the JSON form, the sources' forms and the sort key once."""
        object.__setattr__(self, "order", -self.tier.rank)
        object.__setattr__(self, "source_forms", source_forms(self.citations))
        ids = tuple(c.source_id for c in self.citations)
        json: dict[str, JsonValue] = {
            "rule_id": self.rule_id,
            "tier": ENUM_TEXT[self.tier],
            "severity": ENUM_TEXT[self.severity],
            "confidence": ENUM_TEXT[self.confidence],
            "title": self.title,
            "advice": self.advice,
            "seek_care_if": self.seek_care_if,
            "evidence_note": self.evidence_note,
            "citations": [],
        }
        object.__setattr__(self, "_json", json)
        object.__setattr__(self, "_citation_ids", ids)

    def shared_json(self, facts: tuple[Fact, ...]) -> SharedObject:
        """The read-only JSON form of the finding these words make with ``facts``, to be shared.

        The words' part is plain text (shared as it is); only the citations and the facts are made read-only.
        """
        return SharedObject(
            {
                **self._json,
                "citations": SharedArray(self._citation_ids),
                "facts": SharedArray(shared(f.to_json()) for f in facts),
            }
        )

    def to_json(self, facts: tuple[Fact, ...]) -> dict[str, JsonValue]:
        """JSON form of the finding these words make with ``facts`` (a fresh copy)."""
        return {
            **self._json,
            "citations": list(self._citation_ids),
            "facts": [f.to_json() for f in facts],
        }


class Finding(NamedTuple):
    """One rule that fired for this person, in the person's language: its words and the answers it read.

    A named tuple rather than a frozen dataclass: an assessment builds several per call, and tuple
    construction is several times cheaper.
    """

    text: FindingText
    facts: tuple[Fact, ...]
    shared_json: SharedObject | None = None  # its JSON form, built once by ``Finding.of`` and shared

    @classmethod
    def of(cls, text: FindingText, facts: tuple[Fact, ...]) -> Finding:
        """The finding, with its JSON form built now: the engine keeps it and many assessments share it."""
        return cls(text, facts, text.shared_json(facts))

    def json_form(self) -> SharedObject:
        """Its read-only JSON form (the one built by ``Finding.of``, else built now)."""
        return self.shared_json if self.shared_json is not None else self.text.shared_json(self.facts)

    @property
    def rule_id(self) -> str:
        """The rule's id (``unsure-<question>`` for an open answer)."""
        return self.text.rule_id

    @property
    def tier(self) -> Tier:
        """The tier the rule forces in the person's setting."""
        return self.text.tier

    @property
    def severity(self) -> Severity:
        """How serious the harm it guards against is."""
        return self.text.severity

    @property
    def confidence(self) -> Confidence:
        """How sure the evidence behind it is."""
        return self.text.confidence

    @property
    def title(self) -> str:
        """Its title."""
        return self.text.title

    @property
    def advice(self) -> str:
        """What to do."""
        return self.text.advice

    @property
    def seek_care_if(self) -> str | None:
        """When to see a doctor, where the rule says."""
        return self.text.seek_care_if

    @property
    def evidence_note(self) -> str:
        """What the evidence behind it is, and how strong."""
        return self.text.evidence_note

    @property
    def citations(self) -> tuple[Citation, ...]:
        """The sources it cites."""
        return self.text.citations

    def to_json(self) -> dict[str, JsonValue]:
        """JSON form."""
        return self.text.to_json(self.facts)


class OpenAnswer(NamedTuple):
    """A question answered "not sure" (or left out of a v2 profile) whose answer could change the verdict.

    ``could_be`` is the most restrictive verdict some real answer to it would give, on its own: the
    answer that could allow a lower tier is the one to find out.
    """

    field: str
    question: str
    answer: str
    could_be: Tier

    def to_json(self) -> dict[str, JsonValue]:
        """JSON form."""
        return {
            "field": self.field,
            "question": self.question,
            "answer": self.answer,
            "could_be": ENUM_TEXT[self.could_be],
        }


@dataclass(frozen=True, slots=True)
class Assessment:
    """The engine's whole answer for one profile against one knowledge base."""

    tier: Tier
    tier_title: str
    tier_summary: str
    setting: str
    lang: str
    kb_version: KbVersion
    findings: tuple[Finding, ...]
    plan: Plan
    disclaimer: str
    open_answers: tuple[OpenAnswer, ...] = ()

    def to_json(self) -> dict[str, JsonValue]:
        """JSON form, with a stable key order.

        Findings, plan sections and schedules cite sources by id; ``sources`` describes each cited
        source once (title, authors, year, evidence grade, address), in order of first citation.

        The object and its lists are new; the finding, source, section and schedule objects in them
        are the same in every assessment that holds them, built once and read-only
        (:mod:`needlewise.domain.shared_json`): ``copy.deepcopy`` the result to change it.
        """
        sources: dict[str, JsonValue] = {}
        for finding in self.findings:
            sources.update(finding.text.source_forms)
        sources.update(self.plan.source_forms)  # the plan's own, in order: a source already cited keeps its place
        return {
            "schema": ASSESSMENT_SCHEMA,
            "tier": ENUM_TEXT[self.tier],
            "tier_title": self.tier_title,
            "tier_summary": self.tier_summary,
            "setting": self.setting,
            "lang": self.lang,
            "kb_version": self.kb_version.to_json(),
            "findings": [f.shared_json or f.json_form() for f in self.findings],
            "open_answers": [a.to_json() for a in self.open_answers],
            "plan": self.plan.to_json(),
            "sources": sources,
            "disclaimer": self.disclaimer,
        }
