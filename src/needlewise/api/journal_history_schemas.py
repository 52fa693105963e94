"""The declared shapes of a home journal's history in its state: the skin checks and "things changed".

Written by :meth:`needlewise.services.journal_state.JournalView.to_json` (``checks``, ``changes``,
``attention``); :class:`needlewise.api.journal_schemas.JournalOut` declares them with these models.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from needlewise.api.schemas import TierName
from needlewise.domain.vocabulary import Medication, SkinNow

TriageName = Literal["expected", "call_clinic", "seek_care_now"]


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CheckAnswerOut(_Out):
    """A red-flag question of the check and its answer."""

    id: str
    text: str
    answer: Literal["yes", "no", "not_sure"] = Field(
        description="yes, no or not_sure (checks kept before not_sure existed: yes or no)."
    )
    yes: bool = Field(description='Triaged as yes: a "yes", and a "not sure" (never read as "no").')


class CheckEntryOut(_Out):
    """A skin check kept in the journal: when, the session it follows, the answers, the triage and what to do."""

    at: datetime = Field(description="When the check was made (UTC).")
    on: date = Field(description="The person's calendar day of the check.")
    session_on: date = Field(description="The day of the session it follows.")
    day: int = Field(description="Days since that session.")
    answers: list[CheckAnswerOut]
    triage: TriageName
    advice: str
    sessions_since: int = Field(ge=0, description="Sessions logged after the check.")
    resolved: Literal["yes", "no", "not_sure"] | None = Field(
        description="Asked while an earlier day's worrying check held: seen by a doctor, or the signs gone"
        " (null: not asked)."
    )


class ChangeReasonOut(_Out):
    """A finding of the re-assessment that paused the journal, as it was given (what to do, when to come back)."""

    rule_id: str
    tier: TierName
    title: str
    advice: str
    citations: list[str]


class ChangeEntryOut(_Out):
    """A "things changed" kept in the journal: what was true then, which answers changed, the re-assessment."""

    at: datetime = Field(description="When the change was reported (UTC).")
    changed: list[str] = Field(description="The profile's answers that differ from before.")
    pregnant_or_breastfeeding: bool
    skin_now: list[SkinNow]
    medications: list[Medication]
    tier: TierName
    paused: bool
    reasons: list[ChangeReasonOut]
