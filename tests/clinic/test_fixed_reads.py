"""The busiest reads as fixed statements give the instances the ORM queries they replace gave."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db.models import Model
from django.utils import timezone

from clinic.support import clearance_form
from needlewise.clinic.access import tenancy
from needlewise.clinic.records import history_rows, screenings
from needlewise.clinic.sign_in import session_user
from needlewise.domain.permissions import Role
from needlewise.errors import NotFoundError
from needlewise.storage.models import Clearance, Screening, StaffMember

pytestmark = pytest.mark.django_db


def values(instance: Model) -> dict[str, object]:
    """Every loaded field, by attribute name."""
    deferred = instance.get_deferred_fields()
    return {
        f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields if f.attname not in deferred
    }


def test_the_session_user_comes_with_membership_and_clinic(site_a):
    owner = site_a.owner
    user = session_user.with_membership(owner.user_id)
    expected = User.objects.select_related("staff__clinic").get(pk=owner.user_id)
    assert user is not None
    assert values(user) == values(expected)
    assert values(user.staff) == values(expected.staff)
    assert values(user.staff.clinic) == values(expected.staff.clinic)
    assert (user.get_deferred_fields(), user.staff.get_deferred_fields()) == (set(), set())
    assert user.staff.user is user


def test_a_user_without_membership_and_a_missing_user(django_assert_num_queries):
    loner = User.objects.create(username="loner@fixed-reads.example")
    with django_assert_num_queries(1):
        user = session_user.with_membership(loner.pk)
        assert user is not None
        assert user.username == "loner@fixed-reads.example"
        with pytest.raises(StaffMember.DoesNotExist):  # as with select_related: no membership, no query
            _ = user.staff
    assert session_user.with_membership(10**9) is None


def test_history_and_clearances_match_the_orm(site_a, django_assert_num_queries):
    provider = site_a.actor(Role.PROVIDER)
    screenings.clear(provider, site_a.stop.pk, clearance_form(timezone.localdate()))
    client = site_a.client.pk
    loner = User.objects.create(username="former@fixed-reads.example")  # a screener no longer on the staff
    first = Screening.objects.filter(client_id=client).order_by("pk")[0]
    Screening.objects.filter(pk=first.pk).update(ran_by=loner)
    orm = list(
        Screening.objects.filter(client_id=client)
        .select_related("ran_by__staff")
        .defer("profile")
        .order_by("-created_at", "-pk")[:20]
    )
    with django_assert_num_queries(1):
        rows = history_rows.history(client, 20)
        assert [(values(s), s.ran_by.pk) for s in rows] == [(values(s), s.ran_by.pk) for s in orm]
        for mine, theirs in zip(rows, orm, strict=True):
            assert hasattr(mine.ran_by, "staff") is hasattr(theirs.ran_by, "staff")
            if hasattr(theirs.ran_by, "staff"):
                assert shown(mine.ran_by.staff) == shown(theirs.ran_by.staff)
    assert [s.get_deferred_fields() for s in rows] == [{"profile"}] * len(rows)
    assert any(not hasattr(s.ran_by, "staff") for s in rows)
    orm_clearances = list(
        Clearance.objects.filter(client_id=client).select_related("provider__staff").order_by("-created_at")[:20]
    )
    with django_assert_num_queries(1):
        found = history_rows.clearances(client, 20)
        assert [(values(c), c.provider.pk, shown(c.provider.staff)) for c in found] == [
            (values(c), c.provider.pk, shown(c.provider.staff)) for c in orm_clearances
        ]
    assert found
    # Only the name staff go by is read: never an account's password hash or second-factor secret.
    staff = found[0].provider.staff
    assert {"password", "username", "email"} <= found[0].provider.get_deferred_fields()
    assert {"totp_secret", "role", "alert_phone"} <= staff.get_deferred_fields()
    assert staff.user is found[0].provider


def shown(staff: StaffMember) -> tuple[object, ...]:
    """What the pages show of a staff member, and their account."""
    return (staff.pk, staff.user_id, staff.display_name)


def test_the_client_is_read_within_the_actors_clinic(site_a, site_b):
    nurse = site_a.actor(Role.NURSE)
    client = tenancy.access_client(nurse, site_a.client.pk)
    assert values(client) == values(type(client).objects.get(pk=site_a.client.pk))
    assert client.get_deferred_fields() == set()
    with pytest.raises(NotFoundError, match="no such client in your clinic"):
        tenancy.access_client(nurse, site_b.client.pk)
