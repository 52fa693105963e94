"""The shape of ``treatment.yaml`` (clinic treatment knowledge), checked with pydantic before its meaning.

Same conventions as :mod:`needlewise.kb.schema`: unknown keys are rejected, every text is bilingual,
every statement cites at least one source. Ids here are stored in clinic records (consent risks,
check-in answers, adverse events), so they are snake_case like the vocabulary values they sit beside;
goals, zones and products are vocabulary values, checked against ``vocabulary.yaml`` by
:mod:`needlewise.kb.treatment`.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from needlewise.domain.tier import Confidence
from needlewise.domain.treatment import Triage
from needlewise.kb.schema import Citations, NonEmpty, TextModel

Key = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(_[a-z0-9]+)*$", max_length=40)]
Millimetres = Annotated[float, Field(ge=0, le=5)]
Day = Annotated[int, Field(ge=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RangeModel(_Strict):
    """The needle lengths reported for one goal; both ``None`` where no range is confirmed."""

    goal: NonEmpty
    min_mm: Millimetres | None
    max_mm: Millimetres | None
    confidence: Confidence
    note: TextModel
    citations: Citations


class ZoneNoteModel(_Strict):
    """A caution for one treatment zone above a needle length."""

    zone: NonEmpty
    warn_above_mm: Millimetres
    text: TextModel
    citations: Citations


class IntervalRuleModel(_Strict):
    """The shortest interval for needles up to ``up_to_mm`` (``None``: any length)."""

    up_to_mm: Millimetres | None
    min_days: Annotated[int, Field(ge=1, le=365)]
    confidence: Confidence
    note: TextModel
    citations: Citations


class IntervalsModel(_Strict):
    """The interval rules of one goal, shortest needles first, ending with a catch-all."""

    goal: NonEmpty
    rules: Annotated[list[IntervalRuleModel], Field(min_length=1)]


class WarningModel(_Strict):
    """A cited warning text."""

    text: TextModel
    citations: Citations


class NumbingModel(_Strict):
    """FDA's topical-anaesthetic warnings and the thresholds the checks use."""

    max_lidocaine_percent: Annotated[float, Field(gt=0, le=100)]
    large_area_zones: Annotated[list[NonEmpty], Field(min_length=1)]
    compounded: WarningModel
    over_strength: WarningModel
    large_area: WarningModel
    occlusion: WarningModel
    broken_skin: WarningModel
    heat: WarningModel


class ProductFlagModel(_Strict):
    """Why a planned product should not go on freshly needled skin."""

    product: NonEmpty
    text: TextModel
    citations: Citations


class ConsentRiskModel(_Strict):
    """A risk a consent form lists."""

    id: Key
    confidence: Confidence
    text: TextModel
    citations: Citations


class CheckinQuestionModel(_Strict):
    """A yes/no red-flag question of a check-in."""

    id: Key
    triage: Triage
    from_day: Day
    text: TextModel
    citations: Citations


class CheckinModel(_Strict):
    """When check-ins are sent, what they ask and what each triage level tells the client."""

    days: Annotated[list[Day], Field(min_length=1)]
    outcome: dict[Triage, TextModel]
    questions: Annotated[list[CheckinQuestionModel], Field(min_length=1)]
    citations: Citations


class AdverseEventKindModel(_Strict):
    """A kind of adverse event a clinic can record."""

    id: Key
    label: TextModel
    citations: Citations


class ConfidentWarningModel(WarningModel):
    """A cited warning text with how sure its evidence is."""

    confidence: Confidence


class TooSoonModel(_Strict):
    """The words of a home session logged sooner than the shortest interval in use."""

    title: TextModel
    advice: TextModel


class HomeJournalModel(_Strict):
    """When to replace a home device (low-confidence figures, no study sets them) and the journal's own words."""

    replace_after_uses: Annotated[int, Field(ge=1, le=100)]
    replace_after_months: Annotated[int, Field(ge=1, le=24)]
    replacement: ConfidentWarningModel
    too_soon: TooSoonModel
    checkin_outcome: dict[Triage, TextModel]


class TreatmentFileModel(_Strict):
    """``treatment.yaml``."""

    ranges: Annotated[list[RangeModel], Field(min_length=1)]
    zone_notes: list[ZoneNoteModel]
    intervals: Annotated[list[IntervalsModel], Field(min_length=1)]
    numbing: NumbingModel
    product_flags: list[ProductFlagModel]
    consent_risks: Annotated[list[ConsentRiskModel], Field(min_length=1)]
    checkin: CheckinModel
    adverse_event_kinds: Annotated[list[AdverseEventKindModel], Field(min_length=1)]
    home_journal: HomeJournalModel
