"""Post-treatment check-ins: scheduling, private links, answers and triage, alerts and acknowledgement."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from clinic.checkin_support import answer as answer_checkin
from clinic.followup_support import checkin_of, session_row
from clinic.support import expected, last_seq, rows_after, summary
from needlewise.clinic.access.actor import Actor
from needlewise.clinic.followup import alerts, checkin_tokens, checkins
from needlewise.clinic.records import record_digests
from needlewise.domain.permissions import Role
from needlewise.domain.treatment import Answer, Triage
from needlewise.domain.vocabulary import Lang
from needlewise.errors import ConflictError, InvalidInputError, NotAllowedError, NotFoundError, TooManyAttemptsError
from needlewise.storage.models import CheckIn, Client, LoginFailure

pytestmark = pytest.mark.django_db

NOW = datetime(2031, 6, 15, 12, 0, tzinfo=UTC)
PUBLIC = Actor.anonymous("198.51.100.7", "req-checkin")


@pytest.fixture
def at_noon():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def session(site_a, kb, at_noon):
    del at_noon
    return session_row(site_a, kb, performed_at=NOW - timedelta(hours=2))


# --- scheduling and links ---


def test_schedule_makes_one_checkin_per_policy_day_with_due_dates(session, kb):
    rows = list(CheckIn.objects.filter(session=session).order_by("day"))
    assert [c.day for c in rows] == list(kb.treatment.checkin.days) == [1, 3, 7]
    assert [c.due_on.isoformat() for c in rows] == ["2031-06-16", "2031-06-18", "2031-06-22"]
    assert {(c.lang, c.alert, c.triage, c.answered_at) for c in rows} == {("en", "none", "", None)}
    assert {(c.clinic_id, c.client_id) for c in rows} == {(session.clinic_id, session.client_id)}


def test_the_database_keeps_only_the_token_digest_and_the_token_is_recomputed(session, settings):
    checkin, token = checkin_of(session, 3)
    message = f"checkin:{checkin.pk}:{session.pk}:3".encode()
    mac = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).digest()
    assert token == base64.urlsafe_b64encode(mac).rstrip(b"=").decode()
    assert len(token) == 43
    assert checkin.token_digest == hashlib.sha256(token.encode()).hexdigest() == checkin_tokens.token_digest(token)
    assert token not in checkin.token_digest
    assert checkin_tokens.link_token(CheckIn.objects.get(pk=checkin.pk)) == token  # the same link at any time
    other = {checkin_tokens.link_token(c) for c in CheckIn.objects.filter(session=session)}
    assert len(other) == 3


def test_after_a_new_secret_key_handed_out_links_work_but_cannot_be_shown_again(session, kb, settings):
    _, token = checkin_of(session, 1)
    settings.SECRET_KEY = "another secret key, rotated after an incident"  # noqa: S105 - a test key
    recomputed = checkin_tokens.link_token(CheckIn.objects.get(session=session, day=1))
    assert recomputed != token
    assert checkins.open_checkin(PUBLIC, token, kb).day == 1  # the stored digest still finds the old link
    with pytest.raises(NotFoundError):
        checkins.open_checkin(PUBLIC, recomputed, kb)


def test_schedule_in_spanish(site_a, kb, at_noon):
    del at_noon
    session = session_row(site_a, kb, lang=Lang.ES)
    _, token = checkin_of(session, 1)
    view = checkins.open_checkin(PUBLIC, token, kb)
    assert view.lang is Lang.ES
    assert {c.lang for c in CheckIn.objects.filter(session=session)} == {"es"}


# --- the client's page ---


def test_open_checkin_shows_that_days_questions_and_is_audited(session, kb, site_a):
    _, token = checkin_of(session, 1)
    seq = last_seq()
    view = checkins.open_checkin(PUBLIC, token, kb)
    assert (view.day, view.due_on.isoformat(), view.clinic_name) == (1, "2031-06-16", "Clinic Alpha")
    assert [q.question_id for q in view.questions] == [q.question_id for q in kb.treatment.checkin.questions_for(1)]
    assert "worsening_pain_swelling" not in {q.question_id for q in view.questions}  # asked from day 3
    assert (view.answered, view.triage, view.yes_ids) == (False, None, frozenset())
    [row] = rows_after(seq)
    assert summary(row) == expected(
        PUBLIC, "read", "checkin", view.checkin_id, client_id=site_a.client.pk, clinic_id=site_a.clinic.pk
    )
    assert row.ip == "198.51.100.7"


@pytest.mark.parametrize("token", ["not-a-real-token", "", "x" * 500])
def test_an_unknown_link_is_not_found_and_recorded_once_without_the_token(session, kb, token):
    del session
    seq = last_seq()
    with pytest.raises(NotFoundError):
        checkins.open_checkin(PUBLIC, token, kb)
    with pytest.raises(NotFoundError):
        answer_checkin(PUBLIC, token, set(), kb)
    rows = rows_after(seq)
    assert [summary(r) for r in rows] == [expected(PUBLIC, "not_found", "checkin", outcome="denied")]
    assert rows[0].detail == {"misses": "first in window"}
    assert LoginFailure.objects.filter(key=f"checkin-miss:{PUBLIC.ip}").count() == 2


def test_guessing_links_from_one_address_is_refused_with_one_audit_row_a_window(session, kb, settings):
    settings.PUBLIC_LIMITS = {**settings.PUBLIC_LIMITS, "checkin_miss": (3, 600)}
    _, token = checkin_of(session, 1)
    seq = last_seq()
    with time_machine.travel(datetime(2031, 6, 16, 9, tzinfo=UTC), tick=False) as clock:
        for n in range(3):
            with pytest.raises(NotFoundError):
                checkins.open_checkin(PUBLIC, f"guess-{n}", kb)
        with pytest.raises(TooManyAttemptsError) as refused:  # even a real link, from this address
            checkins.open_checkin(PUBLIC, token, kb)
        assert refused.value.wait == 600
        with pytest.raises(TooManyAttemptsError):
            answer_checkin(PUBLIC, token, set(), kb)
        other = Actor.anonymous("198.51.100.99", "r2")
        assert checkins.open_checkin(other, token, kb).day == 1
        clock.shift(timedelta(seconds=600))
        assert checkins.open_checkin(PUBLIC, token, kb).day == 1
    misses = [r for r in rows_after(seq) if r.action == "not_found"]
    assert len(misses) == 1


# --- answers and triage ---


def test_a_day_3_fever_means_seek_care_now_and_opens_an_alert(session, kb, site_a):
    checkin, token = checkin_of(session, 3)
    seq = last_seq()
    view = answer_checkin(PUBLIC, token, {"fever_chills", "expected_reactions"}, kb)
    assert view.triage is Triage.SEEK_CARE_NOW
    assert view.answered
    stored = CheckIn.objects.get(pk=checkin.pk)
    assert (stored.triage, stored.alert, stored.answered_at) == ("seek_care_now", "open", NOW)
    assert stored.answers["yes"] == ["expected_reactions", "fever_chills"]
    asked = {q.question_id for q in kb.treatment.checkin.questions_for(3)}
    assert set(stored.answers["no"]) == asked - {"fever_chills", "expected_reactions"}
    [row] = rows_after(seq)
    assert summary(row) == expected(
        PUBLIC, "answer", "checkin", checkin.pk, client_id=site_a.client.pk, clinic_id=site_a.clinic.pk
    )
    assert row.detail == {"triage": "seek_care_now", "digest": record_digests.checkin_digest(checkin.pk)}
    assert alerts.open_alert_count(site_a.clinic.pk) == 1
    assert alerts.open_alert_count_for(site_a.actor(Role.OWNER)) == 1
    assert alerts.open_alert_count_for(site_a.actor(Role.FRONT_DESK)) is None
    assert alerts.open_alert_count_for(PUBLIC) is None

    nurse = site_a.actor(Role.NURSE)
    [alert] = alerts.alerts(nurse, kb, Lang.EN)
    fever = next(q for q in kb.treatment.checkin.questions if q.question_id == "fever_chills")
    assert (alert.checkin_id, alert.client_id, alert.session_id, alert.day) == (
        checkin.pk,
        site_a.client.pk,
        session.pk,
        3,
    )
    assert alert.client_name == "Zephyrine Quixotelle"
    assert alert.triage is Triage.SEEK_CARE_NOW
    assert fever.text.en in alert.yes_texts
    assert alert.session_on.isoformat() == "2031-06-15"
    assert alerts.alerts(nurse, kb, Lang.ES)[0].yes_texts[1] == fever.text.es

    seq = last_seq()
    acknowledged = alerts.acknowledge(nurse, checkin.pk, "called_client", "  Spoke to her at 10:40; coming in today. ")
    assert (acknowledged.alert, acknowledged.acknowledged_by_id) == ("acknowledged", nurse.user_id)
    assert acknowledged.acknowledged_at == NOW
    stored = CheckIn.objects.get(pk=checkin.pk)
    assert (stored.acknowledged_action, stored.acknowledged_note) == (
        "called_client",
        "Spoke to her at 10:40; coming in today.",
    )
    rows = rows_after(seq)
    assert [summary(r) for r in rows] == [
        expected(nurse, "acknowledge", "checkin", checkin.pk, client_id=site_a.client.pk)
    ]
    digest = record_digests.checkin_digest(checkin.pk)
    assert rows[0].detail == {"action": "called_client", "digest": digest}  # the note stays on the record
    assert alerts.alerts(nurse, kb, Lang.EN) == []
    assert alerts.open_alert_count(site_a.clinic.pk) == 0
    with pytest.raises(ConflictError):
        alerts.acknowledge(nurse, checkin.pk, "other", "Again.")
    with pytest.raises(ConflictError):
        alerts.open_alert(nurse, checkin.pk, kb, Lang.EN)


@pytest.mark.parametrize(
    ("action", "note", "wrong"),
    [
        ("", "Called her.", ["action"]),
        ("adverse_event", "Called her.", ["action"]),  # only recording an adverse event closes with that
        ("booked_review", "   ", ["note"]),
        ("called_client", "x" * (alerts.NOTE_LIMIT + 1), ["note"]),
        ("shrugged", "", ["action", "note"]),
    ],
)
def test_closing_an_alert_needs_what_was_done(session, kb, site_a, action, note, wrong):  # noqa: PLR0913, PLR0917 - fixtures and cases
    checkin, token = checkin_of(session, 1)
    answer_checkin(PUBLIC, token, {"pus"}, kb)
    with pytest.raises(InvalidInputError) as refused:
        alerts.acknowledge(site_a.actor(Role.NURSE), checkin.pk, action, note)
    assert [p.where for p in refused.value.problems] == wrong
    assert all(p.template for p in refused.value.problems)  # worded, so pages translate them
    assert CheckIn.objects.get(pk=checkin.pk).alert == "open"


def test_one_open_alert_is_read_with_the_clients_phone(session, kb, site_a):
    checkin, token = checkin_of(session, 1)
    answer_checkin(PUBLIC, token, {"pus"}, kb)
    nurse = site_a.actor(Role.NURSE)
    seq = last_seq()
    alert = alerts.open_alert(nurse, checkin.pk, kb, Lang.EN)
    assert [summary(r) for r in rows_after(seq)] == [
        expected(nurse, "read", "checkin", checkin.pk, client_id=site_a.client.pk)
    ]
    assert (alert.checkin_id, alert.client_phone) == (checkin.pk, site_a.client.phone)
    assert alert.client_tel == "tel:+" + "".join(c for c in site_a.client.phone if c.isdigit())
    assert alerts.alerts(nurse, kb, Lang.EN)[0].client_tel == alert.client_tel
    Client.objects.filter(pk=site_a.client.pk).update(phone="  ")
    assert alerts.open_alert(nurse, checkin.pk, kb, Lang.EN).client_tel == ""


@pytest.mark.parametrize("yes", [set(), {"expected_reactions"}])
def test_expected_answers_open_no_alert(session, kb, site_a, yes):
    checkin, token = checkin_of(session, 1)
    assert answer_checkin(PUBLIC, token, yes, kb).triage is Triage.EXPECTED
    stored = CheckIn.objects.get(pk=checkin.pk)
    assert (stored.triage, stored.alert) == ("expected", "none")
    assert alerts.alerts(site_a.actor(Role.PROVIDER), kb, Lang.EN) == []
    with pytest.raises(ConflictError):  # nothing to acknowledge
        alerts.acknowledge(site_a.actor(Role.NURSE), checkin.pk, "called_client", "Called.")


def test_the_most_urgent_alert_comes_first(site_a, kb, at_noon):
    first = session_row(site_a, kb, performed_at=NOW - timedelta(days=3))
    second = session_row(site_a, kb, performed_at=NOW - timedelta(days=1))
    call_checkin, call_token = checkin_of(first, 3)
    answer_checkin(PUBLIC, call_token, {"persistent_burning"}, kb)
    at_noon.shift(timedelta(hours=1))
    urgent_checkin, urgent_token = checkin_of(second, 1)
    answer_checkin(PUBLIC, urgent_token, {"spreading_redness"}, kb)
    found = alerts.alerts(site_a.actor(Role.AESTHETICIAN), kb, Lang.EN)
    assert [(a.checkin_id, a.triage) for a in found] == [
        (urgent_checkin.pk, Triage.SEEK_CARE_NOW),
        (call_checkin.pk, Triage.CALL_CLINIC),
    ]


@pytest.mark.parametrize(
    "yes",
    [
        {"firm_bumps"},  # a day-3 question on the day-1 check-in
        {"fever_chills", "made_up_question"},
        {"<script>"},
    ],
)
def test_answers_that_are_not_that_days_questions_are_refused(session, kb, yes):
    checkin, token = checkin_of(session, 1)
    with pytest.raises(InvalidInputError) as refused:
        answer_checkin(PUBLIC, token, yes, kb)
    assert refused.value.first.where == "answers"
    stored = CheckIn.objects.get(pk=checkin.pk)
    assert (stored.answers, stored.answered_at, stored.alert) == (None, None, "none")


def test_the_first_answer_stands(session, kb):
    checkin, token = checkin_of(session, 1)
    answer_checkin(PUBLIC, token, set(), kb)
    with pytest.raises(ConflictError) as refused:
        answer_checkin(PUBLIC, token, {"fever_chills"}, kb)
    assert "call the clinic" in refused.value.first.message
    stored = CheckIn.objects.get(pk=checkin.pk)
    assert (stored.triage, stored.alert, stored.answers["yes"]) == ("expected", "none", [])
    view = checkins.open_checkin(PUBLIC, token, kb)
    assert (view.answered, view.triage) == (True, Triage.EXPECTED)


def test_a_checkin_may_be_answered_before_its_due_date(session, kb):
    checkin, token = checkin_of(session, 7)
    assert checkin.due_on > NOW.date()
    assert answer_checkin(PUBLIC, token, {"dark_patches"}, kb).triage is Triage.CALL_CLINIC
    view = checkins.open_checkin(PUBLIC, token, kb)
    assert view.yes_ids == frozenset({"dark_patches"})


def test_answers_of_questions_the_knowledge_base_no_longer_has_are_shown_as_they_are(session, kb):
    checkin, _ = checkin_of(session, 1)
    asked = [q.question_id for q in kb.treatment.checkin.questions_for(1)]
    checkin.answers = {"yes": ["retired_question"], "no": asked, "not_sure": ["retired_unsure"]}
    assert alerts.answer_texts(checkin, kb, Lang.EN, Answer.YES) == ("retired_question",)
    assert alerts.answer_texts(checkin, kb, Lang.EN, Answer.NOT_SURE) == ("retired_unsure",)


# --- staff: links, roles, tenancy ---


def test_staff_see_a_sessions_links_and_they_open_the_checkins(session, kb, site_a):
    nurse = site_a.actor(Role.NURSE)
    seq = last_seq()
    found = checkin_tokens.checkins_of_session(nurse, session.pk)
    assert [s.checkin.day for s in found] == [1, 3, 7]
    assert [summary(r) for r in rows_after(seq)] == [expected(nurse, "read", "checkin", client_id=site_a.client.pk)]
    assert [checkins.open_checkin(PUBLIC, s.token, kb).checkin_id for s in found] == [s.checkin.pk for s in found]


def test_front_desk_sees_no_alerts_and_owners_do_not_acknowledge(session, kb, site_a):
    checkin, token = checkin_of(session, 1)
    answer_checkin(PUBLIC, token, {"pus"}, kb)
    desk, owner = site_a.actor(Role.FRONT_DESK), site_a.actor(Role.OWNER)
    seq = last_seq()
    with pytest.raises(NotAllowedError):
        alerts.alerts(desk, kb, Lang.EN)
    with pytest.raises(NotAllowedError):
        checkin_tokens.checkins_of_session(desk, session.pk)
    with pytest.raises(NotAllowedError):
        alerts.acknowledge(owner, checkin.pk, "called_client", "Called.")
    assert [summary(r) for r in rows_after(seq)] == [
        expected(desk, "view_health", "checkin_alerts", outcome="denied"),
        expected(desk, "view_health", "checkin", outcome="denied"),
        expected(owner, "record_treatment", "checkin", checkin.pk, outcome="denied"),
    ]
    assert len(alerts.alerts(owner, kb, Lang.EN)) == 1  # owners see health records
    assert CheckIn.objects.get(pk=checkin.pk).alert == "open"


def test_another_clinics_checkins_are_not_found(session, kb, site_a, site_b):
    checkin, token = checkin_of(session, 1)
    answer_checkin(PUBLIC, token, {"pus"}, kb)
    nurse_b = site_b.actor(Role.NURSE)
    assert alerts.alerts(nurse_b, kb, Lang.EN) == []
    assert alerts.open_alert_count(site_b.clinic.pk) == 0
    seq = last_seq()
    with pytest.raises(NotFoundError):
        alerts.acknowledge(nurse_b, checkin.pk, "called_client", "Called.")
    with pytest.raises(NotFoundError):
        checkin_tokens.checkins_of_session(nurse_b, session.pk)
    assert [summary(r) for r in rows_after(seq)] == [
        expected(nurse_b, "not_found", "checkin", checkin.pk, outcome="denied"),
        expected(nurse_b, "not_found", "session", session.pk, outcome="denied"),
    ]
    assert CheckIn.objects.get(pk=checkin.pk).alert == "open"
    assert len(alerts.alerts(site_a.actor(Role.NURSE), kb, Lang.EN)) == 1
