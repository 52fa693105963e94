"""A home journal's skin-check history: every check, kept in its sealed state, and what still holds.

The stored state (:mod:`needlewise.services.journal_state`) holds ``checks`` in the order recorded,
beside ``sessions`` and the "things changed" (:mod:`needlewise.services.journal_change_history`). A
check keeps when it was made (UTC) and the person's day, the session it follows, each question's
answer, its triage and how many sessions were logged before it (those logged after it are the sessions
from that position on). What to do and the questions' words are read again from the knowledge base in
the reader's language. The list is bounded: a full list is ``ConflictError``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from needlewise.domain.json_types import JsonValue
from needlewise.domain.treatment import Answer, Triage
from needlewise.domain.vocabulary import Lang
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.errors import N_, ConflictError, Problem
from needlewise.services.journal_entries import stored_objects

MAX_CHECKS = 1000  # two checks for each of MAX_SESSIONS sessions: a bounded read of the sealed row


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


def checks_of(state: Mapping[str, JsonValue]) -> tuple[CheckEntry, ...]:
    """The skin checks ``state`` holds, in the order recorded."""
    return tuple(CheckEntry.from_json(c) for c in stored_objects(state.get("checks")))


def with_check(state: Mapping[str, JsonValue], entry: CheckEntry) -> dict[str, JsonValue]:
    """``state`` with ``entry`` kept last; ``ConflictError`` when the journal holds ``MAX_CHECKS`` already."""
    kept = stored_objects(state.get("checks"))
    if len(kept) >= MAX_CHECKS:
        raise ConflictError([Problem("answers", N_("This journal's skin checks are full: start a new journal."))])
    return {**state, "checks": [*kept, entry.to_json()]}


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
