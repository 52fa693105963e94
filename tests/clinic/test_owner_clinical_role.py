"""An owner who also treats (a one-person clinic): one account, the union of the two roles' actions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, transaction

from clinic.support import CLINIC_OK, PASSWORD, actor_for, last_seq, rows_after
from clinic.treatment_support import form, plan_form, ready_client
from clinic_factories import SITE_TIME_ZONE
from needlewise.cli.clinic_commands import OwnerRole
from needlewise.clinic.access.actor import Actor
from needlewise.clinic.accounts import staff
from needlewise.clinic.local_time import ClinicClock
from needlewise.clinic.records import plans, screenings
from needlewise.clinic.scheduling import appointments, days
from needlewise.clinic.treatment import recording
from needlewise.domain.permissions import (
    CLINICAL_ROLES,
    NEEDLE_SCOPE_MM,
    PERMISSIONS,
    Action,
    Role,
    actions_of,
    allows,
    needle_scope_mm,
)
from needlewise.domain.vocabulary import Lang
from needlewise.errors import InvalidInputError, NotAllowedError
from needlewise.storage.models import AuditEntry, Clinic, StaffMember, TreatmentSession

# --- the rule, declared once in domain.permissions ---


@pytest.mark.parametrize("clinical", sorted(CLINICAL_ROLES))
def test_an_owner_with_a_clinical_role_may_do_what_either_role_may(clinical):
    both = actions_of(Role.OWNER, clinical)
    assert both == PERMISSIONS[Role.OWNER] | PERMISSIONS[clinical]
    assert all(allows(Role.OWNER, action, clinical) == (action in both) for action in Action)


def test_the_union_adds_exactly_the_clinical_work_and_nothing_else():
    assert actions_of(Role.OWNER) == PERMISSIONS[Role.OWNER]
    assert actions_of(Role.OWNER, Role.NURSE) - PERMISSIONS[Role.OWNER] == {
        Action.SCREEN_CLIENTS,
        Action.RECORD_TREATMENT,
    }
    assert not allows(Role.OWNER, Action.RECORD_CLEARANCE, Role.NURSE)  # a medical decision: providers only
    assert allows(Role.OWNER, Action.RECORD_CLEARANCE, Role.PROVIDER)


def test_the_needle_scope_is_the_wider_of_the_two_roles():
    assert needle_scope_mm(Role.OWNER) == 0.0
    assert needle_scope_mm(Role.OWNER, Role.AESTHETICIAN) == 0.5
    assert needle_scope_mm(Role.OWNER, Role.NURSE) is None
    assert needle_scope_mm(Role.AESTHETICIAN) == NEEDLE_SCOPE_MM[Role.AESTHETICIAN]


def test_the_cli_offers_exactly_the_clinical_roles():
    assert {role.value for role in OwnerRole} == {role.value for role in CLINICAL_ROLES}


def test_an_actor_names_both_roles_and_treats_as_the_clinical_one():
    both = Actor.staff(7, 1, Role.OWNER, clinical_role=Role.AESTHETICIAN)
    assert (both.role_label, both.treating_role, both.needle_scope_mm) == ("owner+aesthetician", Role.AESTHETICIAN, 0.5)
    assert both.may(Action.RECORD_TREATMENT)
    assert not both.may(Action.RECORD_CLEARANCE)
    owner = Actor.staff(7, 1, Role.OWNER)
    assert (owner.role_label, owner.treating_role, owner.needle_scope_mm) == ("owner", Role.OWNER, 0.0)
    nobody = Actor.anonymous("203.0.113.1", "r1")
    assert (nobody.role_label, nobody.treating_role, nobody.needle_scope_mm) == ("", None, 0.0)


# --- a clinic made with its owner's clinical role ---


def _create(owner_role: str, name: str = "Solo Clinic") -> StaffMember:
    return staff.create_clinic(
        name=name,
        city="Valencia",
        owner_email=f"{owner_role or 'plain'}@solo.example.org",
        owner_name="Solo Owner",
        owner_password=PASSWORD,
        owner_role=owner_role,
    )


@pytest.mark.django_db
def test_a_clinic_is_created_with_an_owner_who_is_also_a_nurse():
    seq = last_seq()
    member = _create("nurse")
    assert (member.role, member.clinical_role) == ("owner", "nurse")
    assert str(member) == "Solo Owner (owner+nurse)"
    created = rows_after(seq)[-1]
    assert (created.action, created.object_type, created.detail) == (
        "create",
        "staff",
        {"role": "owner", "clinical_role": "nurse"},
    )


@pytest.mark.django_db
@pytest.mark.parametrize("wrong", ["doctor", "front_desk", "owner"])
def test_an_owner_role_that_is_not_a_clinical_role_is_refused_before_anything_is_made(wrong):
    with pytest.raises(InvalidInputError) as refused:
        _create(wrong)
    assert [p.where for p in refused.value.problems] == ["owner_role"]
    assert "provider, nurse or aesthetician" in refused.value.problems[0].message
    assert not Clinic.objects.filter(name="Solo Clinic").exists()


@pytest.mark.django_db
def test_only_an_owner_may_hold_a_clinical_role_as_well(site_a):
    nurse = site_a.members[Role.NURSE]
    nurse.clinical_role = Role.PROVIDER.value
    with pytest.raises(IntegrityError), transaction.atomic():
        nurse.save(update_fields=["clinical_role"])
    owner = site_a.owner
    owner.clinical_role = Role.FRONT_DESK.value
    with pytest.raises(IntegrityError), transaction.atomic():
        owner.save(update_fields=["clinical_role"])


# --- the owner gives themself a clinical role, then works as it allows ---


@pytest.mark.django_db
def test_an_owner_alone_may_not_screen(site_a, kb):
    with pytest.raises(NotAllowedError):
        screenings.record(site_a.actor(Role.OWNER), client_id=site_a.client.pk, profile=CLINIC_OK, kb=kb, lang=Lang.EN)


@pytest.mark.django_db
def test_the_owner_sets_changes_and_gives_up_a_clinical_role_each_audited(site_a):
    seq = last_seq()
    member = staff.set_own_clinical_role(site_a.actor(Role.OWNER), " nurse ")
    assert member.clinical_role == "nurse"
    changed = rows_after(seq)[-1]
    assert (changed.actor_role, changed.object_id, changed.detail) == (
        "owner",
        str(member.pk),
        {"clinical_role": "nurse", "before": ""},
    )
    member = staff.set_own_clinical_role(actor_for(member), "provider")
    assert rows_after(seq)[-1].actor_role == "owner+nurse"
    assert rows_after(seq)[-1].detail == {"clinical_role": "provider", "before": "nurse"}
    member = staff.set_own_clinical_role(actor_for(member), "")
    assert StaffMember.objects.get(pk=member.pk).clinical_role == ""
    assert rows_after(seq)[-1].detail == {"clinical_role": "", "before": "provider"}


@pytest.mark.django_db
def test_a_wrong_clinical_role_is_refused_with_where_and_changes_nothing(site_a):
    with pytest.raises(InvalidInputError) as refused:
        staff.set_own_clinical_role(site_a.actor(Role.OWNER), "front_desk")
    assert [p.where for p in refused.value.problems] == ["clinical_role"]
    assert StaffMember.objects.get(pk=site_a.owner.pk).clinical_role == ""


@pytest.mark.django_db
def test_only_an_owner_may_set_their_clinical_role(site_a):
    with pytest.raises(NotAllowedError):
        staff.set_own_clinical_role(site_a.actor(Role.NURSE), "provider")
    assert StaffMember.objects.get(pk=site_a.members[Role.NURSE].pk).clinical_role == ""


@pytest.mark.django_db
def test_an_owner_nurse_screens_plans_and_records_a_session_audited_as_both(site_a, kb):
    owner = staff.set_own_clinical_role(site_a.actor(Role.OWNER), "nurse")
    me = actor_for(owner)
    ready = ready_client(site_a, kb, "Solo")
    seq = last_seq()
    screenings.record(me, client_id=site_a.client.pk, profile=CLINIC_OK, kb=kb, lang=Lang.EN)
    outcome = recording.record(me, ready.client.pk, form(ready), kb)
    session = TreatmentSession.objects.get(pk=outcome.session.pk)
    assert (session.practitioner_id, session.practitioner_role) == (owner.user_id, "nurse")
    mine = AuditEntry.objects.filter(pk__gt=seq, actor=me.actor_id)
    assert {e.actor_role for e in mine} == {"owner+nurse"}
    assert {("create", "screening"), ("create", "session")} <= {(e.action, e.object_type) for e in mine}
    with pytest.raises(NotAllowedError):  # a nurse's rights, not a provider's: no medical clearance
        screenings.require_clearance_role(me, site_a.stop.pk)
    plain = Actor.staff(owner.user_id, owner.clinic_id, Role.OWNER)  # the owner's role alone may not plan
    with pytest.raises(NotAllowedError):
        plans.create(plain, ready.client.pk, plan_form(), kb)


@pytest.mark.django_db
def test_an_owner_aesthetician_is_held_to_the_aestheticians_needle_scope(site_a, kb):
    owner = staff.set_own_clinical_role(site_a.actor(Role.OWNER), "aesthetician")
    ready = ready_client(site_a, kb, "Scoped")
    with pytest.raises(InvalidInputError) as refused:
        plans.create(actor_for(owner), ready.client.pk, plan_form(), kb)
    assert "aesthetician" in str(refused.value.problems[0].message)


@pytest.mark.django_db
def test_an_owner_with_a_clinical_role_is_a_practitioner_to_book_with(site_a):
    desk = site_a.actor(Role.FRONT_DESK)
    owner_id = site_a.owner.user_id
    assert owner_id not in {p.user_id for p in appointments.practitioners(desk)}
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    with pytest.raises(InvalidInputError):
        appointments.book(desk, site_a.client.pk, owner_id, starts, 60)
    staff.set_own_clinical_role(site_a.actor(Role.OWNER), "nurse")
    listed = {p.user_id: p.role for p in appointments.practitioners(desk)}
    assert listed[owner_id] == "nurse"
    booked = appointments.book(desk, site_a.client.pk, owner_id, starts, 60)
    assert booked.practitioner_id == owner_id
    day = ClinicClock.named(SITE_TIME_ZONE).day_of(starts)  # the day on the clinic's calendar
    columns = days.day_list(desk, day, owner_id)
    assert [(c.practitioner.role, len(c.rows)) for c in columns] == [("nurse", 1)]
