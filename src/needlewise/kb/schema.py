"""The shape of each knowledge-base file, checked with pydantic before any meaning is checked.

Unknown keys are rejected everywhere, so a misspelt key is an error rather than silently ignored.
Conditions stay raw here; :mod:`needlewise.kb.conditions` parses them.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from needlewise.domain.tier import Confidence, Grade, Severity, Tier
from needlewise.domain.vocabulary import Setting

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=60)]
NonEmpty = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
Citations = Annotated[list[Slug], Field(min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TextModel(_Strict):
    """A text in English and Spanish."""

    en: NonEmpty
    es: NonEmpty


class TierTextModel(_Strict):
    """How one tier is described."""

    title: TextModel
    summary: TextModel


class HomeNeedleModel(_Strict):
    """The home needle length policy."""

    max_mm: Annotated[float, Field(gt=0, le=0.5)]
    preferred_mm: Annotated[float, Field(gt=0, le=0.5)]
    citations: Citations


class KbFileModel(_Strict):
    """``kb.yaml``."""

    name: NonEmpty
    version: Annotated[str, StringConstraints(pattern=r"^\d+\.\d+\.\d+$")]
    disclaimer: TextModel
    plan_texts: dict[NonEmpty, TextModel]
    tiers: dict[Tier, TierTextModel]
    home_needle: HomeNeedleModel


Url = Annotated[str, StringConstraints(pattern=r"^https?://\S+$")]


class SourceModel(_Strict):
    """One bibliography entry of ``sources.yaml``.

    ``url`` is the original (DOI, PubMed, PMC, the regulator's or the publisher's own page) and is
    shown to people; it is ``None`` where no public original was found, and the entry is then cited
    by its text alone (never by a copy's address). ``read_at`` keeps, for reviewers, the addresses
    where the brief's compiler actually read the text when they differ from ``url`` (copies, mirrors,
    records; required when there is no ``url``), and
    ``also_brief_refs`` the brief's other numbers for the same work, so every entry still traces to
    the brief. ``note`` is a reviewer note and is never shown publicly; ``public_note`` is.
    """

    id: Slug
    brief_ref: Annotated[int, Field(ge=1)]
    also_brief_refs: list[Annotated[int, Field(ge=1)]] = []
    title: NonEmpty
    authors: NonEmpty | None
    year: Annotated[int, Field(ge=1900, le=2100)] | None
    venue: NonEmpty | None
    url: Url | None = None
    read_at: list[Url] = []
    grade: Grade
    note: NonEmpty | None
    public_note: NonEmpty | None = None


class SourcesFileModel(_Strict):
    """``sources.yaml``."""

    sources: Annotated[list[SourceModel], Field(min_length=1)]


class TermModel(_Strict):
    """A vocabulary value's labels."""

    en: NonEmpty
    es: NonEmpty
    home_reachable: bool = True


class ExampleModel(_Strict):
    """An example profile of a rule, with the tier the whole assessment must reach."""

    tier: Tier
    fires: bool = True
    profile: dict[str, object]


class RuleModel(_Strict):
    """One rule."""

    id: Slug
    tier: Tier | dict[Setting, Tier]
    severity: Severity
    confidence: Confidence
    brief_class: NonEmpty | None
    condition: object
    title: TextModel
    advice: TextModel
    seek_care_if: TextModel | None = None
    evidence_note: TextModel
    citations: Citations
    home_needle_cap_mm: Annotated[float, Field(gt=0, le=0.5)] | None = None
    blocks_home: bool = False
    home_technique: bool = False
    examples: Annotated[list[ExampleModel], Field(min_length=1)]


class RulesFileModel(_Strict):
    """A file under ``rules/``."""

    group: Slug
    rules: Annotated[list[RuleModel], Field(min_length=1)]


class StepModel(TextModel):
    """A step of a plan section; ``consumer_only``: for people treating themselves, never on a clinic's sheet."""

    consumer_only: bool = False


class SectionModel(_Strict):
    """A plan section in ``protocols.yaml``."""

    id: Slug
    applies_if: object = None
    requires_home_use: bool = False
    confidence: Confidence
    title: TextModel
    steps: Annotated[list[StepModel], Field(min_length=1)]
    citations: Citations


class ScheduleModel(_Strict):
    """A schedule in ``protocols.yaml``."""

    goal: NonEmpty
    where: Setting
    confidence: Confidence
    citations: Citations
    interval: TextModel
    sessions: TextModel


class ProtocolsFileModel(_Strict):
    """``protocols.yaml``."""

    sections: Annotated[list[SectionModel], Field(min_length=1)]
    schedules: Annotated[list[ScheduleModel], Field(min_length=1)]


class ChoiceModel(_Strict):
    """A labelled choice of a scale question."""

    value: int
    label: TextModel


class QuestionModel(_Strict):
    """One question of ``questionnaire.yaml``."""

    id: Slug
    field: NonEmpty
    kind: Literal["single", "multi", "boolean", "integer", "number", "scale", "procedures"]
    text: TextModel
    help: TextModel | None = None
    ask_if: object = None
    nullable: bool = False
    min: float | None = None
    max: float | None = None
    options: list[NonEmpty] | None = None
    choices: list[ChoiceModel] | None = None
    unsure: TextModel | None = None
    none_label: TextModel | None = None


class QuestionnaireFileModel(_Strict):
    """``questionnaire.yaml``."""

    questions: Annotated[list[QuestionModel], Field(min_length=1)]


class ClaimModel(_Strict):
    """A common claim checked against the evidence."""

    id: Slug
    claim: TextModel
    verdict: Literal["supported", "partly_supported", "overstated", "unproven", "wrong", "depends", "unconfirmed"]
    confidence: Confidence
    explanation: TextModel
    citations: Citations


class ClaimsFileModel(_Strict):
    """``claims.yaml``."""

    claims: Annotated[list[ClaimModel], Field(min_length=1)]


class GapModel(_Strict):
    """Something the evidence does not show."""

    id: Slug
    text: TextModel
    citations: list[Slug]
    applies_if: object = None


class GapsFileModel(_Strict):
    """``gaps.yaml``."""

    gaps: Annotated[list[GapModel], Field(min_length=1)]
