"""Clinical records changed behind the application's back are found (T15).

A session's, adverse event's, screening's, consent's, plan's and check-in's content digest is
written into the keyed, hash-chained audit row that created (or changed) it; ``integrity.verify``
and ``needlewise audit verify`` recompute them.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from clinic.treatment_support import form, ready_client
from clinic_factories import clinic_today
from needlewise.clinic.audit import log as audit_log
from needlewise.clinic.followup import adverse_events, checkins
from needlewise.clinic.followup.adverse_events import AdverseEventForm
from needlewise.clinic.records import integrity
from needlewise.clinic.treatment import recording
from needlewise.domain.permissions import Role
from needlewise.domain.vocabulary import Lang
from needlewise.storage.models import (
    AdverseEvent,
    AuditEntry,
    CheckIn,
    Consent,
    Screening,
    SessionZone,
    TreatmentPlan,
    TreatmentSession,
)

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
    assert (report.ok, report.problems, report.uncovered()) == (True, [], "")
    models = {"screening": Screening, "consent": Consent, "plan": TreatmentPlan}
    assert report.checked == Counter(
        session=1, adverse_event=1, checkin=3, **{kind: model.objects.count() for kind, model in models.items()}
    )


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
        ("UPDATE screening SET tier = 'stop' WHERE id = %s", "screening {r} was changed"),
        ("UPDATE treatment_plan SET sessions_planned = 9 WHERE id = %s", "plan {p} was changed"),
        ("UPDATE plan_zone SET length_mm = 2.5 WHERE plan_id = %s", "plan {p} was changed"),
        ("UPDATE checkin SET triage = 'expected' WHERE id = %s", "check-in {c} was changed"),
    ],
    ids=["lot", "date", "zone-length", "severity", "outcome", "verdict", "plan", "plan-zone", "checkin"],
)
def test_a_change_in_the_raw_database_is_named(treated, change, problem):
    session, event = treated
    screening = Screening.objects.filter(client_id=session.client_id).get()
    plan = TreatmentPlan.objects.filter(client_id=session.client_id).get()
    checkin = CheckIn.objects.order_by("pk").first()
    assert checkin is not None
    table = change.split()[1]
    targets = {"adverse_event": event.pk, "screening": screening.pk, "treatment_plan": plan.pk, "plan_zone": plan.pk}
    target = targets.get(table, checkin.pk if table == "checkin" else session.pk)
    params: list[object] = [target]
    if "performed_at" in change:
        params = [session.performed_at - timedelta(days=30), session.pk]
    _raw(change, params)
    report = integrity.verify()
    assert not report.ok
    named = problem.format(s=session.pk, e=event.pk, r=screening.pk, p=plan.pk, c=checkin.pk)
    assert report.problems == [named + " outside the application"]


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


def test_a_consent_slipped_in_without_its_audit_row_is_named(treated):
    copy = Consent.objects.filter(client_id=treated[0].client_id).get()
    copy.pk, copy.typed_name = None, "Someone Else"
    copy.save()  # consents are append-only, but an INSERT behind the application's back is still possible
    assert integrity.verify().problems == [f"consent {copy.pk} has no audit row with its digest"]


def test_a_consent_changed_with_its_triggers_dropped_is_named(treated):
    consent = Consent.objects.filter(client_id=treated[0].client_id).get()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("DROP TRIGGER consent_no_change ON consent")
        else:
            cursor.execute("DROP TRIGGER consent_no_update")
        cursor.execute("UPDATE consent SET typed_name = 'Someone Else' WHERE id = %s", [consent.pk])
    assert integrity.verify().problems == [f"consent {consent.pk} was changed outside the application"]


def _legacy_row(object_type: str, object_id: int) -> None:
    AuditEntry.objects.create(
        chain=audit_log.LEGACY,
        seq=AuditEntry.objects.filter(chain=audit_log.LEGACY).count() + 1,
        at=timezone.now(),
        actor="system:old",
        actor_role="",
        action="create",
        object_type=object_type,
        object_id=str(object_id),
        outcome="success",
        prev_hash=audit_log.GENESIS,
        hash=audit_log.GENESIS,
    )


def test_records_from_before_their_kind_was_covered_are_reported_as_not_covered(treated, kb):
    session, _ = treated
    old_screening = Screening.objects.filter(client_id=session.client_id).get()
    old_screening.pk = None
    old_screening.save()
    _legacy_row("screening", old_screening.pk)
    old_session = TreatmentSession.objects.get(pk=session.pk)
    old_session.pk, old_session.cartridge_serial = None, "SN-OLD"
    old_session.save()
    SessionZone.objects.create(session=old_session, zone="cheeks", length_mm=1)
    old_checkins = checkins.schedule(old_session, kb, Lang.EN)
    _legacy_row("session", old_session.pk)
    report = integrity.verify()
    assert report.not_covered == Counter(screening=1, checkin=len(old_checkins))
    assert report.uncovered() == f"1 screening and {len(old_checkins)} check-ins"
    assert report.problems == [f"session {old_session.pk} has no audit row with its digest"]  # sessions always were
