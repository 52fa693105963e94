"""Check-in answers yes / no / not sure: every question answered, "not sure" triaged as "yes", kept so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from clinic.checkin_support import answer as answer_checkin
from clinic.checkin_support import full_answers
from clinic.followup_support import checkin_of, session_row
from needlewise.clinic.access.actor import Actor
from needlewise.clinic.followup import alerts, checkins
from needlewise.clinic.followup.checkin_answers import stored_answers
from needlewise.domain.permissions import Role
from needlewise.domain.treatment import Answer, Triage
from needlewise.domain.vocabulary import Lang
from needlewise.engine.treatment import triage, triage_answers
from needlewise.errors import ConflictError, InvalidInputError
from needlewise.storage.models import CheckIn

pytestmark = pytest.mark.django_db

NOW = datetime(2031, 6, 15, 12, 0, tzinfo=UTC)
PUBLIC = Actor.anonymous("198.51.100.9", "req-not-sure")


@pytest.fixture
def session(site_a, kb):
    with time_machine.travel(NOW, tick=False):
        yield session_row(site_a, kb, performed_at=NOW - timedelta(hours=2))


def asked(kb, day):
    return [q.question_id for q in kb.treatment.checkin.questions_for(day)]


def test_nothing_answered_is_refused_naming_every_question_and_nothing_is_kept(session, kb):
    checkin, token = checkin_of(session, 1)
    with pytest.raises(InvalidInputError) as refused:
        checkins.answer(PUBLIC, token, {}, kb)
    assert [p.where for p in refused.value.problems] == [f"answers.{key}" for key in asked(kb, 1)]
    assert {p.message for p in refused.value.problems} == {"Answer this question: yes, no or not sure."}
    stored = CheckIn.objects.get(pk=checkin.pk)
    assert (stored.answers, stored.answered_at, stored.triage, stored.alert) == (None, None, "", "none")


def test_a_partly_answered_checkin_is_refused_naming_only_the_questions_left(session, kb):
    checkin, token = checkin_of(session, 3)
    given = full_answers(kb, 3)
    left = asked(kb, 3)[::2]
    for key in left:
        del given[key]
    with pytest.raises(InvalidInputError) as refused:
        checkins.answer(PUBLIC, token, given, kb)
    assert [p.where for p in refused.value.problems] == [f"answers.{key}" for key in left]
    assert CheckIn.objects.get(pk=checkin.pk).answered_at is None


def test_not_sure_is_triaged_as_yes_kept_as_not_sure_and_opens_the_alert(session, kb, site_a):
    _, token = checkin_of(session, 1)
    view = answer_checkin(PUBLIC, token, (), kb, not_sure={"fever_chills"})
    assert view.triage is Triage.SEEK_CARE_NOW  # as a "yes" to fever would
    assert (view.yes_ids, view.not_sure_ids) == (frozenset(), frozenset({"fever_chills"}))
    stored = CheckIn.objects.get(pk=view.checkin_id)
    no = sorted(key for key in asked(kb, 1) if key != "fever_chills")
    assert stored.answers == {"yes": [], "no": no, "not_sure": ["fever_chills"]}
    assert stored.alert == "open"
    reopened = checkins.open_checkin(PUBLIC, token, kb)
    assert reopened.answers == view.answers
    fever = next(q for q in kb.treatment.checkin.questions if q.question_id == "fever_chills")
    (alert,) = alerts.alerts(site_a.actor(Role.NURSE), kb, Lang.ES)
    assert (alert.yes_texts, alert.not_sure_texts) == ((), (fever.text.es,))


@pytest.mark.parametrize("day", [1, 3, 7])
def test_each_not_sure_gives_exactly_the_triage_of_a_yes(kb, day):
    for key in asked(kb, day):
        base = full_answers(kb, day)
        unsure = triage_answers(kb.treatment, day, base | {key: Answer.NOT_SURE})
        assert unsure is triage_answers(kb.treatment, day, base | {key: Answer.YES})
        assert unsure is triage(kb.treatment, day, {key})


def test_an_answered_checkin_is_a_conflict_before_its_answers_are_checked(session, kb):
    _, token = checkin_of(session, 1)
    answer_checkin(PUBLIC, token, (), kb)
    with pytest.raises(ConflictError):
        checkins.answer(PUBLIC, token, {}, kb)


def test_stored_answers_read_back_old_ones_as_before_and_damaged_ones_as_not_sure():
    old = {"yes": ["pus"], "no": ["fever_chills", "other"]}
    assert stored_answers(old, ["pus", "fever_chills", "other"]) == {
        "pus": Answer.YES,
        "fever_chills": Answer.NO,
        "other": Answer.NO,
    }
    for damaged in (None, "garbage", [], {"no": "pus"}, {"no": [1, 2]}, {"yes": None}):
        assert stored_answers(damaged, ["pus"]) == {"pus": Answer.NOT_SURE}
    assert stored_answers({"no": ["pus"], "not_sure": ["pus"]}, ["pus"]) == {"pus": Answer.NOT_SURE}
    assert stored_answers({"yes": ["pus"], "no": ["pus"]}, ["pus"]) == {"pus": Answer.YES}
