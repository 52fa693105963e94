"""The home journal's skin check and "things changed": the use cases after a session (no HTTP here).

Signatures (as in :mod:`needlewise.services.journal`; ``today`` is the person's calendar day, ``None``: today
on the journal's own clock, UTC where it has no time zone):

* ``check_questions_for(store, token, kb, today, latest=None) -> CheckQuestions``: the clinic
  check-ins' red-flag questions for the days since the latest session. ``NotFoundError``;
  ``InvalidInputError`` (``on``) for a ``today`` after ``latest``; ``ConflictError`` before the
  first session.
* ``check_skin(store, token, answers, kb, lang, today, latest=None, at=None) -> tuple[CheckQuestions, SkinCheck]``:
  ``answers`` maps each question id to yes, no or not sure (triaged as yes); every question of the
  day must be answered (an unanswered one is never read as "no"): ``InvalidInputError`` naming
  ``answers.<id>``. While an earlier day's check said stop and watch or seek care now, ``resolved``
  (has a doctor seen you / have the signs gone: yes, no, not sure) is required too, and refused
  otherwise (``resolved``); that outcome stays first until a later day's expected course with a yes
  (:func:`needlewise.services.journal_history.hold_of`). The triage (expected course / stop and watch /
  seek care now) and what to do, from the knowledge base. The check is kept in the journal's history (``at``: now, UTC);
  ``ConflictError`` when the history is full (:mod:`needlewise.services.journal_history`).
* ``report_change(store, token, profile, kb, lang, *, at=None) -> JournalView``: the person's answers now
  (pregnancy, a new medicine, a cold sore ...) replace the journal's profile; the journal is
  re-assessed and paused when the verdict is above home use (``view.pause``: the reasons, whose
  advice says when to come back where the knowledge base says). ``ProfileError`` under ``profile.``.
  The change and its result are kept in the history.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from needlewise.domain.json_types import JsonValue
from needlewise.domain.treatment import Answer, Triage
from needlewise.domain.vocabulary import Lang
from needlewise.engine.journal import SkinCheck, check_questions, skin_check
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.engine.treatment_knowledge import CheckinQuestion
from needlewise.errors import N_, ConflictError, InvalidInputError, NotFoundError, Problem
from needlewise.services.journal import parsed_profile, stored_view
from needlewise.services.journal_change_history import change_entry, with_change
from needlewise.services.journal_entries import SessionEntry
from needlewise.services.journal_history import CheckEntry, Hold, checks_of, hold_of, with_check
from needlewise.services.journal_state import JournalView
from needlewise.services.ports import JournalRecord, Journals
from needlewise.services.saved_results import digest
from needlewise.services.time_zones import today_in

NOT_FOUND = N_("No journal has this link; it may have been deleted.")


@dataclass(frozen=True, slots=True)
class CheckQuestions:
    """The questions of today's skin check: the latest session's day and the days since it."""

    session_on: date
    day: int
    questions: tuple[CheckinQuestion, ...]
    resolve: Hold | None = None  # a worrying outcome from an earlier day: asked whether it is resolved
    holds: Hold | None = None  # after a check: the worrying outcome still in force (first on the page), if any


RESOLVE_QUESTION = {
    Triage.SEEK_CARE_NOW: N_(
        "An earlier skin check said: seek medical care now. Since then, has a doctor seen you and said you may"
        " microneedle again?"
    ),
    Triage.CALL_CLINIC: N_(
        "An earlier skin check said: stop and watch. Since then, has a doctor seen your skin, or have the signs"
        " it was about gone?"
    ),
}


def _record(store: Journals, token: str) -> JournalRecord:
    record = store.get(digest(token))
    if record is None:
        raise NotFoundError([Problem("key", NOT_FOUND)])
    return record


def _today(record: JournalRecord, today: date | None) -> date:
    """``today`` as given, else today on the journal's own clock (UTC where it has no time zone)."""
    return today if today is not None else today_in(record.time_zone)


