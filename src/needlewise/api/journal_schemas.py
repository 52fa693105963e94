"""The home journal's JSON API shapes: what each operation takes and the journal's state it writes.

The state is :meth:`needlewise.services.journal_state.JournalView.to_json`; its history's parts are
declared in :mod:`needlewise.api.journal_history_schemas`. The operations are in
:mod:`needlewise.api.journal_routes` (and the check and referral routes beside it).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from needlewise.api.journal_history_schemas import ChangeEntryOut, CheckEntryOut
from needlewise.api.schemas import FindingOut, KbVersionOut, SourceOut
from needlewise.domain.vocabulary import Area, DeviceKind, Product
from needlewise.services import journal
from needlewise.services.time_zones import time_zone_names

LangParam = Literal["en", "es"]
Key = Annotated[str, Field(min_length=1, max_length=100)]
Confidence = Literal["high", "moderate", "low", "very_low"]
Millimetres = Annotated[float, Field(gt=0, le=5, description="Needle length in mm (not the depth reached).")]
Email = Annotated[
    str,
    Field(
        max_length=journal.MAX_EMAIL,
        pattern=journal.EMAIL.pattern,
        description="For reminders: the day of the next session and of the device's replacement (no health details).",
    ),
]
# The names the server's IANA database knows, listed in the schema; an unknown one is a 422 naming ``time_zone``.
TimeZone = Annotated[
    str,
    WithJsonSchema(
        {
            "type": "string",
            "enum": time_zone_names(),
            "description": "An IANA time zone name (Europe/Madrid, America/Los_Angeles): reminders go at 09:00 there.",
            "examples": ["Europe/Madrid"],
        }
    ),
]
PROFILE_MARK = {"type": "object", "x-profile": True}  # the OpenAPI document refers to the Profile component here
ProfileDocument = Annotated[dict[str, Any], WithJsonSchema(PROFILE_MARK)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class JournalIn(_In):
    """The person's answers (the questionnaire's Profile, read at home) and, optionally, an e-mail for reminders."""

    profile: ProfileDocument
    email: Email | None = None


class RemindersIn(_In):
    """Where the journal's reminders go: an e-mail address, or ``null`` for none (the address is then forgotten).

    ``time_zone``: the IANA zone whose 09:00 the reminders go at (left out: the journal's stays; UTC if none).
    """

    email: Email | None
    time_zone: TimeZone | None = None


class SessionIn(_In):
    """A home session: the day, the needle length, the areas treated, the products applied afterwards."""

    on: date
    needle_mm: Millimetres
    areas: Annotated[list[Area], Field(min_length=1, max_length=10)]
    products: Annotated[list[Product], Field(max_length=10)] = []


class DeviceIn(_In):
    """The device: its kind, needle length (null: not known), the day it was bought (null: not known), uses so far."""

    kind: DeviceKind
    needle_mm: Millimetres | None = None
    bought_on: date | None = None
    uses: Annotated[int, Field(ge=0, le=10_000)] = 0


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IntervalOut(_Out):
    """The interval that sets the next day: the shortest in use for the goals and that needle, not an optimum."""

    days: int
    after_session_on: date
    needle_mm: float
    next_needle_mm_max: float | None = Field(
        description="When a session above home use went longer than home use allows: the next session is one "
        "with a needle of this length or shorter (the day itself stays the one the session actually held sets)."
    )
    confidence: Confidence
    notes: list[str]
    citations: list[str]


class HomeLimitOut(_Out):
    """A session above home use (the latest or the one that sets the next day): what to say first, with why."""

    session_on: date
    needle_mm: float
    needle_over: bool = Field(description="Whether its needle was longer than home use allows (cap_mm).")
    cap_mm: float | None = Field(
        description="The longest needle reasonable at home for its areas and the person's goals (null: none)."
    )
    reasons: list[FindingOut]
    citations: list[str] = Field(description="The sources of the reasons and of the cap, each once.")


class DeviceOut(_Out):
    """The device as recorded, its uses counted on with each logged session."""

    kind: DeviceKind
    needle_mm: float | None
    bought_on: date | None
    uses: int


class ReplacementOut(_Out):
    """When to replace the device: low-confidence figures (no study sets an interval), with their sources."""

    after_uses: int
    uses: int
    uses_left: int
    after_months: int
    replace_on: date | None
    confidence: Confidence
    note: str
    citations: list[str]


class SessionOut(_Out):
    """A logged session and its findings."""

    on: date
    needle_mm: float
    areas: list[Area]
    products: list[Product]
    findings: list[FindingOut]


class PausedOut(_Out):
    """Why the journal is paused: the re-assessment's tier and the findings that raised it (what to do)."""

    tier: Literal["clinic", "medical_review", "stop"]
    reasons: list[FindingOut]


class JournalOut(_Out):
    """The journal's state: findings in the assessment's finding shape, the next reasonable day, the replacement."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    schema_id: Literal["needlewise.journal/1"] = Field(alias="schema")
    created_at: datetime | None
    lang: LangParam
    kb_version: KbVersionOut
    tier: Literal["home_ok", "home_caution", "clinic", "medical_review", "stop"]
    paused: PausedOut | None
    next_session_on: date | None = Field(
        description="The next reasonable day as computed, also when it is already past (then: any day from the "
        "reader's today; the server does not know the reader's time zone, so it does not decide that)."
    )
    interval: IntervalOut | None
    device: DeviceOut | None
    replacement: ReplacementOut | None
    reminders: bool = Field(description="Whether reminders go by e-mail (the address is never returned).")
    time_zone: str | None = Field(
        description="The IANA time zone whose 09:00 reminders go at; null: none chosen, they go at 09:00 UTC."
    )
    sessions: list[SessionOut]
    findings: list[FindingOut]
    checks: list[CheckEntryOut] = Field(description="Every skin check, in the order made.")
    changes: list[ChangeEntryOut] = Field(description='Every "things changed", in the order reported.')
    attention: CheckEntryOut | None = Field(
        description="The worst skin check still in force (stop and watch, seek care now): what to do first until "
        "a check on a later day says the expected course and the person says a doctor has seen them or the signs "
        "have gone (resolved: yes); a later check never clears it otherwise. Meanwhile next_session_on is null."
    )
    home_limits: list[HomeLimitOut] = Field(
        description="Sessions above home use (the latest, the one that sets the next day): first on the page, "
        "before the next day; never do that again at home."
    )
    sources: dict[str, SourceOut]
    disclaimer: str


class JournalCreatedOut(_Out):
    """The journal's private key (shown this once: keep it) and its state."""

    key: str
    journal: JournalOut
