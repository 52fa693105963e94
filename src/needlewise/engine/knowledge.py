"""The knowledge base as the engine sees it: immutable, already validated, bilingual.

:mod:`needlewise.kb` builds these from the YAML files in ``knowledge/``; the engine only reads them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from needlewise.domain.assessment import KbVersion
from needlewise.domain.text import Text
from needlewise.domain.tier import Confidence, Grade, Severity, Tier
from needlewise.domain.vocabulary import Setting
from needlewise.engine.conditions import Condition
from needlewise.engine.treatment_knowledge import TreatmentKnowledge

JsonData = Mapping[str, object]


@dataclass(frozen=True, slots=True)
class Source:
    """A bibliography entry of the research brief.

    ``url`` is the original and is what people see; ``None`` when no public original was found (the
    entry is then cited by its text, with no link). ``read_at`` (where the text was actually read,
    when that differs), ``also_brief_refs`` (the brief's other numbers for the same work) and
    ``note`` are for reviewers only and never reach a public page; ``public_note`` may.
    """

    source_id: str
    brief_ref: int
    title: str
    authors: str | None
    year: int | None
    venue: str | None
    url: str | None
    grade: Grade
    note: str | None
    public_note: str | None = None
    read_at: tuple[str, ...] = ()
    also_brief_refs: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class RuleExample:
    """A profile document (v1, or v2) and what the rule and the whole assessment must do with it."""

    profile: JsonData
    tier: Tier
    fires: bool


@dataclass(frozen=True, slots=True)
class Rule:
    """A cited rule: when its condition holds, the verdict is at least its tier (per setting)."""

    rule_id: str
    group: str
    tiers: Mapping[Setting, Tier]
    severity: Severity
    confidence: Confidence
    brief_class: str | None
    condition: Condition
    title: Text
    advice: Text
    seek_care_if: Text | None
    evidence_note: Text
    citations: tuple[str, ...]
    home_needle_cap_mm: float | None
    blocks_home: bool
    examples: tuple[RuleExample, ...]
    home_technique: bool = False  # its advice is how to do it at home: shown only where home use is advised

    def tier_for(self, setting: Setting) -> Tier:
        """The tier this rule forces in ``setting``."""
        return self.tiers[setting]


@dataclass(frozen=True, slots=True)
class ProtocolSection:
    """A plan section (preparation, disinfection, aftercare, red flags ...), shown when it applies."""

    section_id: str
    title: Text
    steps: tuple[Text, ...]
    confidence: Confidence
    citations: tuple[str, ...]
    applies_if: Condition | None
    requires_home_use: bool
    consumer_only: frozenset[int] = frozenset()  # steps (by index) never shown on a clinic's own sheet

    def clinic_steps(self) -> tuple[Text, ...]:
        """The steps a clinic gives its own clients (those written for consumers left out)."""
        return tuple(step for n, step in enumerate(self.steps) if n not in self.consumer_only)


@dataclass(frozen=True, slots=True)
class Schedule:
    """Typical interval and number of sessions for one goal in one setting."""

    goal: str
    where: Setting
    interval: Text
    sessions: Text
    confidence: Confidence
    citations: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Term:
    """A vocabulary value with its labels."""

    value: str
    label: Text
    home_reachable: bool = True


@dataclass(frozen=True, slots=True)
class Question:
    """A questionnaire question mapped to one profile field, asked only when ``ask_if`` holds."""

    question_id: str
    field: str
    kind: str
    text: Text
    help: Text | None
    options: tuple[Term, ...]
    ask_if: Condition | None
    nullable: bool
    minimum: float | None
    maximum: float | None
    unsure_advice: Text | None = None
    none_label: Text | None = None

    @property
    def takes_unsure(self) -> bool:
        """Whether "not sure" is an answer (the loader gives exactly those questions an ``unsure`` text)."""
        return self.unsure_advice is not None


@dataclass(frozen=True, slots=True)
class TierText:
    """How a tier is described to a person."""

    title: Text
    summary: Text


@dataclass(frozen=True, slots=True)
class HomeNeedlePolicy:
    """The home needle length limits and where they come from."""

    max_mm: float
    preferred_mm: float
    citations: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Claim:
    """A common claim about microneedling, and what the evidence says of it."""

    claim_id: str
    claim: Text
    verdict: str
    confidence: Confidence
    explanation: Text
    citations: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Gap:
    """Something the evidence does not show (sources only where one says so).

    ``applies_if``: the answers it matters to; without one, it is general (the sources page lists it,
    a person's result does not).
    """

    gap_id: str
    text: Text
    citations: tuple[str, ...]
    applies_if: Condition | None = None


@dataclass(frozen=True, slots=True)
class KnowledgeBase:
    """Everything the engine needs, validated and frozen."""

    version: KbVersion
    disclaimer: Text
    plan_texts: Mapping[str, Text]
    tier_texts: Mapping[Tier, TierText]
    home_needle: HomeNeedlePolicy
    sources: Mapping[str, Source]
    vocabulary: Mapping[str, Mapping[str, Term]]
    rules: tuple[Rule, ...]
    sections: tuple[ProtocolSection, ...]
    schedules: tuple[Schedule, ...]
    questions: tuple[Question, ...]
    treatment: TreatmentKnowledge
    claims: tuple[Claim, ...] = ()
    gaps: tuple[Gap, ...] = ()
    # What the engine compiles and prepares from this knowledge base (its conditions as functions, its
    # texts per language), built on first use and kept with it: whoever holds the knowledge base (the
    # composition root) holds its compiled form, and no process-wide cache outlives it.
    compiled: dict[object, object] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Freeze the mappings so a loaded knowledge base cannot be changed."""
        object.__setattr__(self, "sources", MappingProxyType(dict(self.sources)))
        object.__setattr__(self, "tier_texts", MappingProxyType(dict(self.tier_texts)))
        object.__setattr__(self, "plan_texts", MappingProxyType(dict(self.plan_texts)))
        object.__setattr__(
            self,
            "vocabulary",
            MappingProxyType({k: MappingProxyType(dict(v)) for k, v in self.vocabulary.items()}),
        )
