"""Tenant isolation: clinic B's staff guessing clinic A's ids get "not found", never A's data."""

from __future__ import annotations

import csv
import io

import pytest
from django.utils import timezone

from clinic.support import CLINIC_OK, CLINIC_STOP, clearance_form, details, snapshot
from needlewise.clinic.accounts import staff
from needlewise.clinic.audit import review as audit_review
from needlewise.clinic.clients import clients
from needlewise.clinic.clients.clients import SearchQuery
from needlewise.clinic.followup import rescreen
from needlewise.clinic.intake import inbox
from needlewise.clinic.records import screenings
from needlewise.domain.permissions import Role
from needlewise.domain.vocabulary import Lang
from needlewise.errors import NotFoundError
from needlewise.storage.models import Screening

pytestmark = pytest.mark.django_db

# Each guess: (role in clinic B, what B's staff member tries on clinic A's site).
GUESSES = {
    "get_client": (Role.FRONT_DESK, lambda b, a, _kb: clients.get(b, a.client.pk)),
    "update_client": (Role.FRONT_DESK, lambda b, a, _kb: clients.update(b, a.client.pk, details(given_name="Mallory"))),
    "archive_client": (Role.PROVIDER, lambda b, a, _kb: clients.set_archived(b, a.client.pk, archived=True)),
    "restore_client": (Role.OWNER, lambda b, a, _kb: clients.set_archived(b, a.client.pk, archived=False)),
    "client_record": (Role.PROVIDER, lambda b, a, _kb: screenings.client_record(b, a.client.pk)),
    "client_record_front_desk": (Role.FRONT_DESK, lambda b, a, _kb: screenings.client_record(b, a.client.pk)),
    "screen_client": (
        Role.NURSE,
        lambda b, a, kb: screenings.record(b, client_id=a.client.pk, profile=CLINIC_OK, kb=kb, lang=Lang.EN),
    ),
    "read_screening": (Role.AESTHETICIAN, lambda b, a, _kb: screenings.get(b, a.stop.pk)),
    "read_other_screening": (Role.PROVIDER, lambda b, a, _kb: screenings.get(b, a.ok.pk)),
    "clear_screening": (
        Role.PROVIDER,
        lambda b, a, _kb: screenings.clear(b, a.stop.pk, clearance_form(timezone.localdate())),
    ),
    "read_request": (Role.NURSE, lambda b, a, _kb: inbox.get(b, a.request.pk)),
    "accept_request": (Role.NURSE, lambda b, a, kb: inbox.accept(b, a.request.pk, kb)),
    "decline_request": (Role.PROVIDER, lambda b, a, _kb: inbox.decline(b, a.request.pk)),
    "deactivate_staff": (Role.OWNER, lambda b, a, _kb: staff.set_active(b, a.members[Role.NURSE].pk, active=False)),
    "reactivate_staff": (Role.OWNER, lambda b, a, _kb: staff.set_active(b, a.members[Role.NURSE].pk, active=True)),
}


@pytest.mark.parametrize("guess", GUESSES)
def test_other_clinics_records_are_not_found(sites, kb, guess):
    site_a, site_b = sites
    role, attempt = GUESSES[guess]
    before = snapshot()
    with pytest.raises(NotFoundError) as missing:
        attempt(site_b.actor(role), site_a, kb)
    assert not any(name.casefold() in str(missing.value).casefold() for name in site_a.names)
    assert snapshot() == before


def test_guessing_every_id_near_clinic_a_finds_nothing(sites):
    site_a, site_b = sites
    provider = site_b.actor(Role.PROVIDER)
    for client_id in range(site_a.client.pk - 2, site_a.client.pk + 3):
        if client_id != site_b.client.pk:
            with pytest.raises(NotFoundError):
                clients.get(provider, client_id)
    for screening_id in Screening.objects.filter(clinic=site_a.clinic).values_list("pk", flat=True):
        with pytest.raises(NotFoundError):
            screenings.get(provider, screening_id)


def test_search_never_shows_other_clinics_clients(sites):
    site_a, site_b = sites
    front_desk = site_b.actor(Role.FRONT_DESK)
    assert clients.search(front_desk, SearchQuery(text="Zephyrine")) == []
    assert clients.search(front_desk, SearchQuery(text="quix", include_archived=True)) == []
    assert clients.search(front_desk, SearchQuery(birth_date=site_a.client.birth_date)) == [site_b.client]
    assert clients.search(front_desk, SearchQuery(phone=site_a.client.phone)) == [site_b.client]
    assert clients.search(front_desk, SearchQuery()) == [site_b.client]
    # ...while clinic A's own staff do find them.
    assert clients.search(site_a.actor(Role.FRONT_DESK), SearchQuery(text="Zephyrine")) == [site_a.client]


def test_queues_reports_and_logs_are_per_clinic(sites, kb):
    site_a, site_b = sites
    assert inbox.queue(site_b.actor(Role.NURSE)) == [site_b.request]
    Screening.objects.filter(clinic=site_a.clinic).update(kb_hash="sha256:old", tier="home_ok")
    assert rescreen.report(site_b.actor(Role.PROVIDER), kb).outdated == 0
    assert [r.client for r in rescreen.report(site_a.actor(Role.PROVIDER), kb).higher] == [site_a.client]
    log = audit_review.clinic_entries(site_b.actor(Role.OWNER))
    assert {e.clinic_id for e in log.entries} == {site_b.clinic.pk}
    assert not audit_review.clinic_entries(site_b.actor(Role.OWNER), client_id=site_a.client.pk).entries
    exported = list(csv.DictReader(io.StringIO("".join(audit_review.export_csv(site_b.actor(Role.OWNER))))))
    assert {row["clinic_id"] for row in exported} == {str(site_b.clinic.pk)}
    assert [m.pk for m in staff.staff_list(site_b.actor(Role.OWNER))] == [m.pk for m in site_b.members.values()]


def test_a_screening_of_the_own_clinic_still_works_after_failed_guesses(sites, kb):
    site_a, site_b = sites
    nurse_b = site_b.actor(Role.NURSE)
    with pytest.raises(NotFoundError):
        screenings.record(nurse_b, client_id=site_a.client.pk, profile=CLINIC_STOP, kb=kb, lang=Lang.EN)
    screening = screenings.record(nurse_b, client_id=site_b.client.pk, profile=CLINIC_STOP, kb=kb, lang=Lang.EN)
    assert screening.clinic_id == site_b.clinic.pk
