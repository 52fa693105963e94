"""A clinic screening starts from the client on file: their age on the clinic's day, the read recorded."""

from __future__ import annotations

from datetime import date

import pytest

from clinic_factories import Site, actor_for
from needlewise.clinic.records import screening_start
from needlewise.domain.permissions import Role
from needlewise.errors import NotAllowedError, NotFoundError
from needlewise.storage.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("birth", "today", "age"),
    [
        (date(1990, 5, 17), date(2026, 5, 16), 35),
        (date(1990, 5, 17), date(2026, 5, 17), 36),
        (date(2000, 2, 29), date(2026, 2, 28), 25),
        (date(2000, 2, 29), date(2026, 3, 1), 26),
        (date(2026, 1, 1), date(2026, 12, 31), 0),
    ],
)
def test_the_age_is_whole_years_on_the_day(birth: date, today: date, age: int) -> None:
    assert screening_start.age_on(birth, today) == age


def test_a_nurse_starts_a_screening_and_the_read_is_audited(site_a: Site) -> None:
    before = AuditEntry.objects.count()
    started = screening_start.start(actor_for(site_a.members[Role.NURSE]), site_a.client.pk)
    assert started.client.pk == site_a.client.pk
    assert 0 < started.age < 120
    assert AuditEntry.objects.count() == before + 1


def test_the_front_desk_does_not_screen_and_another_clinic_sees_nothing(site_a: Site, site_b: Site) -> None:
    with pytest.raises(NotAllowedError):
        screening_start.start(actor_for(site_a.members[Role.FRONT_DESK]), site_a.client.pk)
    with pytest.raises(NotFoundError):
        screening_start.start(actor_for(site_b.members[Role.NURSE]), site_a.client.pk)
