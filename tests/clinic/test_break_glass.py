"""Break-glass: one client's health record opened in an emergency, with a reason, for a limited time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from clinic.support import last_seq, rows_after
from needlewise.clinic.access import break_glass
from needlewise.clinic.records import screenings
from needlewise.domain.permissions import Role
from needlewise.errors import ConflictError, InvalidInputError, NotAllowedError, NotFoundError
from needlewise.storage.models import EmergencyAccess

pytestmark = pytest.mark.django_db

REASON = "Client collapsed at the front desk; the ambulance asks about allergies and medicines."
NOW = datetime(2031, 5, 6, 10, 0, tzinfo=UTC)


def test_front_desk_opens_one_clients_record_for_thirty_minutes_flagged_in_the_audit(site_a, settings):
    desk, client = site_a.actor(Role.FRONT_DESK), site_a.client
    with time_machine.travel(NOW, tick=False) as clock:
        assert screenings.client_record(desk, client.pk).status is None
        seq = last_seq()
        opening = break_glass.open_emergency_access(desk, client.pk, f"  {REASON}  ")
        assert (opening.reason, opening.expires_at) == (REASON, NOW + timedelta(minutes=settings.BREAK_GLASS_MINUTES))
        record = screenings.client_record(desk, client.pk)
        assert record.status is not None
        assert record.screenings  # the health record itself
        opened, read = rows_after(seq)
        assert (opened.action, opened.object_type, opened.client_id, opened.detail) == (
            "break_glass",
            "client",
            client.pk,
            {"opening": opening.pk, "minutes": settings.BREAK_GLASS_MINUTES},
        )
        assert REASON not in str(opened.detail)  # the reason may name a health matter: never in the log
        assert read.detail == {"health": True, "break_glass": opening.pk}
        clock.shift(timedelta(minutes=settings.BREAK_GLASS_MINUTES, seconds=1))
        assert screenings.client_record(desk, client.pk).status is None  # closed again
        assert break_glass.open_until(site_a.members[Role.FRONT_DESK].user_id, client.pk) is None


def test_the_opening_is_for_that_person_and_that_client_only(site_a):
    desk = site_a.actor(Role.FRONT_DESK)
    break_glass.open_emergency_access(desk, site_a.client.pk, REASON)
    assert break_glass.open_until(site_a.members[Role.OWNER].user_id, site_a.client.pk) is None
    assert break_glass.open_until(site_a.members[Role.FRONT_DESK].user_id, site_a.client.pk + 999) is None


@pytest.mark.parametrize("reason", ["", "   ", "help", "x" * 19, "x" * 1001])
def test_a_missing_short_or_long_reason_is_refused_and_opens_nothing(site_a, reason):
    seq = last_seq()
    with pytest.raises(InvalidInputError) as refused:
        break_glass.open_emergency_access(site_a.actor(Role.FRONT_DESK), site_a.client.pk, reason)
    assert refused.value.problems[0].where == "reason"
    assert (EmergencyAccess.objects.count(), rows_after(seq)) == (0, [])


def test_a_role_that_sees_health_data_has_nothing_to_open(site_a):
    with pytest.raises(ConflictError):
        break_glass.open_emergency_access(site_a.actor(Role.NURSE), site_a.client.pk, REASON)
    assert not EmergencyAccess.objects.exists()


def test_another_clinics_client_cannot_be_opened(sites):
    site_a, site_b = sites
    with pytest.raises(NotFoundError):
        break_glass.open_emergency_access(site_b.actor(Role.FRONT_DESK), site_a.client.pk, REASON)
    assert not EmergencyAccess.objects.exists()


def test_owners_see_every_opening_with_its_reason_and_others_may_not(sites):
    site_a, site_b = sites
    opening = break_glass.open_emergency_access(site_a.actor(Role.FRONT_DESK), site_a.client.pk, REASON)
    seq = last_seq()
    assert break_glass.recent_openings(site_a.actor(Role.OWNER)) == [opening]
    assert rows_after(seq)[0].detail == {"shown": [opening.pk]}
    assert break_glass.recent_openings(site_b.actor(Role.OWNER)) == []
    with pytest.raises(NotAllowedError):
        break_glass.recent_openings(site_a.actor(Role.FRONT_DESK))
    assert str(opening) == f"emergency access {opening.pk} (staff {opening.staff_id}, client {opening.client_id})"
