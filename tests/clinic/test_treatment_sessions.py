"""Recording a session: every check on the day, what a blocked practitioner is told, warnings, tenancy."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from django.db import IntegrityError
from django.utils import timezone

from clinic.support import CLINIC_OK, CLINIC_STOP, clearance_form, details, last_seq, rows_after, summary
from clinic.treatment_support import Ready, consent_template, form, plan, ready_client, signed_consent
from clinic_factories import clinic_today
from needlewise.clinic.clients import clients
from needlewise.clinic.records import integrity, plans, record_digests, screenings
from needlewise.clinic.treatment import recording, session_checks, sessions
from needlewise.clinic.treatment.session_form import NumbingForm
from needlewise.domain.permissions import Role
from needlewise.domain.treatment import CheckCode
from needlewise.domain.vocabulary import Lang
from needlewise.errors import ConflictError, InvalidInputError, NotAllowedError, NotFoundError, SessionBlockedError
from needlewise.storage.models import CheckIn, Screening, SessionZone, TreatmentSession

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready(site_a, kb) -> Ready:
    return ready_client(site_a, kb)


def blocked_codes(error: ConflictError) -> list[str]:
    return [p.where for p in error.problems]


def test_a_session_that_passes_every_check_is_recorded_with_zones_checkins_and_audit(ready, kb):
    nurse = ready.site.actor(Role.NURSE)
    before = last_seq()
    done = recording.record(nurse, ready.client.pk, form(ready, zones={"cheeks": "1.0", "forehead": "0.75"}), kb)
    session = done.session
    assert session is not None
    assert done.blocked == ()
    assert all(c.passed for c in done.checks)
    assert {c.code for c in done.checks} == set(CheckCode) - {CheckCode.INTERVAL}  # no earlier session
    stored = TreatmentSession.objects.get(pk=session.pk)
    assert (stored.cartridge_lot, stored.practitioner_role, stored.passes) == ("LOT-A1", "nurse", 3)
    assert stored.consent_id == ready.client.consents.get().pk
    assert stored.kb_hash == kb.version.content_hash
    assert {(z.zone, str(z.length_mm)) for z in SessionZone.objects.filter(session=session)} == {
        ("cheeks", "1.00"),
        ("forehead", "0.75"),
    }
    assert sorted(c.day for c in CheckIn.objects.filter(session=session)) == list(kb.treatment.checkin.days)
    assert len(done.checkins) == len(kb.treatment.checkin.days)
    [row] = [r for r in rows_after(before) if r.object_type == "session"]
    assert summary(row) == (
        nurse.actor_id,
        "nurse",
        ready.site.clinic.pk,
        "create",
        "session",
        str(session.pk),
        ready.client.pk,
        "success",
    )
    assert row.detail == {
        "plan": ready.plan.pk,
        "digest": integrity.session_digest(session.pk),
        "checkins": {str(c.pk): record_digests.checkin_digest(c.pk) for c in session.checkins.all()},
    }


def test_check_runs_every_check_and_records_nothing(ready, kb):
    outcome = recording.check(ready.site.actor(Role.NURSE), ready.client.pk, form(ready), kb)
    assert outcome.session is None
    assert outcome.blocked == ()
    assert TreatmentSession.objects.count() == 0
    expired = form(ready, cartridge_expiry=timezone.localdate() - timedelta(days=1))
    outcome = recording.check(ready.site.actor(Role.NURSE), ready.client.pk, expired, kb)
    assert [c.code for c in outcome.blocked] == [CheckCode.CARTRIDGE_EXPIRY]


def _record_blocked(ready: Ready, kb: Any, role: Role = Role.NURSE, **changes: Any) -> ConflictError:
    before = last_seq()
    with pytest.raises(ConflictError) as blocked:
        recording.record(ready.site.actor(role), ready.client.pk, form(ready, **changes), kb)
    rows = [r for r in rows_after(before) if r.object_type == "session"]
    assert [(r.action, r.outcome) for r in rows] == [("create", "blocked")]
    assert isinstance(blocked.value, SessionBlockedError)
    assert [c.code.value for c in blocked.value.checks] == blocked_codes(blocked.value)
    assert not any(c.passed for c in blocked.value.checks)
    assert rows[0].detail["blocked"] == blocked_codes(blocked.value)
    return blocked.value


def test_an_expired_cartridge_is_refused_with_what_to_do(ready, kb):
    yesterday = timezone.localdate() - timedelta(days=1)
    error = _record_blocked(ready, kb, cartridge_expiry=yesterday)
    [problem] = error.problems
    assert problem.where == "cartridge_expiry"
    assert problem.message == (
        f"The cartridge expired on {yesterday.isoformat()}. Discard it and open a new sterile cartridge."
    )
    assert TreatmentSession.objects.count() == 0


def test_a_cartridge_is_used_once_even_on_another_client(site_a, kb, ready):
    other = ready_client(site_a, kb, "Other")
    first = form(ready, cartridge_serial="ONCE-1")
    recording.record(site_a.actor(Role.NURSE), ready.client.pk, first, kb)
    again = replace(first, plan_id=other.plan.pk)
    with pytest.raises(ConflictError) as blocked:
        recording.record(site_a.actor(Role.NURSE), other.client.pk, again, kb)
    assert blocked_codes(blocked.value) == ["cartridge_unused"]
    assert "single-use cartridge is used once" in blocked.value.problems[0].message
    assert TreatmentSession.objects.filter(cartridge_serial="ONCE-1").count() == 1


def test_the_same_serial_in_another_lot_is_another_cartridge(site_a, kb, ready):
    other = ready_client(site_a, kb, "Other")
    recording.record(site_a.actor(Role.NURSE), ready.client.pk, form(ready, cartridge_serial="S-9"), kb)
    second = form(other, cartridge_serial="S-9", cartridge_lot="LOT-B2")
    assert recording.record(site_a.actor(Role.NURSE), other.client.pk, second, kb).session is not None


def test_a_claim_that_loses_the_race_gets_the_same_answer(ready, kb, monkeypatch):
    """Between the check and the insert another request took the cartridge: the unique constraint decides.

    (The real race, two processes at once, is in tests/concurrency; here the check is made to miss it.)
    """
    first = form(ready, cartridge_serial="RACE-1")
    real_run = session_checks.run
    recording.record(ready.site.actor(Role.NURSE), ready.client.pk, first, kb)
    other = ready_client(ready.site, kb, "Other")

    def check_before_the_other_commit(*args: Any, **kwargs: Any) -> Any:
        results, findings = real_run(*args, **kwargs)
        passed = tuple(replace(r, passed=True) if r.code is CheckCode.CARTRIDGE_UNUSED else r for r in results)
        return passed, findings

    monkeypatch.setattr(session_checks, "run", check_before_the_other_commit)
    with pytest.raises(ConflictError) as blocked:
        recording.record(ready.site.actor(Role.NURSE), other.client.pk, replace(first, plan_id=other.plan.pk), kb)
    assert blocked_codes(blocked.value) == ["cartridge_unused"]
    assert TreatmentSession.objects.filter(cartridge_serial="RACE-1").count() == 1


def test_the_minimum_interval_is_enforced_with_the_earliest_date(ready, kb):
    recording.record(ready.site.actor(Role.NURSE), ready.client.pk, form(ready), kb)
    error = _record_blocked(ready, kb)
    assert blocked_codes(error) == ["interval"]
    earliest = (clinic_today() + timedelta(days=ready.plan.min_interval_days)).isoformat()
    assert f"minimum interval is {ready.plan.min_interval_days} days" in error.problems[0].message
    assert f"the earliest date is {earliest}" in error.problems[0].message


def test_the_interval_counts_from_the_last_session_date(ready, kb):
    done = recording.record(ready.site.actor(Role.NURSE), ready.client.pk, form(ready), kb)
    assert done.session is not None
    days = ready.plan.min_interval_days
    TreatmentSession.objects.filter(pk=done.session.pk).update(performed_at=timezone.now() - timedelta(days=days))
    assert recording.record(ready.site.actor(Role.NURSE), ready.client.pk, form(ready), kb).session


def test_an_aesthetician_above_scope_is_refused_and_within_scope_may_treat(ready, kb):
    error = _record_blocked(ready, kb, role=Role.AESTHETICIAN)
    assert blocked_codes(error) == ["practitioner_scope"]
    assert error.problems[0].message.startswith("1 mm on Cheeks is above your scope (0.5 mm).")
    within = form(ready, zones={"cheeks": "0.5"})
    done = recording.record(ready.site.actor(Role.AESTHETICIAN), ready.client.pk, within, kb)
    assert done.session is not None
    assert done.session.practitioner_role == "aesthetician"


def test_an_out_of_date_screening_blocks_until_the_client_is_screened_again(ready, kb):
    old = timezone.now() - timedelta(days=ready.site.clinic.screening_valid_days + 1)
    Screening.objects.filter(client=ready.client).update(created_at=old)
    error = _record_blocked(ready, kb)
    assert blocked_codes(error) == ["screening_current"]
    assert "Screen the client again today" in error.problems[0].message
    screenings.record(ready.site.actor(Role.NURSE), client_id=ready.client.pk, profile=CLINIC_OK, kb=kb, lang=Lang.EN)
    assert recording.record(ready.site.actor(Role.NURSE), ready.client.pk, form(ready), kb).session


def test_a_stop_result_blocks_until_a_provider_clears_it(ready, kb):
    nurse = ready.site.actor(Role.NURSE)
    stop = screenings.record(nurse, client_id=ready.client.pk, profile=CLINIC_STOP, kb=kb, lang=Lang.EN)
    error = _record_blocked(ready, kb)
    assert blocked_codes(error) == ["screening_tier"]
    assert (
        "The latest screening says “Do not treat now” and has no valid provider clearance" in error.problems[0].message
    )
    screenings.clear(ready.site.actor(Role.PROVIDER), stop.pk, clearance_form(timezone.localdate()))
    assert recording.record(nurse, ready.client.pk, form(ready), kb).session is not None


def test_a_new_consent_version_requires_signing_again(ready, kb):
    consent_template(ready.site, kb)
    error = _record_blocked(ready, kb)
    assert blocked_codes(error) == ["consent_current"]
    assert "(signed version 1, current version 2)" in error.problems[0].message
    signed_consent(ready.site, kb, ready.client)
    assert recording.record(ready.site.actor(Role.NURSE), ready.client.pk, form(ready), kb).session


def test_a_client_who_never_signed_is_blocked(site_a, kb):
    nurse = site_a.actor(Role.NURSE)
    client = clients.create(nurse, details(given_name="Unsigned", family_name="Client"))
    screenings.record(nurse, client_id=client.pk, profile=CLINIC_OK, kb=kb, lang=Lang.EN)
    consent_template(site_a, kb)
    unsigned = Ready(site_a, client, plan(site_a, kb, client=client))
    error = _record_blocked(unsigned, kb)
    assert blocked_codes(error) == ["consent_current"]
    assert "(signed version 0, current version 1)" in error.problems[0].message


def test_a_closed_plan_blocks(ready, kb):
    plans.close(ready.site.actor(Role.NURSE), ready.plan.pk)
    assert blocked_codes(_record_blocked(ready, kb)) == ["plan_active"]


def test_several_failed_checks_are_all_listed_in_order(ready, kb):
    consent_template(ready.site, kb)
    error = _record_blocked(
        ready, kb, role=Role.AESTHETICIAN, cartridge_expiry=timezone.localdate() - timedelta(days=3)
    )
    assert blocked_codes(error) == ["consent_current", "cartridge_expiry", "practitioner_scope"]


@pytest.mark.parametrize(
    ("changes", "where", "message"),
    [
        ({"device_model": " "}, "device_model", "this field is required"),
        ({"device_kind": "undecided"}, "device_kind", "choose one of: pen, roller, stamp"),
        ({"cartridge_lot": "L" * 65}, "cartridge_lot", "at most 64 characters"),
        ({"cartridge_expiry": None}, "cartridge_expiry", "enter the cartridge's expiry date as YYYY-MM-DD"),
        ({"zones": {}}, "zones", "enter the needle length used on at least one zone"),
        ({"zones": {"neck": "0.5"}}, "zones.neck", "this zone is not in the treatment plan; add it to a plan first"),
        ({"zones": {"cheeks": "1.5"}}, "zones.cheeks", "longer than the 1 mm the plan allows for this zone"),
        ({"zones": {"cheeks": "abc"}}, "zones.cheeks", "enter a number such as 0.5"),
        ({"zones": {"cheeks": "0.333"}}, "zones.cheeks", "enter a number from 0.1 to 3 with at most two decimals"),
        ({"zones": {"cheeks": "NaN"}}, "zones.cheeks", "enter a number from 0.1 to 3 with at most two decimals"),
        ({"passes": ""}, "passes", "this field is required"),
        ({"passes": "0"}, "passes", "enter a whole number from 1 to 20"),
        ({"pain_score": "11"}, "pain_score", "enter a whole number from 0 to 10"),
        ({"products_applied": ("snake_oil",)}, "products_applied", "unknown product(s): snake_oil"),
        ({"notes": "x" * 5001}, "notes", "at most 5000 characters"),
        (
            {"numbing": NumbingForm(zones=("elbow",), product="Cream")},
            "numbing_zones",
            "choose treatment zones from the list",
        ),
        (
            {"numbing": NumbingForm(lidocaine_percent="4")},
            "numbing_product",
            "name the numbing product, or leave its details empty",
        ),
        (
            {"numbing": NumbingForm(product="Cream", lidocaine_percent="150")},
            "numbing_lidocaine_percent",
            "enter a number from 0 to 100 with at most two decimals",
        ),
        (
            {"numbing": NumbingForm(product="Cream", minutes="300")},
            "numbing_minutes",
            "enter a whole number from 0 to 240",
        ),
    ],
)
def test_bad_input_names_the_field(ready, kb, changes, where, message):
    with pytest.raises(InvalidInputError) as invalid:
        recording.record(ready.site.actor(Role.NURSE), ready.client.pk, form(ready, **changes), kb)
    assert (where, message) in [(p.where, p.message) for p in invalid.value.problems]
    assert TreatmentSession.objects.count() == 0


def test_fda_numbing_warnings_and_product_flags_are_kept_with_the_session(ready, kb):
    numbing = NumbingForm(
        product="Compounded BLT 20/10/10",
        lidocaine_percent="20",
        compounded=True,
        zones=("body",),
        minutes="45",
        occluded=True,
        broken_skin=True,
        heat=True,
    )
    changes = {"numbing": numbing, "products_applied": ("vitamin_c_serum",), "pain_score": "4"}
    done = recording.record(ready.site.actor(Role.NURSE), ready.client.pk, form(ready, **changes), kb)
    assert done.session is not None
    warnings = {f.details.get("warning") for f in done.findings if f.code == "numbing_warning"}
    assert warnings == {"compounded", "over_strength", "large_area", "occlusion", "broken_skin", "heat"}
    assert any(f.code == "product_flag" and f.details["product"] == "vitamin_c_serum" for f in done.findings)
    stored = TreatmentSession.objects.get(pk=done.session.pk)
    assert {row["code"] for row in stored.findings} >= {"numbing_warning", "product_flag"}
    assert all(row["citations"] for row in stored.findings)
    assert (stored.numbing_minutes, str(stored.numbing_lidocaine_percent), stored.pain_score) == (45, "20.00", 4)


def test_a_within_range_product_free_session_has_no_warnings(ready, kb):
    done = recording.record(ready.site.actor(Role.NURSE), ready.client.pk, form(ready), kb)
    assert done.findings == ()


@pytest.mark.parametrize("role", [Role.OWNER, Role.FRONT_DESK])
def test_roles_that_do_not_treat_are_refused_and_audited(ready, kb, role):
    before = last_seq()
    with pytest.raises(NotAllowedError):
        recording.record(ready.site.actor(role), ready.client.pk, form(ready), kb)
    [row] = rows_after(before)
    assert (row.action, row.object_type, row.outcome) == ("record_treatment", "session", "denied")
    with pytest.raises(NotAllowedError):
        sessions.start(ready.site.actor(role), ready.client.pk)


def test_another_clinics_client_and_plan_are_not_found(sites, kb):
    site_a, site_b = sites
    ours = ready_client(site_a, kb)
    theirs = ready_client(site_b, kb, "Theirs")
    nurse_a = site_a.actor(Role.NURSE)
    for call in (recording.record, recording.check):
        before = last_seq()
        with pytest.raises(NotFoundError):
            call(nurse_a, theirs.client.pk, form(theirs), kb)
        assert [(r.action, r.outcome) for r in rows_after(before)] == [("not_found", "denied")]
        with pytest.raises(NotFoundError, match="no such treatment plan"):
            call(nurse_a, ours.client.pk, form(theirs), kb)
    with pytest.raises(NotFoundError):
        sessions.start(nurse_a, theirs.client.pk)
    done = recording.record(site_b.actor(Role.NURSE), theirs.client.pk, form(theirs), kb)
    assert done.session is not None
    with pytest.raises(NotFoundError):
        sessions.get(nurse_a, done.session.pk)
    assert sessions.sessions_of(site_a.clinic.pk, theirs.client.pk) == []


def test_an_archived_client_cannot_be_treated(ready, kb):
    clients.set_archived(ready.site.actor(Role.PROVIDER), ready.client.pk, archived=True)
    with pytest.raises(ConflictError, match="archived"):
        recording.record(ready.site.actor(Role.NURSE), ready.client.pk, form(ready), kb)


def test_start_get_and_lists(ready, kb, site_a):
    nurse = site_a.actor(Role.NURSE)
    begun = sessions.start(nurse, ready.client.pk)
    assert (begun.plan, {z: str(mm) for z, mm in begun.planned.items()}) == (
        ready.plan,
        {"cheeks": "1.00", "forehead": "1.00"},
    )
    done = recording.record(nurse, ready.client.pk, form(ready), kb)
    assert done.session is not None
    before = last_seq()
    got = sessions.get(site_a.actor(Role.PROVIDER), done.session.pk)
    assert got.pk == done.session.pk
    assert [(r.action, r.object_type) for r in rows_after(before)] == [("read", "session")]
    assert [s.pk for s in sessions.sessions_of(site_a.clinic.pk, ready.client.pk)] == [done.session.pk]
    plans.close(nurse, ready.plan.pk)
    assert sessions.start(nurse, ready.client.pk).plan is None
    with pytest.raises(NotAllowedError):
        sessions.get(site_a.actor(Role.FRONT_DESK), done.session.pk)


def test_the_database_refuses_a_second_use_of_a_cartridge_whatever_the_code(ready, kb):
    done = recording.record(ready.site.actor(Role.NURSE), ready.client.pk, form(ready), kb)
    assert done.session is not None
    copy = TreatmentSession.objects.get(pk=done.session.pk)
    copy.pk = None
    with pytest.raises(IntegrityError):
        copy.save()


def test_a_plan_whose_sessions_are_done_blocks_the_next_one(site_a, kb):
    nurse = site_a.actor(Role.NURSE)
    client = clients.create(nurse, details(given_name="Onesession", family_name="Client"))
    screenings.record(nurse, client_id=client.pk, profile=CLINIC_OK, kb=kb, lang=Lang.EN)
    signed_consent(site_a, kb, client)
    single = Ready(site_a, client, plan(site_a, kb, client=client, sessions_planned=1))
    done = recording.record(nurse, client.pk, form(single), kb)
    assert done.session is not None
    past = timezone.now() - timedelta(days=single.plan.min_interval_days)
    TreatmentSession.objects.filter(pk=done.session.pk).update(performed_at=past)
    error = _record_blocked(single, kb)
    assert blocked_codes(error) == ["plan_sessions_left"]
    assert error.problems[0].message == (
        "Every session of the plan is done (1 of 1 recorded). Review the result and write a new plan for further "
        "sessions."
    )
