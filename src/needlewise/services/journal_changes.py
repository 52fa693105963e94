"""A home journal's "things changed": pregnancy, the skin today, medicines; the journal is assessed again.

The person says what is true now (the form shows what the journal holds); those answers replace the
profile's, and the next read re-assesses it with the knowledge base: a tier above home use pauses the
journal with the reasons and when to come back (:func:`needlewise.engine.journal.pause`), and an answer
taken back (the cold sore has healed) lifts the pause. Nothing else of the profile changes. Each change
and its result are kept in the journal's history (:mod:`needlewise.services.journal_change_history`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from needlewise.domain.json_types import JsonValue
from needlewise.domain.vocabulary import Lang, Medication, SkinNow
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.errors import N_, NotFoundError, Problem
from needlewise.services.journal import parsed_profile, stored_view
from needlewise.services.journal_change_history import change_entry, with_change
from needlewise.services.journal_state import JournalView
from needlewise.services.ports import JournalRecord, Journals
from needlewise.services.saved_results import digest

FIELDS = ("pregnant_or_breastfeeding", "skin_now", "medications")


@dataclass(frozen=True, slots=True)
class Changes:
    """What is true now: pregnant or breastfeeding, the skin conditions today, the medicines taken."""

    pregnant_or_breastfeeding: bool
    skin_now: frozenset[SkinNow]
    medications: frozenset[Medication]

    @classmethod
    def of(cls, profile: Mapping[str, JsonValue]) -> Changes:
        """The answers ``profile`` holds (one still open, "unsure", reads as nothing said)."""
        skin = profile.get("skin_now")
        medicines = profile.get("medications")
        return cls(
            profile.get("pregnant_or_breastfeeding") is True,
            frozenset(SkinNow(str(s)) for s in skin) if isinstance(skin, list) else frozenset(),
            frozenset(Medication(str(m)) for m in medicines) if isinstance(medicines, list) else frozenset(),
        )

    def applied(self, profile: dict[str, JsonValue]) -> dict[str, JsonValue]:
        """``profile`` with these answers in place of its own."""
        return {
            **profile,
            "pregnant_or_breastfeeding": self.pregnant_or_breastfeeding,
            "skin_now": list[JsonValue](sorted(s.value for s in self.skin_now)),
            "medications": list[JsonValue](sorted(m.value for m in self.medications)),
        }


def journal_changes(store: Journals, token: str) -> Changes:
    """What the journal behind ``token`` holds now, to show in the form. ``NotFoundError`` if none."""
    record = store.get(digest(token))
    if record is None:
        raise NotFoundError([Problem("key", N_("No journal has this link; it may have been deleted."))])
    return Changes.of(record.profile)


def record_changes(  # noqa: PLR0913 - the journal, the changes, the knowledge base, the language, now
    store: Journals, token: str, changes: Changes, kb: KnowledgeBase, lang: Lang | None, *, at: datetime | None = None
) -> JournalView:
    """Keep ``changes`` in the journal's profile and history; the journal assessed again (maybe paused or resumed)."""

    def update(record: JournalRecord) -> JournalRecord:
        profile = changes.applied(record.profile)
        parsed = parsed_profile(profile)  # the answers still make a profile (ProfileError otherwise)
        entry = change_entry(kb, record.profile, profile, parsed, at or datetime.now(UTC))
        return replace(record, profile=profile, state=with_change(record.state, entry))

    changed = store.change(digest(token), update)
    if changed is None:
        raise NotFoundError([Problem("key", N_("No journal has this link; it may have been deleted."))])
    return stored_view(changed, kb, lang)
