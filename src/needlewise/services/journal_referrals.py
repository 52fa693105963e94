"""The trace a referral leaves in its journal: which clinic it went to and when, nothing more.

What was sent stays with the clinic's request (:mod:`needlewise.clinic.intake.referral`); the journal
keeps the clinic's name and slug and the instant (UTC), so that its page can say "Sent to … on …" and
its delete page can say that the clinic keeps its copy. At most ``MAX_REFERRALS`` are kept, the latest.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from needlewise.domain.json_types import JsonValue
from needlewise.services.journal_entries import stored_objects

MAX_REFERRALS = 20  # the latest kept: a bounded state, and more than anyone sends a journal


@dataclass(frozen=True, slots=True)
class ReferralEntry:
    """A journal sent to a clinic: its name and slug when it was sent, and when (UTC)."""

    clinic: str
    slug: str
    at: datetime

    def to_json(self) -> dict[str, JsonValue]:
        """Stored form."""
        return {"clinic": self.clinic, "slug": self.slug, "at": self.at.isoformat()}

    @classmethod
    def from_json(cls, data: Mapping[str, JsonValue]) -> ReferralEntry:
        """Read back a stored entry."""
        return cls(str(data["clinic"]), str(data["slug"]), datetime.fromisoformat(str(data["at"])))


def referrals_of(state: Mapping[str, JsonValue]) -> tuple[ReferralEntry, ...]:
    """The referrals ``state`` holds, in the order sent."""
    return tuple(ReferralEntry.from_json(r) for r in stored_objects(state.get("referrals")))


def with_referral(state: Mapping[str, JsonValue], entry: ReferralEntry) -> dict[str, JsonValue]:
    """``state`` with ``entry`` kept last (and only the latest ``MAX_REFERRALS``)."""
    kept: list[JsonValue] = [*stored_objects(state.get("referrals")), entry.to_json()]
    return {**state, "referrals": kept[-MAX_REFERRALS:]}
