"""A home journal's history, pure: entries kept in the order made, read back whole, bounded."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from needlewise.domain.json_types import JsonValue
from needlewise.domain.text import Text
from needlewise.domain.tier import Tier
from needlewise.domain.treatment import Answer, Triage
from needlewise.domain.vocabulary import Lang
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.errors import ConflictError
from needlewise.services import journal_change_history as change_history
from needlewise.services import journal_history as history
from needlewise.services.journal_change_history import ChangeEntry, ChangeReason
from needlewise.services.journal_history import CheckEntry

AT = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


def a_check(minutes: int = 0, triage: Triage = Triage.EXPECTED, sessions: int = 1) -> CheckEntry:
    return CheckEntry(
        at=AT + timedelta(minutes=minutes),
        on=date(2026, 12, 7),
        session_on=date(2026, 12, 6),
        day=1,
        answers=(("fever_chills", Answer.YES if triage is Triage.SEEK_CARE_NOW else Answer.NO), ("pus", Answer.NO)),
        triage=triage,
        sessions_before=sessions,
    )


def a_change(minutes: int = 0, *, paused: bool = False) -> ChangeEntry:
    reason = ChangeReason("cold-sore", Tier.STOP, Text("Cold sore", "Herpes"), Text("Wait", "Espera"), ("src",))
    return ChangeEntry(
        at=AT + timedelta(minutes=minutes),
        changed=("skin_now",),
        pregnant_or_breastfeeding=False,
        skin_now=("cold_sore",) if paused else (),
        medications=(),
        tier=Tier.STOP if paused else Tier.HOME_OK,
        reasons=(reason,) if paused else (),
    )


def test_checks_are_kept_in_the_order_made_beside_the_rest_of_the_state() -> None:
    state: dict[str, JsonValue] = {"sessions": [], "device": None}
    for minutes, triage in enumerate(Triage):
        state = history.with_check(state, a_check(minutes, triage))
    assert [c.triage for c in history.checks_of(state)] == list(Triage)
    assert [c.at for c in history.checks_of(state)] == sorted(c.at for c in history.checks_of(state))
    assert (state["sessions"], state["device"]) == ([], None)
    assert history.checks_of(state)[2] == a_check(2, Triage.SEEK_CARE_NOW)  # read back whole


def test_a_full_list_of_checks_or_changes_is_a_conflict() -> None:
    full = {
        "checks": [a_check().to_json()] * history.MAX_CHECKS,
        "changes": [a_change().to_json()] * change_history.MAX_CHANGES,
    }
    with pytest.raises(ConflictError) as checks:
        history.with_check(full, a_check())
    assert checks.value.problems[0].where == "answers"
    with pytest.raises(ConflictError) as changes:
        change_history.with_change(full, a_change())
    assert changes.value.problems[0].where == "profile"
    almost = {"checks": full["checks"][1:], "changes": full["changes"][1:]}
    assert len(history.checks_of(history.with_check(almost, a_check()))) == history.MAX_CHECKS
    assert len(change_history.changes_of(change_history.with_change(almost, a_change()))) == change_history.MAX_CHANGES


def test_changes_are_kept_in_order_with_their_reasons_in_every_language() -> None:
    state = change_history.with_change(change_history.with_change({}, a_change(0, paused=True)), a_change(1))
    first, second = change_history.changes_of(state)
    assert (first.paused, second.paused) == (True, False)
    assert first == a_change(0, paused=True)
    shown = first.shown(Lang.ES)
    assert (shown["tier"], shown["paused"]) == ("stop", True)
    assert shown["reasons"] == [
        {"rule_id": "cold-sore", "tier": "stop", "title": "Herpes", "advice": "Espera", "citations": ["src"]}
    ]


def test_an_older_or_damaged_state_reads_as_no_history() -> None:
    assert history.checks_of({}) == ()
    assert change_history.changes_of({"checks": "x", "changes": ["x", 1]}) == ()
    damaged = {**a_check().to_json(), "answers": []}
    assert history.checks_of({"checks": [damaged]})[0].answers == ()
    odd = {
        **a_change().to_json(),
        "skin_now": None,
        "reasons": [{**a_change(paused=True).reasons[0].to_json(), "citations": None}],
    }
    read = change_history.changes_of({"changes": [odd]})[0]
    assert (read.skin_now, read.reasons[0].citations) == ((), ())


def test_a_check_reads_back_in_the_reader_s_language_with_the_sessions_since(kb: KnowledgeBase) -> None:
    gone = CheckEntry(
        AT, date(2026, 12, 7), date(2026, 12, 6), 1, (("a-question-since-removed", Answer.YES),), Triage.CALL_CLINIC, 3
    )
    asked = a_check(triage=Triage.SEEK_CARE_NOW, sessions=1)
    removed, urgent = history.shown_checks(kb, (gone, asked), 2, Lang.ES)
    assert removed.answers == (("a-question-since-removed", "a-question-since-removed", Answer.YES),)
    assert removed.sessions_since == 0  # never below none
    assert urgent.sessions_since == 1
    assert urgent.advice == kb.treatment.home_journal.checkin_outcome[Triage.SEEK_CARE_NOW].es
    assert urgent.answers[0][1].startswith("Desde el tratamiento")
    assert urgent.to_json()["answers"][0] == {
        "id": "fever_chills",
        "text": urgent.answers[0][1],
        "answer": "yes",
        "yes": True,
    }
