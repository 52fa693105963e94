"""Treatment records changed behind the application's back are found (T15).

A session's and an adverse event's content digest is written into the hash-chained audit row that
created (or changed) it; ``integrity.verify`` and ``needlewise audit verify`` recompute them.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection

from clinic.treatment_support import form, ready_client
from clinic_factories import clinic_today
from needlewise.clinic.followup import adverse_events
from needlewise.clinic.followup.adverse_events import AdverseEventForm
from needlewise.clinic.records import integrity
from needlewise.clinic.treatment import recording
from needlewise.domain.permissions import Role
from needlewise.storage.models import AdverseEvent, AuditEntry, SessionZone, TreatmentSession

pytestmark = pytest.mark.django_db


@pytest.fixture
def treated(site_a, kb):
    """A recorded session with an adverse event whose outcome was later updated."""
    ready = ready_client(site_a, kb)
    nurse = site_a.actor(Role.NURSE)
    session = recording.record(nurse, ready.client.pk, form(ready), kb).session
    assert session is not None
    report = AdverseEventForm("pih", "mild", False, clinic_today(), "ongoing", "Darker patch, left cheek.")  # noqa: FBT003 - not serious
    event = adverse_events.record(nurse, session.pk, report, kb)
    adverse_events.update_outcome(nurse, event.pk, "resolved", "Faded by week 6.")
    return session, event


@pytest.mark.usefixtures("treated")
def test_untouched_records_match_their_audit_rows():
    report = integrity.verify()
    assert (report.ok, report.sessions, report.adverse_events, report.problems) == (True, 1, 1, [])


def _raw(sql: str, params: list[object]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ("UPDATE treatment_session SET cartridge_lot = 'LOT-OTHER' WHERE id = %s", "session {s} was changed"),
        ("UPDATE treatment_session SET performed_at = %s WHERE id = %s", "session {s} was changed"),
        ("UPDATE session_zone SET length_mm = 2.5 WHERE session_id = %s", "session {s} was changed"),
        ("UPDATE adverse_event SET severity = 'severe' WHERE id = %s", "adverse event {e} was changed"),
        ("UPDATE adverse_event SET outcome = 'ongoing' WHERE id = %s", "adverse event {e} was changed"),
    ],
    ids=["lot", "date", "zone-length", "severity", "outcome"],
)
def test_a_change_in_the_raw_database_is_named(treated, change, problem):
    session, event = treated
    target = event.pk if "adverse_event" in change else session.pk
    params: list[object] = [target]
    if "performed_at" in change:
        params = [session.performed_at - timedelta(days=30), session.pk]
    _raw(change, params)
    report = integrity.verify()
    assert not report.ok
    assert report.problems == [problem.format(s=session.pk, e=event.pk) + " outside the application"]


def test_a_record_without_its_audit_row_is_named(treated):
    session, _ = treated
    copy = TreatmentSession.objects.get(pk=session.pk)
    copy.pk, copy.cartridge_serial = None, "SN-INSERTED"
    copy.save()  # a row slipped in with SQL, never through the use case
    SessionZone.objects.create(session=copy, zone="cheeks", length_mm=1)
    assert integrity.verify().problems == [f"session {copy.pk} has no audit row with its digest"]


def test_the_latest_audit_row_of_a_record_is_the_one_that_counts(treated):
    _, event = treated
    updates = AuditEntry.objects.filter(object_type="adverse_event", action="update", object_id=str(event.pk))
    assert updates.count() == 1
    assert updates.get().detail["digest"] == integrity.adverse_event_digest(event.pk)
    assert AdverseEvent.objects.get(pk=event.pk).outcome == "resolved"
