"""Adverse events: recording against a session and its lot, validation, outcomes, alerts, roles, tenancy."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from clinic.checkin_support import answer as answer_checkin
from clinic.followup_support import checkin_of, session_row
from clinic.support import expected, last_seq, rows_after, summary
from needlewise.clinic.access.actor import Actor
from needlewise.clinic.clients import clients
from needlewise.clinic.followup import adverse_events
from needlewise.clinic.followup.adverse_events import AdverseEventForm
from needlewise.clinic.records import integrity, record_digests
from needlewise.domain.permissions import Role
from needlewise.errors import ConflictError, InvalidInputError, NotAllowedError, NotFoundError
from needlewise.storage.models import AdverseEvent, CheckIn

pytestmark = pytest.mark.django_db

NOW = datetime(2031, 6, 15, 12, 0, tzinfo=UTC)
TODAY = NOW.date()
PUBLIC = Actor.anonymous("198.51.100.7", "req-ae")


@pytest.fixture
def session(site_a, kb):
    with time_machine.travel(NOW, tick=False):
        yield session_row(site_a, kb, performed_at=NOW - timedelta(days=3), lot="LOT-AE-7")


def form(**changes) -> AdverseEventForm:
    base = AdverseEventForm(
        kind="infection_bacterial",
        severity="moderate",
        serious=False,
        onset_on=TODAY - timedelta(days=1),
        outcome="ongoing",
        description="  Pustules on the left cheek; started oral antibiotics.  ",
    )
    return replace(base, **changes)


def test_record_keeps_the_event_against_the_session_and_its_lot(session, kb, site_a):
    nurse = site_a.actor(Role.NURSE)
    seq = last_seq()
    event = adverse_events.record(nurse, session.pk, form(serious=True), kb)
    stored = AdverseEvent.objects.get(pk=event.pk)
    assert (stored.clinic_id, stored.client_id, stored.session_id, stored.checkin_id) == (
        site_a.clinic.pk,
        site_a.client.pk,
        session.pk,
        None,
    )
    assert (stored.cartridge_lot, stored.kind, stored.severity, stored.serious) == (
        "LOT-AE-7",
        "infection_bacterial",
        "moderate",
        True,
    )
    assert (stored.onset_on, stored.outcome, stored.recorded_by_id) == (
        TODAY - timedelta(days=1),
        "ongoing",
        nurse.user_id,
    )
    assert stored.description == "Pustules on the left cheek; started oral antibiotics."
    [row] = rows_after(seq)
    assert summary(row) == expected(nurse, "create", "adverse_event", event.pk, client_id=site_a.client.pk)
    # ids and the record's digest only: the kind and the words stay out of the log
    assert row.detail == {"session": session.pk, "digest": integrity.adverse_event_digest(event.pk)}


def test_recording_from_an_alert_acknowledges_it(session, kb, site_a):
    checkin, token = checkin_of(session, 3)
    answer_checkin(PUBLIC, token, {"pus"}, kb)
    provider = site_a.actor(Role.PROVIDER)
    seq = last_seq()
    ticked = form(checkin_id=checkin.pk, close_alert=True, alert_note=" Referred to urgent care. ")
    event = adverse_events.record(provider, session.pk, ticked, kb)
    assert event.checkin_id == checkin.pk
    stored = CheckIn.objects.get(pk=checkin.pk)
    assert (stored.alert, stored.acknowledged_by_id) == ("acknowledged", provider.user_id)
    assert (stored.acknowledged_action, stored.acknowledged_note) == ("adverse_event", "Referred to urgent care.")
    rows = rows_after(seq)
    assert [summary(r)[3:5] for r in rows] == [("create", "adverse_event"), ("acknowledge", "checkin")]
    assert rows[1].detail == {"action": "adverse_event", "digest": record_digests.checkin_digest(checkin.pk)}


def test_an_alert_stays_open_unless_closing_it_is_ticked(session, kb, site_a):
    checkin, token = checkin_of(session, 3)
    answer_checkin(PUBLIC, token, {"pus"}, kb)
    adverse_events.record(site_a.actor(Role.NURSE), session.pk, form(checkin_id=checkin.pk), kb)
    assert CheckIn.objects.get(pk=checkin.pk).alert == "open"


@pytest.mark.parametrize(
    ("changes", "where"),
    [
        ({"close_alert": True, "alert_note": "Called."}, ["close_alert"]),  # no check-in chosen
        ({"close_alert": True, "alert_note": "  ", "with_checkin": True}, ["alert_note"]),
        ({"close_alert": True, "alert_note": "x" * 1001, "with_checkin": True}, ["alert_note"]),
    ],
)
def test_closing_the_alert_needs_its_check_in_and_what_was_done(session, kb, site_a, changes, where):
    checkin, token = checkin_of(session, 3)
    answer_checkin(PUBLIC, token, {"pus"}, kb)
    if changes.pop("with_checkin", False):
        changes["checkin_id"] = checkin.pk
    with time_machine.travel(NOW, tick=False), pytest.raises(InvalidInputError) as refused:
        adverse_events.record(site_a.actor(Role.NURSE), session.pk, form(**changes), kb)
    assert [p.where for p in refused.value.problems] == where
    assert (AdverseEvent.objects.exists(), CheckIn.objects.get(pk=checkin.pk).alert) == (False, "open")


def test_an_answered_checkin_without_an_alert_stays_as_it_is(session, kb, site_a):
    checkin, token = checkin_of(session, 1)
    answer_checkin(PUBLIC, token, set(), kb)
    adverse_events.record(site_a.actor(Role.NURSE), session.pk, form(checkin_id=checkin.pk), kb)
    assert CheckIn.objects.get(pk=checkin.pk).alert == "none"
    ticked = form(checkin_id=checkin.pk, close_alert=True, alert_note="Called.")
    with pytest.raises(InvalidInputError) as refused:  # no open alert to close
        adverse_events.record(site_a.actor(Role.NURSE), session.pk, ticked, kb)
    assert refused.value.first.where == "close_alert"


@pytest.mark.parametrize(
    ("changes", "where"),
    [
        ({"kind": "bad_luck"}, "kind"),
        ({"severity": "catastrophic"}, "severity"),
        ({"outcome": "fine"}, "outcome"),
        ({"onset_on": None}, "onset_on"),
        ({"onset_on": TODAY - timedelta(days=4)}, "onset_on"),  # before the session
        ({"onset_on": TODAY + timedelta(days=1)}, "onset_on"),  # in the future
        ({"description": "   "}, "description"),
        ({"description": "x" * 5001}, "description"),
        ({"checkin_id": 999_999}, "checkin_id"),
    ],
)
def test_invalid_reports_name_the_field(session, kb, site_a, changes, where):
    with time_machine.travel(NOW, tick=False), pytest.raises(InvalidInputError) as refused:
        adverse_events.record(site_a.actor(Role.NURSE), session.pk, form(**changes), kb)
    assert [p.where for p in refused.value.problems] == [where]
    assert not AdverseEvent.objects.exists()


def test_every_problem_is_named_at_once_and_the_onset_may_be_the_session_day(session, kb, site_a):
    nurse = site_a.actor(Role.NURSE)
    with time_machine.travel(NOW, tick=False):
        with pytest.raises(InvalidInputError) as refused:
            adverse_events.record(nurse, session.pk, form(kind="", severity="", outcome="", description=""), kb)
        assert {p.where for p in refused.value.problems} == {"kind", "severity", "outcome", "description"}
        event = adverse_events.record(nurse, session.pk, form(onset_on=TODAY - timedelta(days=3)), kb)
    assert event.onset_on == date(2031, 6, 12)


def test_a_checkin_of_another_session_is_refused(session, kb, site_a):
    other = session_row(site_a, kb, lot="LOT-OTHER")
    checkin, _ = checkin_of(other, 1)
    with time_machine.travel(NOW, tick=False), pytest.raises(InvalidInputError) as refused:
        adverse_events.record(site_a.actor(Role.NURSE), session.pk, form(checkin_id=checkin.pk), kb)
    assert refused.value.first.where == "checkin_id"


def test_an_archived_client_is_restored_first(session, kb, site_a):
    clients.set_archived(site_a.actor(Role.PROVIDER), site_a.client.pk, archived=True)
    with time_machine.travel(NOW, tick=False), pytest.raises(ConflictError):
        adverse_events.record(site_a.actor(Role.NURSE), session.pk, form(), kb)


def test_outcome_updates_are_appended_with_their_date_and_note(session, kb, site_a):
    nurse = site_a.actor(Role.NURSE)
    with time_machine.travel(NOW, tick=False):
        event = adverse_events.record(nurse, session.pk, form(), kb)
    later = NOW + timedelta(days=10)
    with time_machine.travel(later, tick=False):
        seq = last_seq()
        updated = adverse_events.update_outcome(nurse, event.pk, "resolved", "  Healed without marks.  ")
        assert [summary(r) for r in rows_after(seq)] == [
            expected(nurse, "update", "adverse_event", event.pk, client_id=site_a.client.pk)
        ]
        adverse_events.update_outcome(nurse, event.pk, "resolved", "Checked again at the follow-up.")
        adverse_events.update_outcome(nurse, event.pk, "resolved_with_sequelae", "")
    assert updated.outcome == "resolved"
    stored = AdverseEvent.objects.get(pk=event.pk)
    assert stored.outcome == "resolved_with_sequelae"
    assert stored.description.splitlines()[2:] == [
        "[2031-06-25] ongoing → resolved: Healed without marks.",
        "",
        "[2031-06-25] resolved → resolved: Checked again at the follow-up.",
        "",
        "[2031-06-25] resolved → resolved_with_sequelae",
    ]


@pytest.mark.parametrize(
    "case",
    [("better", "", "outcome"), ("resolved", "x" * 1001, "note"), ("ongoing", " ", "outcome")],
)
def test_invalid_outcome_updates_are_refused(session, kb, site_a, case):
    outcome, note, where = case
    nurse = site_a.actor(Role.NURSE)
    with time_machine.travel(NOW, tick=False):
        event = adverse_events.record(nurse, session.pk, form(), kb)
    with pytest.raises(InvalidInputError) as refused:
        adverse_events.update_outcome(nurse, event.pk, outcome, note)
    assert refused.value.first.where == where
    assert AdverseEvent.objects.get(pk=event.pk).outcome == "ongoing"


def test_reading_events(session, kb, site_a):
    nurse = site_a.actor(Role.NURSE)
    with time_machine.travel(NOW, tick=False):
        first = adverse_events.record(nurse, session.pk, form(), kb)
        second = adverse_events.record(nurse, session.pk, form(kind="pih", severity="mild"), kb)
    owner = site_a.actor(Role.OWNER)
    seq = last_seq()
    assert adverse_events.get(owner, first.pk).session_id == session.pk
    assert [e.pk for e in adverse_events.events_of_client(owner, site_a.client.pk)] == [second.pk, first.pk]
    assert [e.pk for e in adverse_events.recent(owner)] == [second.pk, first.pk]
    assert [summary(r) for r in rows_after(seq)] == [
        expected(owner, "read", "adverse_event", first.pk, client_id=site_a.client.pk),
        expected(owner, "read", "adverse_event", client_id=site_a.client.pk),
        expected(owner, "read", "adverse_event"),
    ]


def test_report_context_lists_the_answered_checkins(session, kb, site_a):
    checkin, token = checkin_of(session, 3)
    answer_checkin(PUBLIC, token, {"pus"}, kb)
    context = adverse_events.report_context(site_a.actor(Role.AESTHETICIAN), session.pk)
    assert (context.session.pk, context.session_on) == (session.pk, date(2031, 6, 12))
    assert [c.pk for c in context.checkins] == [checkin.pk]


def test_roles_that_may_not_record_or_read_are_refused(session, kb, site_a):
    owner, desk = site_a.actor(Role.OWNER), site_a.actor(Role.FRONT_DESK)
    seq = last_seq()
    with pytest.raises(NotAllowedError):
        adverse_events.record(owner, session.pk, form(), kb)
    with pytest.raises(NotAllowedError):
        adverse_events.report_context(desk, session.pk)
    with pytest.raises(NotAllowedError):
        adverse_events.recent(desk)
    with pytest.raises(NotAllowedError):
        adverse_events.events_of_client(desk, site_a.client.pk)
    assert [summary(r) for r in rows_after(seq)] == [
        expected(owner, "record_treatment", "adverse_event", outcome="denied"),
        expected(desk, "record_treatment", "adverse_event", outcome="denied"),
        expected(desk, "view_health", "adverse_event", outcome="denied"),
        expected(desk, "view_health", "adverse_event", client_id=site_a.client.pk, outcome="denied"),
    ]
    assert not AdverseEvent.objects.exists()


def test_another_clinics_sessions_and_events_are_not_found(session, kb, site_a, site_b):
    with time_machine.travel(NOW, tick=False):
        event = adverse_events.record(site_a.actor(Role.NURSE), session.pk, form(), kb)
    nurse_b = site_b.actor(Role.NURSE)
    seq = last_seq()
    for attempt in (
        lambda: adverse_events.record(nurse_b, session.pk, form(), kb),
        lambda: adverse_events.report_context(nurse_b, session.pk),
        lambda: adverse_events.get(nurse_b, event.pk),
        lambda: adverse_events.update_outcome(nurse_b, event.pk, "resolved", ""),
        lambda: adverse_events.events_of_client(nurse_b, site_a.client.pk),
    ):
        with pytest.raises(NotFoundError):
            attempt()
    assert [summary(r)[3:6] for r in rows_after(seq)] == [
        ("not_found", "session", str(session.pk)),
        ("not_found", "session", str(session.pk)),
        ("not_found", "adverse_event", str(event.pk)),
        ("not_found", "adverse_event", str(event.pk)),
        ("not_found", "client", str(site_a.client.pk)),
    ]
    assert adverse_events.recent(nurse_b) == []
    assert AdverseEvent.objects.get(pk=event.pk).outcome == "ongoing"
