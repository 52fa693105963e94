"""The client page finds the latest result's clearance even when many later clearances crowd it out."""

from __future__ import annotations

import pytest
from django.utils import timezone

from clinic.support import CLINIC_STOP, Site, clearance_form
from needlewise.clinic.records import screenings
from needlewise.domain.permissions import Role
from needlewise.domain.vocabulary import Lang
from needlewise.storage.models import Clearance

pytestmark = pytest.mark.django_db


def test_a_clearance_older_than_the_twenty_shown_still_counts(site_a: Site, kb) -> None:
    provider = site_a.actor(Role.PROVIDER)
    today = timezone.localdate()
    older = screenings.record(provider, client_id=site_a.client.pk, profile=CLINIC_STOP, kb=kb, lang=Lang.EN)
    latest = screenings.record(provider, client_id=site_a.client.pk, profile=CLINIC_STOP, kb=kb, lang=Lang.EN)
    cleared = screenings.clear(provider, latest.pk, clearance_form(today))
    for _ in range(screenings.CLEARANCE_LIMIT):  # later clearances of an older result fill the page
        screenings.clear(provider, older.pk, clearance_form(today))
    record = screenings.client_record(provider, site_a.client.pk)
    assert len(record.clearances) == screenings.CLEARANCE_LIMIT
    assert cleared.pk not in {c.pk for c in record.clearances}
    assert record.status is not None
    assert record.status.clearance == Clearance.objects.get(pk=cleared.pk)
    assert not record.status.blocked