def _asked(state: Mapping[str, JsonValue], kb: KnowledgeBase, today: date, latest: date | None) -> CheckQuestions:
    sessions = state.get("sessions")
    if latest is not None and today > latest:
        raise InvalidInputError([Problem("on", N_("A session cannot be logged for a day after today."))])
    days = [SessionEntry.from_json(s).on for s in sessions or [] if isinstance(s, dict)]  # type: ignore[union-attr]
    latest = max((d for d in days if d <= today), default=None)
    if latest is None:
        raise ConflictError([Problem("answers", N_("Log the session first: the check is about the days after it."))])
    day = (today - latest).days
    held = hold_of(checks_of(state))
    resolve = held if held is not None and today > held.since else None
    return CheckQuestions(latest, day, check_questions(kb.treatment, day), resolve)


def check_questions_for(
    store: Journals, token: str, kb: KnowledgeBase, today: date | None, latest: date | None = None
) -> CheckQuestions:
    """The red-flag questions for the days since the journal's latest session (``today`` not after ``latest``)."""
    record = _record(store, token)
    return _asked(record.state, kb, _today(record, today), latest)


def check_skin(  # noqa: PLR0913, PLR0917 - the journal, the answers, the knowledge base, the language, the days, now
    store: Journals,
    token: str,
    answers: Mapping[str, Answer],
    kb: KnowledgeBase,
    lang: Lang,
    today: date | None,
    latest: date | None = None,
    at: datetime | None = None,
    resolved: Answer | None = None,
) -> tuple[CheckQuestions, SkinCheck]:
    """Triage of the answers to the day's questions, with what to do at home; kept in the journal's history."""
    found: list[tuple[CheckQuestions, SkinCheck]] = []

    def keep(record: JournalRecord) -> JournalRecord:
        on = _today(record, today)
        asked = _asked(record.state, kb, on, latest)
        ids = [q.question_id for q in asked.questions]
        unanswered = [key for key in ids if key not in answers]
        problems = [Problem(f"answers.{key}", N_("Answer this question: yes, no or not sure.")) for key in unanswered]
        problems.extend(
            Problem(f"answers.{key}", N_("Not a question of this check.")) for key in sorted(answers) if key not in ids
        )
        if asked.resolve is not None and resolved is None:
            problems.append(Problem("resolved", N_("Answer this question: yes, no or not sure.")))
        if asked.resolve is None and resolved is not None:
            problems.append(Problem("resolved", N_("Not a question of this check.")))
        if problems:
            raise InvalidInputError(problems)
        result = skin_check(kb.treatment, asked.day, answers, lang)
        entry = CheckEntry(
            at=at or datetime.now(UTC),
            on=on,
            session_on=asked.session_on,
            day=asked.day,
            answers=tuple((key, answers[key]) for key in ids),
            triage=result.triage,
            sessions_before=len(record.state.get("sessions") or []),  # type: ignore[arg-type]
            resolved=resolved,
        )
        state = with_check(record.state, entry)
        found.append((replace(asked, holds=hold_of(checks_of(state))), result))
        return replace(record, state=state)

    if store.change(digest(token), keep) is None:
        raise NotFoundError([Problem("key", NOT_FOUND)])
    return found[0]


def report_change(  # noqa: PLR0913 - the journal, the answers, the knowledge base, the language, now
    store: Journals,
    token: str,
    profile: dict[str, JsonValue],
    kb: KnowledgeBase,
    lang: Lang | None,
    *,
    at: datetime | None = None,
) -> JournalView:
    """Replace the journal's profile by the person's answers now; the re-assessed journal (maybe paused)."""
    parsed = parsed_profile(profile)  # refused before anything is written

    def update(record: JournalRecord) -> JournalRecord:
        entry = change_entry(kb, record.profile, profile, parsed, at or datetime.now(UTC))
        return replace(record, profile=profile, state=with_change(record.state, entry))

    changed = store.change(digest(token), update)
    if changed is None:
        raise NotFoundError([Problem("key", NOT_FOUND)])
    return stored_view(changed, kb, lang)
