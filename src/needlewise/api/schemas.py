"""Response models of the API: the OpenAPI document's schemas, and the writers of the error bodies.

The public operations write what ``Assessment.to_json()`` and the other services return with orjson
directly (the hot path), and these models describe it exactly; the clinic operations return their
models and ninja dumps them (``ScreeningOut.assessment`` validates a stored assessment with
:class:`AssessmentOut`). schemathesis checks every response against them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from django.utils import timezone
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

TierName = Literal["home_ok", "home_caution", "clinic", "medical_review", "stop"]
SeverityName = Literal["info", "low", "moderate", "high"]
ConfidenceName = Literal["high", "moderate", "low", "very_low"]
GradeName = Literal["REG", "GL", "SR", "RCT", "OBS", "EO", "PRAC", "MKT"]
SettingName = Literal["home", "clinic"]
LangName = Literal["en", "es"]


def _on_the_clinic_s_clock(value: datetime) -> datetime:
    """A stored instant with the offset of the clinic's time zone (active for the clinic API's requests)."""
    return timezone.localtime(value)


ClinicTime = Annotated[datetime, AfterValidator(_on_the_clinic_s_clock)]
"""A time the clinic API writes: ISO 8601 with the clinic's UTC offset (``2026-12-21T10:00:00+01:00``)."""
JsonAny = str | int | float | bool | list[str] | None
RowId = Annotated[int, Field(ge=0, le=2**63 - 1)]
"""A record's id in a path: one a database row can have (a larger number is 422 naming it, never a 500)."""


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class KbVersionOut(_Out):
    """Human version and content hash of the knowledge base."""

    version: str
    content_hash: str


class SourceOut(_Out):
    """A cited source."""

    id: str
    title: str
    authors: str | None
    year: int | None
    grade: GradeName
    url: str | None = Field(
        description="The original (DOI, PubMed, the regulator's or publisher's own page). Null when no public "
        "original was found: the source is then cited by its title, authors, year and grade alone, never by "
        "the address of a copy."
    )


class FactOut(_Out):
    """An answer a rule read."""

    field: str
    value: JsonAny


class FindingOut(_Out):
    """A reason behind the verdict."""

    rule_id: str
    tier: TierName
    severity: SeverityName
    confidence: ConfidenceName
    title: str
    advice: str
    seek_care_if: str | None
    evidence_note: str
    citations: list[str] = Field(min_length=1)
    facts: list[FactOut]


class OpenAnswerOut(_Out):
    """A question answered "not sure" (or left out of a v2 profile) that could change the verdict."""

    field: str
    question: str
    answer: Literal["unsure", "unanswered"]
    could_be: TierName


class ScheduleOut(_Out):
    """How often and how many sessions for one goal."""

    goal: str
    goal_label: str
    where: SettingName
    interval: str
    sessions: str
    confidence: ConfidenceName
    citations: list[str] = Field(min_length=1)


class SectionOut(_Out):
    """A plan section: preparation, disinfection, aftercare, red flags..."""

    id: str
    title: str
    steps: list[str]
    confidence: ConfidenceName
    citations: list[str] = Field(min_length=1)


class PlanOut(_Out):
    """The person's plan."""

    home_needle_mm_max: float | None
    home_needle_mm_preferred: float | None
    needle_summary: str
    schedules: list[ScheduleOut]
    sections: list[SectionOut]


class AssessmentOut(_Out):
    """An assessment: the verdict tier, the findings behind it, the plan, and every cited source once."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, serialize_by_alias=True)

    schema_id: Literal["needlewise.assessment/1"] = Field(alias="schema")
    tier: TierName
    tier_title: str
    tier_summary: str
    setting: SettingName
    lang: LangName
    kb_version: KbVersionOut
    findings: list[FindingOut]
    open_answers: list[OpenAnswerOut]
    plan: PlanOut
    sources: dict[str, SourceOut]
    disclaimer: str


class ProblemOut(_Out):
    """One thing wrong with a request."""

    field: str
    message: str
    suggestion: str | None


class ErrorOut(_Out):
    """Every error response."""

    error: str
    message: str
    problems: list[ProblemOut]


class OptionOut(_Out):
    """A choice of a question."""

    value: str
    label: str


class UnsureOut(_Out):
    """The answer "not sure" to a question: the JSON value to send, and what to find out."""

    value: Literal["unsure"]
    find_out: str


class QuestionOut(_Out):
    """A questionnaire question."""

    id: str
    field: str
    kind: Literal["single", "multi", "boolean", "integer", "number", "scale", "procedures"]
    text: str
    help: str | None
    nullable: bool
    min: float | None
    max: float | None
    options: list[OptionOut]
    ask_if: dict[str, object] | None
    unsure: UnsureOut | None
    none_label: str | None


class QuestionnaireOut(_Out):
    """The adaptive questionnaire in one language."""

    lang: LangName
    kb_version: KbVersionOut
    questions: list[QuestionOut]


class RuleOut(_Out):
    """A rule of the knowledge base."""

    id: str
    group: str
    tier: dict[SettingName, TierName]
    severity: SeverityName
    confidence: ConfidenceName
    brief_class: str | None
    title: str
    condition: dict[str, object]
    citations: list[str]


class CatalogueSourceOut(SourceOut):
    """A bibliography entry."""

    brief_ref: int
    venue: str | None
    public_note: str | None


class KnowledgeOut(_Out):
    """The knowledge base: version, rules and sources."""

    kb_version: KbVersionOut
    lang: LangName
    rules: list[RuleOut]
    sources: list[CatalogueSourceOut]


class HealthOut(_Out):
    """Liveness and the knowledge base in use."""

    status: Literal["ok"]
    kb_version: KbVersionOut
