"""A home journal's "things changed" history: each change the person reported and what it did then.

The stored state (:mod:`needlewise.services.journal_state`) holds ``changes`` in the order recorded,
beside the skin checks (:mod:`needlewise.services.journal_history`). A change keeps what the person
said was true then, which answers changed, and the re-assessment's result as it was given: the tier
and, when it paused the journal, the reasons in every language with their sources (what to do and when
to come back). The list is bounded: a full list is ``ConflictError``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from needlewise.domain.citation import ENUM_TEXT
from needlewise.domain.json_types import JsonValue
from needlewise.domain.profile import Profile
from needlewise.domain.text import Text
from needlewise.domain.tier import Tier
from needlewise.domain.vocabulary import Lang
from needlewise.engine.evaluate import assess
from needlewise.engine.journal import pause
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.errors import N_, ConflictError, Problem
from needlewise.services.journal_entries import stored_objects

MAX_CHANGES = 100  # "things changed" is rare (pregnancy, a new medicine, a cold sore)


@dataclass(frozen=True, slots=True)
class ChangeReason:
    """A finding that paused the journal, as it was given: its rule, tier, words in every language, sources."""

    rule_id: str
    tier: Tier
    title: Text
    advice: Text  # what to do, and when to come back where the knowledge base says
    citations: tuple[str, ...]

    def to_json(self) -> dict[str, JsonValue]:
        """Stored form."""
        return {
            "rule_id": self.rule_id,
            "tier": self.tier.value,
            "title": {"en": self.title.en, "es": self.title.es},
            "advice": {"en": self.advice.en, "es": self.advice.es},
            "citations": list[JsonValue](self.citations),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, JsonValue]) -> ChangeReason:
        """Read back a stored reason."""
        title, advice, cited = data["title"], data["advice"], data["citations"]
        return cls(
            str(data["rule_id"]),
            Tier(str(data["tier"])),
            Text(str(title["en"]), str(title["es"])),  # type: ignore[index,call-overload]
            Text(str(advice["en"]), str(advice["es"])),  # type: ignore[index,call-overload]
            tuple(str(c) for c in cited) if isinstance(cited, list) else (),
        )

    def shown(self, lang: Lang) -> dict[str, JsonValue]:
        """Written form in ``lang``."""
        return {
            "rule_id": self.rule_id,
            "tier": ENUM_TEXT[self.tier],
            "title": self.title.in_(lang),
            "advice": self.advice.in_(lang),
            "citations": list[JsonValue](self.citations),
        }


@dataclass(frozen=True, slots=True)
class ChangeEntry:
    """A "things changed": what was true then, which answers changed, the re-assessment's tier and pause."""

    at: datetime  # UTC
    changed: tuple[str, ...]  # the profile's answers that differ from before
    pregnant_or_breastfeeding: bool
    skin_now: tuple[str, ...]
    medications: tuple[str, ...]
    tier: Tier
    reasons: tuple[ChangeReason, ...]  # why it paused the journal (none: it did not)

    @property
    def paused(self) -> bool:
        """Whether the re-assessment paused the journal."""
        return bool(self.reasons)

    def to_json(self) -> dict[str, JsonValue]:
        """Stored form."""
        return {
            "at": self.at.isoformat(),
            "changed": list[JsonValue](self.changed),
            "pregnant_or_breastfeeding": self.pregnant_or_breastfeeding,
            "skin_now": list[JsonValue](self.skin_now),
            "medications": list[JsonValue](self.medications),
            "tier": self.tier.value,
            "reasons": [r.to_json() for r in self.reasons],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, JsonValue]) -> ChangeEntry:
        """Read back a stored entry."""
        return cls(
            datetime.fromisoformat(str(data["at"])),
            _strings(data["changed"]),
            data["pregnant_or_breastfeeding"] is True,
            _strings(data["skin_now"]),
            _strings(data["medications"]),
            Tier(str(data["tier"])),
            tuple(ChangeReason.from_json(r) for r in stored_objects(data["reasons"])),
        )

    def shown(self, lang: Lang) -> dict[str, JsonValue]:
        """Written form in ``lang`` (the API's and the export's)."""
        return {
            **self.to_json(),
            "tier": ENUM_TEXT[self.tier],
            "paused": self.paused,
            "reasons": [r.shown(lang) for r in self.reasons],
        }


def _strings(value: JsonValue) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def changes_of(state: Mapping[str, JsonValue]) -> tuple[ChangeEntry, ...]:
    """The "things changed" ``state`` holds, in the order recorded."""
    return tuple(ChangeEntry.from_json(c) for c in stored_objects(state.get("changes")))


def with_change(state: Mapping[str, JsonValue], entry: ChangeEntry) -> dict[str, JsonValue]:
    """``state`` with ``entry`` kept last; ``ConflictError`` when the journal holds ``MAX_CHANGES`` already."""
    kept = stored_objects(state.get("changes"))
    if len(kept) >= MAX_CHANGES:
        raise ConflictError([Problem("profile", N_("This journal's changes are full: start a new journal."))])
    return {**state, "changes": [*kept, entry.to_json()]}


def change_entry(
    kb: KnowledgeBase, before: Mapping[str, JsonValue], after: Mapping[str, JsonValue], profile: Profile, at: datetime
) -> ChangeEntry:
    """The entry for a change from the answers ``before`` to ``after`` (``profile``: ``after`` read at home)."""
    english, spanish = (assess(profile, kb, lang) for lang in (Lang.EN, Lang.ES))
    paused = pause(english)
    words = {f.rule_id: f for f in spanish.findings}
    reasons = tuple(
        ChangeReason(
            f.rule_id,
            f.tier,
            Text(f.text.title, words.get(f.rule_id, f).text.title),
            Text(f.text.advice, words.get(f.rule_id, f).text.advice),
            tuple(c.source_id for c in f.text.citations),
        )
        for f in (paused.reasons if paused is not None else ())
    )
    return ChangeEntry(
        at=at,
        changed=tuple(sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))),
        pregnant_or_breastfeeding=after.get("pregnant_or_breastfeeding") is True,
        skin_now=_strings(after.get("skin_now")),
        medications=_strings(after.get("medications")),
        tier=english.tier,
        reasons=reasons,
    )
