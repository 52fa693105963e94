"""Refusals that must leave a trace, and the chain check's wording for each kind of tampering."""

from __future__ import annotations

import pytest
from django.utils import timezone

from clinic.support import clearance_form, last_seq, rows_after
from needlewise.clinic.accounts import staff
from needlewise.clinic.audit import chain as audit_chain
from needlewise.clinic.audit import log as audit_log
from needlewise.clinic.audit import review as audit_review
from needlewise.clinic.clients import clients
from needlewise.clinic.intake import inbox
from needlewise.clinic.records import screenings
from needlewise.domain.permissions import Role
from needlewise.errors import ConflictError, NotAllowedError, NotFoundError
from needlewise.storage.audit_keys import audit_keys
from needlewise.storage.models import AuditEntry, AuditHead

pytestmark = pytest.mark.django_db


def test_guessing_another_clinics_ids_is_recorded_as_denied(sites, kb) -> None:
    site_a, site_b = sites
    outsider = site_b.actor(Role.PROVIDER)
    owner_b = site_b.actor(Role.OWNER)
    before = last_seq()
    attempts = [
        (lambda: clients.get(outsider, site_a.client.pk), "client", site_a.client.pk),
        (lambda: screenings.client_record(outsider, site_a.client.pk), "client", site_a.client.pk),
        (lambda: screenings.get(outsider, site_a.stop.pk), "screening", site_a.stop.pk),
        (lambda: inbox.accept(outsider, site_a.request.pk, kb), "consultation_request", site_a.request.pk),
        (lambda: staff.reset_second_factor(owner_b, site_a.members[Role.NURSE].pk), "staff", None),
    ]
    for attempt, _, _ in attempts:
        with pytest.raises(NotFoundError):
            attempt()
    rows = rows_after(before)
    assert [(r.action, r.object_type, r.outcome) for r in rows] == [
        ("not_found", kind, "denied") for _, kind, _ in attempts
    ]
    assert rows[0].object_id == str(site_a.client.pk)
    assert {r.clinic_id for r in rows} == {site_b.clinic.pk}


def test_a_screening_by_keyword_id_is_recorded_too(sites, kb) -> None:
    site_a, site_b = sites
    before = last_seq()
    with pytest.raises(NotFoundError):
        screenings.record(
            site_b.actor(Role.NURSE),
            client_id=site_a.client.pk,
            profile={"setting": "clinic", "age": 30},
            kb=kb,
            lang=screenings.Lang.EN,
        )
    [row] = rows_after(before)
    assert (row.action, row.object_id) == ("not_found", str(site_a.client.pk))


def test_export_refuses_before_any_row_is_produced(site_a) -> None:
    with pytest.raises(NotAllowedError):
        audit_review.export_csv(site_a.actor(Role.NURSE))  # not iterated: the refusal comes at the call


def test_listing_staff_is_recorded(site_a) -> None:
    before = last_seq()
    members = staff.staff_list(site_a.actor(Role.OWNER))
    [row] = rows_after(before)
    assert (row.action, row.object_type) == ("search", "staff")
    assert row.detail == {"shown": [m.pk for m in members]}


def test_an_archived_clients_result_cannot_be_cleared(site_a) -> None:
    clients.set_archived(site_a.actor(Role.OWNER), site_a.client.pk, archived=True)
    with pytest.raises(ConflictError, match="archived"):
        screenings.clear(site_a.actor(Role.PROVIDER), site_a.stop.pk, clearance_form(timezone.localdate()))


def test_slugs_never_end_in_a_hyphen() -> None:
    member = staff.create_clinic(
        name="a" * 49 + " b",
        city="C",
        owner_email="o@slug.example.org",
        owner_name="O",
        owner_password="a long owner passphrase 1987",  # noqa: S106 - a test account
    )
    assert member.clinic.slug == "a" * 49


@pytest.mark.usefixtures("site_a")
def test_a_row_appended_behind_the_applications_back_is_named() -> None:
    head = AuditHead.objects.exclude(chain__lt=1).first()
    assert head is not None
    last = AuditEntry.objects.get(chain=head.chain, seq=head.seq)
    extra = AuditEntry(
        chain=head.chain,
        key_id=last.key_id,
        seq=head.seq + 1,
        at=last.at,
        actor="x",
        actor_role="",
        action="read",
        object_type="client",
        outcome="success",
        prev_hash=last.hash,
    )
    extra.hash = audit_log.keyed_hash(audit_keys()[1][last.key_id], extra)  # a well-formed row, head not moved
    extra.save()
    report = audit_chain.verify()
    assert (report.ok, report.broken_chain, report.broken_at) == (False, head.chain, head.seq + 1)
    assert report.reason == f"rows after {head.seq} were added outside the application"
