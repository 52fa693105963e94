"""The audit log: the rows each use case writes, no names in them, the hash chain and its tamper checks."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pyotp
import pytest
import time_machine
from django.utils import timezone

from clinic.support import (
    CLINIC_REVIEW,
    CLINIC_STOP,
    HOME_CLINIC,
    PASSWORD,
    Site,
    clearance_form,
    details,
    expected,
    last_seq,
    request_form,
    rows_after,
    summary,
)
from needlewise.clinic.access.actor import Actor
from needlewise.clinic.accounts import clinic_settings, staff
from needlewise.clinic.accounts.clinic_settings import ClinicPage
from needlewise.clinic.accounts.staff import NewStaff
from needlewise.clinic.audit import log as audit_log
from needlewise.clinic.audit import review as audit_review
from needlewise.clinic.clients import clients
from needlewise.clinic.clients.clients import SearchQuery
from needlewise.clinic.followup import rescreen
from needlewise.clinic.intake import inbox, public
from needlewise.clinic.records import record_digests, screenings
from needlewise.clinic.sign_in import lockout, second_factor
from needlewise.domain import permissions
from needlewise.domain.permissions import Action, Role
from needlewise.domain.vocabulary import Lang
from needlewise.errors import NotAllowedError
from needlewise.storage.models import AuditEntry, Clinic, Screening

pytestmark = pytest.mark.django_db


def written(before: int) -> list[tuple[object, ...]]:
    return [summary(row) for row in rows_after(before)]


def details_after(before: int) -> list[object]:
    return [row.detail for row in rows_after(before)]


# --- what each use case writes ---


def test_create_clinic_writes_the_clinic_and_its_owner():
    before = last_seq()
    owner = staff.create_clinic(
        name="Delta",
        city="Derby",
        owner_email="o@delta.example.org",
        owner_name="Dee",
        owner_password=PASSWORD,
    )
    system = Actor.system("clinic-create")
    assert written(before) == [
        expected(system, "create", "clinic", owner.clinic_id, clinic_id=owner.clinic_id),
        expected(system, "create", "staff", owner.pk, clinic_id=owner.clinic_id),
    ]
    assert details_after(before) == [{}, {"role": "owner"}]


def test_add_staff_set_active_and_update_clinic(site_a):
    owner = site_a.actor(Role.OWNER)
    before = last_seq()
    member = staff.add_staff(owner, NewStaff("new@alpha.example.org", "New Nurse", Role.NURSE))
    staff.set_active(owner, member.pk, active=False)
    staff.set_active(owner, member.pk, active=True)
    clinic_settings.update_clinic(owner, ClinicPage("Alpha", "Aston", "Needling", accepts_requests=False))
    assert written(before) == [
        expected(owner, "create", "staff", member.pk),
        expected(owner, "update", "staff", member.pk),
        expected(owner, "update", "staff", member.pk),
        expected(owner, "update", "clinic", site_a.clinic.pk),
    ]
    assert details_after(before) == [{"role": "nurse"}, {"active": False}, {"active": True}, {}]


def test_enrol_totp_is_recorded_as_the_member_themselves(site_a):
    member = site_a.members[Role.PROVIDER]
    secret = second_factor.new_totp_secret()
    before = last_seq()
    assert second_factor.enrol_totp(member, secret, pyotp.TOTP(secret).now())
    assert written(before) == [expected(site_a.actor(Role.PROVIDER), "update", "staff", member.pk)]
    assert details_after(before) == [{"second_factor": "enrolled", "recovery_codes": 10}]
    assert secret not in json.dumps([row.detail for row in AuditEntry.objects.all()])


def test_failed_sign_in_is_recorded_anonymously_with_address_and_request():
    before = last_seq()
    lockout.record_failure("Someone@Example.org", "198.51.100.7", "req-42", "password")
    [row] = rows_after(before)
    assert summary(row) == ("anonymous:req-42", "", None, "sign_in", "session", "", None, "failed")
    assert (row.ip, row.request_id, row.detail) == ("198.51.100.7", "req-42", {"stage": "password"})
    assert "someone" not in json.dumps(row.detail).casefold()


def test_client_use_cases(site_a):
    desk, provider = site_a.actor(Role.FRONT_DESK), site_a.actor(Role.PROVIDER)
    before = last_seq()
    client = clients.create(desk, details())
    clients.get(desk, client.pk)
    clients.update(desk, client.pk, details(contact_notes="prefers mornings"))
    clients.set_archived(provider, client.pk, archived=True)
    clients.set_archived(provider, client.pk, archived=False)
    found = clients.search(desk, SearchQuery(text="ada"))
    pk = client.pk
    assert written(before) == [
        expected(desk, "create", "client", pk, client_id=pk),
        expected(desk, "read", "client", pk, client_id=pk),
        expected(desk, "update", "client", pk, client_id=pk),
        expected(provider, "archive", "client", pk, client_id=pk),
        expected(provider, "restore", "client", pk, client_id=pk),
        expected(desk, "search", "client"),
    ]
    assert details_after(before)[-1] == {"shown": [c.pk for c in found]} == {"shown": [pk]}


def test_screening_use_cases(site_a, kb):
    nurse, provider, desk = (site_a.actor(r) for r in (Role.NURSE, Role.PROVIDER, Role.FRONT_DESK))
    pk = site_a.client.pk
    before = last_seq()
    screening = screenings.record(nurse, client_id=pk, profile=CLINIC_REVIEW, kb=kb, lang=Lang.EN)
    screenings.client_record(nurse, pk)
    screenings.client_record(desk, pk)
    screenings.get(provider, screening.pk)
    today = timezone.localdate()
    clearance = screenings.clear(provider, screening.pk, clearance_form(today))
    assert written(before) == [
        expected(nurse, "create", "screening", screening.pk, client_id=pk),
        expected(nurse, "read", "client", pk, client_id=pk),
        expected(desk, "read", "client", pk, client_id=pk),
        expected(provider, "read", "screening", screening.pk, client_id=pk),
        expected(provider, "create", "clearance", clearance.pk, client_id=pk),
    ]
    assert details_after(before) == [
        {"tier": "medical_review", "digest": record_digests.screening_digest(screening.pk)},
        {"health": True},
        {},
        {},
        {"screening": screening.pk, "expires_on": (today + timedelta(days=90)).isoformat()},
    ]


def test_intake_use_cases(site_a, kb):
    nurse = site_a.actor(Role.NURSE)
    anonymous = Actor.anonymous("192.0.2.10", "req-7")
    before = last_seq()
    request = public.submit(
        anonymous, site_a.clinic.slug, profile=HOME_CLINIC, form=request_form(), kb=kb, lang=Lang.EN
    )
    shown = inbox.queue(nurse)
    inbox.get(nurse, request.pk)
    client = inbox.accept(nurse, request.pk, kb)
    screening = Screening.objects.get(client=client)
    inbox.get(nurse, request.pk)
    inbox.decline(nurse, site_a.request.pk)
    assert written(before) == [
        expected(anonymous, "create", "consultation_request", request.pk, clinic_id=site_a.clinic.pk),
        expected(nurse, "search", "consultation_request"),
        expected(nurse, "read", "consultation_request", request.pk),
        expected(nurse, "create", "client", client.pk, client_id=client.pk),
        expected(nurse, "create", "screening", screening.pk, client_id=client.pk),
        expected(nurse, "update", "consultation_request", request.pk, client_id=client.pk),
        expected(nurse, "read", "consultation_request", request.pk, client_id=client.pk),
        expected(nurse, "update", "consultation_request", site_a.request.pk),
    ]
    assert details_after(before) == [
        {},
        {"shown": [r.pk for r in shown]},
        {},
        {"from_request": request.pk},
        {"tier": screening.tier, "digest": record_digests.screening_digest(screening.pk)},
        {"status": "accepted"},
        {},
        {"status": "declined"},
    ]
    assert rows_after(before)[0].ip == "192.0.2.10"


def test_rescreen_and_log_reads(site_a, kb):
    provider, owner = site_a.actor(Role.PROVIDER), site_a.actor(Role.OWNER)
    Screening.objects.filter(pk=site_a.stop.pk).update(kb_hash="sha256:old", tier="home_ok")
    before = last_seq()
    rescreen.report(provider, kb)
    audit_review.clinic_entries(owner, before=2)
    list(audit_review.export_csv(owner))
    assert written(before) == [
        expected(provider, "read", "rescreen"),
        expected(owner, "read", "audit_log"),
        expected(owner, "export", "audit_log"),
    ]
    assert details_after(before) == [{"outdated": 1, "higher": 1}, {"before": 2}, {}]


def test_actor_address_and_request_id_are_recorded(site_a):
    member = site_a.members[Role.FRONT_DESK]
    actor = Actor.staff(member.user_id, member.clinic_id, Role.FRONT_DESK, "2001:db8::1", "abc123")
    before = last_seq()
    clients.get(actor, site_a.client.pk)
    [row] = rows_after(before)
    assert (row.ip, row.request_id) == ("2001:db8::1", "abc123")


def test_a_denial_is_recorded_even_though_the_call_fails(site_a):
    before = last_seq()
    with pytest.raises(NotAllowedError, match="your role may not view audit"):
        audit_review.clinic_entries(site_a.actor(Role.PROVIDER))
    with pytest.raises(NotAllowedError):
        list(audit_review.export_csv(site_a.actor(Role.NURSE)))
    assert [(row.action, row.object_type, row.outcome) for row in rows_after(before)] == [
        ("view_audit", "audit_log", "denied"),
        ("view_audit", "audit_log", "denied"),
    ]


# --- no names, no answers ---


def test_rows_never_hold_names_contact_details_or_answers(site_a, kb):
    nurse, desk = site_a.actor(Role.NURSE), site_a.actor(Role.FRONT_DESK)
    client = clients.create(
        desk, details(given_name="Philomena", family_name="Cunegonde", phone="555 867 5309", contact_notes="needle-shy")
    )
    clients.search(desk, SearchQuery(text="philomena cune"))
    clients.update(desk, client.pk, details(given_name="Philomena", family_name="Cunegonde-Smythe"))
    screenings.record(nurse, client_id=client.pk, profile=CLINIC_STOP, kb=kb, lang=Lang.EN)
    screenings.record(nurse, client_id=client.pk, profile=CLINIC_REVIEW, kb=kb, lang=Lang.EN)
    request = public.submit(
        Actor.anonymous("192.0.2.1", "r"),
        site_a.clinic.slug,
        profile=HOME_CLINIC,
        form=request_form(given_name="Gwendolyn", family_name="Fairfax", message="about my acne scars"),
        kb=kb,
        lang=Lang.EN,
    )
    inbox.accept(nurse, request.pk, kb)
    everything = json.dumps(list(AuditEntry.objects.values()), default=str).casefold()
    secrets = ["philomena", "cunegonde", "8675309", "867 5309", "needle-shy", "gwendolyn", "fairfax", "acne"]
    secrets += ["zephyrine", "quixotelle", "otto@example.org", "ada@example.org", "pregnan", "keloid"]
    assert [s for s in secrets if s in everything] == []


# --- the owner's views ---


def fill_log(site: Site, rows: int) -> None:
    owner = site.actor(Role.OWNER)
    for n in range(rows):
        audit_log.record(owner, "read", "client", n, client_id=site.client.pk if n % 2 else None)


def clinic_seqs(clinic: Clinic) -> list[int]:
    return list(AuditEntry.objects.filter(clinic_id=clinic.pk).order_by("-pk").values_list("pk", flat=True))


def test_clinic_entries_pages_newest_first(sites):
    site_a, site_b = sites
    fill_log(site_a, 150 - AuditEntry.objects.filter(clinic_id=site_a.clinic.pk).count())
    owner = site_a.actor(Role.OWNER)
    seqs = clinic_seqs(site_a.clinic)
    first = audit_review.clinic_entries(owner)
    assert [e.pk for e in first.entries] == seqs[:100]
    assert (first.before, first.older) == (None, seqs[99])
    second = audit_review.clinic_entries(owner, before=first.older)
    assert [e.pk for e in second.entries] == seqs[100:150]
    assert second.older is None
    assert site_b.clinic.pk not in {e.clinic_id for e in first.entries + second.entries}


def test_consecutive_pages_show_each_row_once(site_a):
    fill_log(site_a, 150)
    owner = site_a.actor(Role.OWNER)
    first = audit_review.clinic_entries(owner)
    second = audit_review.clinic_entries(owner, before=first.older)
    assert not {e.pk for e in first.entries} & {e.pk for e in second.entries}
    assert len(first.entries) == 100


def test_clinic_entries_for_one_client(site_a):
    fill_log(site_a, 10)
    page = audit_review.clinic_entries(site_a.actor(Role.OWNER), client_id=site_a.client.pk)
    assert page.entries
    assert {e.client_id for e in page.entries} == {site_a.client.pk}
    in_db = AuditEntry.objects.filter(clinic_id=site_a.clinic.pk, client_id=site_a.client.pk).count()
    assert len(page.entries) == in_db


def test_export_csv_is_the_own_clinics_rows_oldest_first(sites):
    site_a, site_b = sites
    owner = site_a.actor(Role.OWNER)
    chunks = list(audit_review.export_csv(owner))
    assert chunks[0] == ",".join(audit_log.EXPORT_FIELDS) + "\r\n"
    table = list(csv.reader(io.StringIO("".join(chunks))))
    assert tuple(table[0]) == audit_log.EXPORT_FIELDS
    rows = [dict(zip(audit_log.EXPORT_FIELDS, row, strict=True)) for row in table[1:]]
    in_db = list(AuditEntry.objects.filter(clinic_id=site_a.clinic.pk).order_by("seq"))
    assert [int(r["seq"]) for r in rows] == [e.seq for e in in_db]
    assert {r["clinic_id"] for r in rows} == {str(site_a.clinic.pk)}
    assert rows[-1]["action"] == "export"  # the export is recorded before it is read
    for row, entry in zip(rows, in_db, strict=True):
        assert row["hash"] == entry.hash
        assert row["prev_hash"] == entry.prev_hash
        assert row["client_id"] == ("" if entry.client_id is None else str(entry.client_id))
        assert json.loads(row["detail"]) == entry.detail
        assert datetime.fromisoformat(row["at"]) == entry.at
    assert AuditEntry.objects.filter(clinic_id=site_b.clinic.pk).exists()  # B has rows; none were exported


def test_export_csv_since(site_a):
    owner = site_a.actor(Role.OWNER)
    with time_machine.travel(datetime(2031, 3, 1, 9, 0, tzinfo=UTC), tick=False):
        fill_log(site_a, 3)
    with time_machine.travel(datetime(2031, 3, 2, 9, 0, tzinfo=UTC), tick=False):
        fill_log(site_a, 2)
        table = list(
            csv.reader(io.StringIO("".join(audit_review.export_csv(owner, since=datetime(2031, 3, 2, tzinfo=UTC)))))
        )
    assert [row[5] for row in table[1:]] == ["read", "read", "export"]
    assert {row[1] for row in table[1:]} == {"2031-03-02T09:00:00+00:00"}


def test_a_request_id_and_address_of_an_anonymous_submit_reach_the_export(site_a):
    owner = site_a.actor(Role.OWNER)
    table = list(csv.DictReader(io.StringIO("".join(audit_review.export_csv(owner)))))
    submitted = [r for r in table if r["object_type"] == "consultation_request"]
    assert [(r["actor"], r["ip"], r["request_id"]) for r in submitted] == [
        ("anonymous:req-alpha", "203.0.113.9", "req-alpha")
    ]


# --- filters and names on the owner's view ---


def test_clinic_entries_filter_by_person_action_client_and_days(site_a, site_b):
    Clinic.objects.filter(pk=site_a.clinic.pk).update(time_zone="UTC")  # the site's clinic is in Madrid
    owner, nurse = site_a.actor(Role.OWNER), site_a.actor(Role.NURSE)
    client_id = site_a.client.pk
    with time_machine.travel(datetime(2031, 3, 1, 23, 30, tzinfo=UTC), tick=False):
        audit_log.record(nurse, "read", "client", client_id, client_id=client_id)
        audit_log.record(site_b.actor(Role.NURSE), "read", "client", 1, client_id=client_id)  # another clinic
    with time_machine.travel(datetime(2031, 3, 2, 0, 30, tzinfo=UTC), tick=False):
        audit_log.record(nurse, "update", "client", client_id, client_id=client_id)
        audit_log.record(owner, "read", "client", client_id, client_id=client_id)
    with time_machine.travel(datetime(2031, 3, 4, 8, 0, tzinfo=UTC), tick=False):
        audit_log.record(nurse, "read", "screening", 9)

    def shown(**where: object) -> list[tuple[str, str, str]]:
        page = audit_review.clinic_entries(owner, where=audit_review.AuditFilter(**where))
        return [(e.actor, e.action, e.object_type) for e in page.entries if e.object_type != "audit_log"]

    nurse_id, owner_id = nurse.actor_id, owner.actor_id
    assert shown(person=nurse_id, client_id=client_id, first_day=date(2031, 1, 1)) == [
        (nurse_id, "update", "client"),
        (nurse_id, "read", "client"),
    ]
    assert shown(action=" update ") == [(nurse_id, "update", "client")]
    assert shown(first_day=date(2031, 3, 2), last_day=date(2031, 3, 2)) == [
        (owner_id, "read", "client"),
        (nurse_id, "update", "client"),
    ]  # UTC days: 23:30 on the 1st is the day before, 08:00 on the 4th after
    assert shown(first_day=date(2031, 3, 3)) == [(nurse_id, "read", "screening")]
    assert shown(person="user:0") == []
    seq = last_seq()
    audit_review.clinic_entries(owner, where=audit_review.AuditFilter(action="read", client_id=client_id))
    (row,) = rows_after(seq)
    assert row.detail == {"before": None, "action": "read", "client": client_id}


def test_the_export_takes_the_same_filter_and_records_it(site_a):
    owner, nurse = site_a.actor(Role.OWNER), site_a.actor(Role.NURSE)
    with time_machine.travel(datetime(2031, 3, 2, 9, 0, tzinfo=UTC), tick=False):
        audit_log.record(nurse, "read", "client", 1)
        audit_log.record(owner, "read", "client", 2)
    where = audit_review.AuditFilter(person=nurse.actor_id, first_day=date(2031, 3, 2), last_day=date(2031, 3, 2))
    table = list(csv.DictReader(io.StringIO("".join(audit_review.export_csv(owner, where=where)))))
    assert [(r["actor"], r["object_id"]) for r in table] == [(nurse.actor_id, "1")]
    export = AuditEntry.objects.filter(action="export", object_type="audit_log").get()
    assert export.detail == {"person": nurse.actor_id, "from": "2031-03-02", "to": "2031-03-02"}


def test_the_owner_sees_staff_and_client_names_beside_the_ids(site_a, site_b):
    owner = site_a.actor(Role.OWNER)
    audit_log.record(owner, "read", "client", site_a.client.pk, client_id=site_a.client.pk)
    audit_log.record(owner, "read", "client", site_b.client.pk, client_id=site_b.client.pk)  # a stray id
    page = audit_review.clinic_entries(owner)
    nurse = site_a.members[Role.NURSE]
    assert page.staff[f"user:{nurse.user_id}"] == nurse.display_name
    assert set(page.staff) == {f"user:{m.user_id}" for m in site_a.members.values()}
    client = site_a.client
    assert page.clients == {client.pk: f"{client.family_name}, {client.given_name}"}  # never another clinic's


def test_names_are_shown_only_to_roles_allowed_to_see_them(site_a, monkeypatch):
    owner = site_a.actor(Role.OWNER)
    audit_log.record(owner, "read", "client", site_a.client.pk, client_id=site_a.client.pk)
    table = dict(permissions.PERMISSIONS)
    table[Role.OWNER] = frozenset({Action.VIEW_AUDIT})  # an auditor who may not see staff or clients
    monkeypatch.setattr(permissions, "PERMISSIONS", table)
    page = audit_review.clinic_entries(owner)
    assert page.entries
    assert (page.staff, page.clients) == ({}, {})
    table[Role.OWNER] = frozenset({Action.VIEW_AUDIT, Action.VIEW_CLIENTS})
    page = audit_review.clinic_entries(owner)
    assert (page.staff, list(page.clients)) == ({}, [site_a.client.pk])


def test_a_page_without_clients_reads_no_client_names(site_a):
    owner = site_a.actor(Role.OWNER)
    where = audit_review.AuditFilter(action="no-such-action")
    assert audit_review.clinic_entries(owner, where=where).clients == {}


def test_day_start_is_midnight_in_the_zone():
    assert audit_review.day_start(date(2031, 3, 2)) == datetime(2031, 3, 2, tzinfo=UTC)
    madrid = audit_review.day_start(date(2031, 7, 2), ZoneInfo("Europe/Madrid"))
    assert madrid == datetime(2031, 7, 1, 22, tzinfo=UTC)  # summer time: UTC+2


def test_the_days_are_the_clinics_own(site_a):
    Clinic.objects.filter(pk=site_a.clinic.pk).update(time_zone="Europe/Madrid")  # UTC+1 in March
    owner, nurse = site_a.actor(Role.OWNER), site_a.actor(Role.NURSE)
    with time_machine.travel(datetime(2031, 3, 1, 23, 30, tzinfo=UTC), tick=False):  # 00:30 on the 2nd in Madrid
        audit_log.record(nurse, "read", "probe", 1)
    with time_machine.travel(datetime(2031, 3, 2, 23, 30, tzinfo=UTC), tick=False):  # 00:30 on the 3rd in Madrid
        audit_log.record(nurse, "read", "probe", 2)
    where = audit_review.AuditFilter(
        person=nurse.actor_id, action="read", first_day=date(2031, 3, 2), last_day=date(2031, 3, 2)
    )
    assert [e.object_id for e in audit_review.clinic_entries(owner, where=where).entries] == ["1"]
    table = list(csv.DictReader(io.StringIO("".join(audit_review.export_csv(owner, where=where)))))
    assert [r["object_id"] for r in table] == ["1"]
    until = audit_review.AuditFilter(person=nurse.actor_id, last_day=date(2031, 3, 2))
    probes = [e.object_id for e in audit_review.clinic_entries(owner, where=until).entries if e.object_type == "probe"]
    assert probes == ["1"]  # not 2: 00:30 on the 3rd in Madrid


@pytest.mark.parametrize("name", ["Nowhere/Atlantis", "../etc", ""])
def test_a_time_zone_python_does_not_know_counts_days_in_utc(site_a, name):
    Clinic.objects.filter(pk=site_a.clinic.pk).update(time_zone=name)
    zone = audit_review.clinic_zone(site_a.clinic.pk)
    assert audit_review.day_start(date(2031, 7, 1), zone) == datetime(2031, 7, 1, tzinfo=UTC)
