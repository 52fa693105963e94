"""Properties of the home skin check: "not sure" and a missing answer are never safer than a yes, and a
worrying outcome is never cleared by a later check made the same day."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from needlewise.domain.json_types import JsonValue
from needlewise.domain.treatment import Answer, Triage
from needlewise.domain.vocabulary import Lang
from needlewise.engine.journal import check_questions, skin_check
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.errors import InvalidInputError
from needlewise.services import journal_checks
from needlewise.services.journal_history import CheckEntry, checks_of, hold_of
from needlewise.services.ports import JournalRecord
from needlewise.services.saved_results import digest

FIXTURE_OK = settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
DAYS = st.integers(0, 10)
ANSWERS = st.sampled_from(Answer)
SESSION_ON = date(2026, 12, 1)


@dataclass
class Store:
    """One journal in memory, enough for the check's use cases."""

    records: dict[str, JournalRecord] = field(default_factory=dict)

    def get(self, token_digest: str) -> JournalRecord | None:
        return self.records.get(token_digest)

    def change(self, token_digest: str, update: Callable[[JournalRecord], JournalRecord]) -> JournalRecord | None:
        self.records[token_digest] = update(self.records[token_digest])
        return self.records[token_digest]


def store_with_a_session() -> Store:
    session: dict[str, JsonValue] = {
        "on": SESSION_ON.isoformat(),
        "needle_mm": 0.25,
        "areas": ["cheeks"],
        "products": [],
    }
    record = JournalRecord(digest("key"), "en", {}, {"sessions": [session]})
    return Store({record.token_digest: record})


@FIXTURE_OK
@given(day=DAYS, data=st.data())
def test_not_sure_is_never_milder_than_yes_and_never_milder_than_no(
    kb: KnowledgeBase, day: int, data: st.DataObject
) -> None:
    asked = [q.question_id for q in check_questions(kb.treatment, day)]
    answers = {key: data.draw(ANSWERS) for key in asked}
    unsure = data.draw(st.sampled_from(asked))
    as_if = {said: skin_check(kb.treatment, day, {**answers, unsure: said}, Lang.EN).triage for said in Answer}
    assert as_if[Answer.NOT_SURE] is as_if[Answer.YES]
    assert as_if[Answer.NOT_SURE].rank >= as_if[Answer.NO].rank
    missing = {key: said for key, said in answers.items() if key != unsure}
    assert skin_check(kb.treatment, day, missing, Lang.EN).triage is as_if[Answer.YES]


@FIXTURE_OK
@given(day=st.integers(1, 9), data=st.data())
def test_an_empty_or_partial_answer_is_refused_never_expected(kb: KnowledgeBase, day: int, data: st.DataObject) -> None:
    store = store_with_a_session()
    today = date.fromordinal(SESSION_ON.toordinal() + day)
    asked = [q.question_id for q in check_questions(kb.treatment, day)]
    kept = data.draw(st.lists(st.sampled_from(asked), unique=True, max_size=len(asked) - 1))
    answers = {key: data.draw(ANSWERS) for key in kept}
    with pytest.raises(InvalidInputError) as refused:
        journal_checks.check_skin(store, "key", answers, kb, Lang.EN, today)  # type: ignore[arg-type]
    assert {p.where for p in refused.value.problems} == {f"answers.{key}" for key in asked if key not in kept}
    assert checks_of(store.records[digest("key")].state) == ()  # nothing kept


def entry(on: date, triage: Triage, resolved: Answer | None) -> CheckEntry:
    return CheckEntry(datetime(2026, 12, 1, tzinfo=UTC), on, SESSION_ON, 1, (), triage, 1, resolved)


entries = st.lists(
    st.builds(
        entry,
        on=st.sampled_from([date(2026, 12, 2), date(2026, 12, 3), date(2026, 12, 4)]),
        triage=st.sampled_from(Triage),
        resolved=st.one_of(st.none(), ANSWERS),
    ),
    max_size=8,
)


@settings(max_examples=400, deadline=None)
@given(before=entries, worrying=st.sampled_from([Triage.CALL_CLINIC, Triage.SEEK_CARE_NOW]), later=entries)
def test_a_worrying_outcome_is_never_cleared_by_a_later_check_the_same_day_nor_lowered(
    before: list[CheckEntry], worrying: Triage, later: list[CheckEntry]
) -> None:
    made = entry(date(2026, 12, 3), worrying, None)
    same_day = [replace(c, on=made.on) for c in later]
    held = hold_of([*before, made, *same_day])
    assert held is not None
    assert held.triage.rank >= worrying.rank
    assert held.since >= made.on
    checks = [*before, made, *later]
    if hold_of(checks) is None:  # resolved: only by a later day's expected course with a yes
        assert any(c.on > made.on and c.triage is Triage.EXPECTED and c.resolved is Answer.YES for c in later)


def test_resolving_needs_a_later_day_the_expected_course_and_a_yes() -> None:
    seek = entry(date(2026, 12, 2), Triage.SEEK_CARE_NOW, None)
    later = date(2026, 12, 3)
    for resolving in (
        entry(seek.on, Triage.EXPECTED, Answer.YES),
        entry(later, Triage.CALL_CLINIC, Answer.YES),
        entry(later, Triage.EXPECTED, Answer.NO),
        entry(later, Triage.EXPECTED, Answer.NOT_SURE),
        entry(later, Triage.EXPECTED, None),
    ):
        assert hold_of([seek, resolving]) is not None
    assert hold_of([seek, entry(later, Triage.EXPECTED, Answer.YES)]) is None
    assert hold_of([entry(later, Triage.EXPECTED, Answer.YES)]) is None
