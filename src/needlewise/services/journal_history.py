"""A home journal's history: every skin check and every "things changed", kept in its sealed state.

The stored state (:mod:`needlewise.services.journal_state`) holds ``checks`` and ``changes``, each in
the order recorded, beside ``sessions``. A check keeps when it was made (UTC) and the person's day, the
session it follows, each question's answer, its triage and how many sessions were logged before it
(those logged after it are the sessions from that position on). What to do and the questions' words
are read again from the knowledge base in the reader's language. A change keeps what the person said
was true then, which answers changed, and the re-assessment's result as it was given: the tier and,
when it paused the journal, the reasons in every language with their sources (what to do and when to
come back). Both lists are bounded: a full list is ``ConflictError``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from needlewise.domain.citation import ENUM_TEXT
from needlewise.domain.json_types import JsonValue
from needlewise.domain.profile import Profile
from needlewise.domain.text import Text
from needlewise.domain.tier import Tier
from needlewise.domain.treatment import Answer, Triage
from needlewise.domain.vocabulary import Lang
from needlewise.engine.evaluate import assess
from needlewise.engine.journal import pause
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.errors import N_, ConflictError, Problem

MAX_CHECKS = 1000  # two checks for each of MAX_SESSIONS sessions: a bounded read of the sealed row
MAX_CHANGES = 100  # "things changed" is rare (pregnancy, a new medicine, a cold sore)
CHANGE_FIELDS = ("pregnant_or_breastfeeding", "skin_now", "medications")


@dataclass(frozen=True, slots=True)
class CheckEntry:
    """A skin check as it was made: when, the session it follows, the answers, the triage."""

    at: datetime  # UTC
    on: date  # the person's calendar day
    session_on: date
    day: int  # days since that session
    answers: tuple[tuple[str, Answer], ...]  # each question's id and its answer (yes, no, not sure)
    triage: Triage
    sessions_before: int  # sessions logged before the check: those after it are sessions[sessions_before:]
    resolved: Answer | None = None  # asked while a worrying outcome held: seen by a doctor, or the signs gone

    def to_json(self) -> dict[str, JsonValue]:
        """Stored form."""
        return {
            **({"resolved": self.resolved.value} if self.resolved is not None else {}),
            "at": self.at.isoformat(),
            "on": self.on.isoformat(),
            "session_on": self.session_on.isoformat(),
            "day": self.day,
            "answers": {key: said.value for key, said in self.answers},
            "triage": self.triage.value,
            "sessions_before": self.sessions_before,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, JsonValue]) -> CheckEntry:
        """Read back a stored entry."""
        answers = data["answers"]
        return cls(
            datetime.fromisoformat(str(data["at"])),
            date.fromisoformat(str(data["on"])),
            date.fromisoformat(str(data["session_on"])),
            int(data["day"]),  # type: ignore[arg-type]
            tuple((str(key), _answer(said)) for key, said in answers.items()) if isinstance(answers, dict) else (),
            Triage(str(data["triage"])),
            int(data["sessions_before"]),  # type: ignore[arg-type]
            _answer(data["resolved"]) if "resolved" in data else None,
        )


@dataclass(frozen=True, slots=True)
class Hold:
    """A worrying outcome still in force: the worst check not yet resolved, and the latest day one was made."""

    index: int  # the worst held check's place among the checks (the latest of the worst)
    triage: Triage
    since: date  # the latest worrying check's day: only a check on a later day can resolve them


def hold_of(checks: Sequence[CheckEntry]) -> Hold | None:
    """The worrying outcomes (stop and watch, seek care now) a later check has not resolved, or None.

    A later check resolves them only when it says the expected course, was made on a later calendar day
    than every one of them, and the person said yes to "seen by a doctor / the signs have gone" (a "not
    sure" is a no). A later check never lowers them: the worst stays first until resolved.
    """
    held: list[int] = []
    for i, check in enumerate(checks):
        if check.triage is not Triage.EXPECTED:
            held.append(i)
        elif held and check.resolved is Answer.YES and check.on > max(checks[j].on for j in held):
            held = []
    if not held:
        return None
    worst = max(held, key=lambda j: (checks[j].triage.rank, j))
    return Hold(worst, checks[worst].triage, max(checks[j].on for j in held))


def _answer(stored: JsonValue) -> Answer:
    """A stored answer: yes, no or not sure; those kept before "not sure" existed are ``true`` or ``false``.

    Anything else (never written) reads as "not sure": a damaged answer is never read as "no".
    """
    if isinstance(stored, bool):
        return Answer.YES if stored else Answer.NO
    return Answer(stored) if stored in set(Answer) else Answer.NOT_SURE


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
            tuple(ChangeReason.from_json(r) for r in _objects(data["reasons"])),
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


def _objects(value: JsonValue) -> list[dict[str, JsonValue]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def checks_of(state: Mapping[str, JsonValue]) -> tuple[CheckEntry, ...]:
    """The skin checks ``state`` holds, in the order recorded."""
    return tuple(CheckEntry.from_json(c) for c in _objects(state.get("checks")))


def changes_of(state: Mapping[str, JsonValue]) -> tuple[ChangeEntry, ...]:
    """The "things changed" ``state`` holds, in the order recorded."""
    return tuple(ChangeEntry.from_json(c) for c in _objects(state.get("changes")))


def with_check(state: Mapping[str, JsonValue], entry: CheckEntry) -> dict[str, JsonValue]:
    """``state`` with ``entry`` kept last; ``ConflictError`` when the journal holds ``MAX_CHECKS`` already."""
    kept = _objects(state.get("checks"))
    if len(kept) >= MAX_CHECKS:
        raise ConflictError([Problem("answers", N_("This journal's skin checks are full: start a new journal."))])
    return {**state, "checks": [*kept, entry.to_json()]}


def with_change(state: Mapping[str, JsonValue], entry: ChangeEntry) -> dict[str, JsonValue]:
    """``state`` with ``entry`` kept last; ``ConflictError`` when the journal holds ``MAX_CHANGES`` already."""
    kept = _objects(state.get("changes"))
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


@dataclass(frozen=True, slots=True)
class ShownCheck:
    """A kept skin check read back: its questions in the reader's language, what to do, sessions since."""

    entry: CheckEntry
    answers: tuple[tuple[str, str, Answer], ...]  # each question's id, its words (its id if no longer asked), answer
    advice: str
    sessions_since: int  # sessions logged after the check

    def to_json(self) -> dict[str, JsonValue]:
        """Written form (the API's and the export's)."""
        entry = self.entry
        return {
            "at": entry.at.isoformat(),
            "on": entry.on.isoformat(),
            "session_on": entry.session_on.isoformat(),
            "day": entry.day,
            "answers": [
                {"id": key, "text": text, "answer": said.value, "yes": said.counts_as_yes}
                for key, text, said in self.answers
            ],
            "triage": entry.triage.value,
            "advice": self.advice,
            "sessions_since": self.sessions_since,
            "resolved": entry.resolved.value if entry.resolved is not None else None,
        }


def shown_checks(
    kb: KnowledgeBase, checks: tuple[CheckEntry, ...], sessions: int, lang: Lang
) -> tuple[ShownCheck, ...]:
    """``checks`` read back with ``kb`` in ``lang``; ``sessions``: how many the journal holds now."""
    words = {q.question_id: q.text.in_(lang) for q in kb.treatment.checkin.questions}
    outcome = kb.treatment.home_journal.checkin_outcome
    return tuple(
        ShownCheck(
            entry,
            tuple((key, words.get(key, key), said) for key, said in entry.answers),
            outcome[entry.triage].in_(lang),
            max(sessions - entry.sessions_before, 0),
        )
        for entry in checks
    )
