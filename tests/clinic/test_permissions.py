"""The permission table, and every role x every action x own/other clinic through the use cases."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from clinic.support import CLINIC_OK, Site, clearance_form, details, last_seq, rows_after, snapshot, summary
from needlewise.clinic.access.actor import Actor
from needlewise.clinic.accounts import clinic_settings, staff
from needlewise.clinic.accounts.clinic_settings import ClinicPage
from needlewise.clinic.audit import review as audit_review
from needlewise.clinic.clients import clients
from needlewise.clinic.consent import versions
from needlewise.clinic.intake import inbox
from needlewise.clinic.recall import use_cases as recall
from needlewise.clinic.records import plans, screenings
from needlewise.clinic.records.plans import PlanForm, PlanResult
from needlewise.clinic.scheduling import appointments
from needlewise.domain import permissions
from needlewise.domain.permissions import NEEDLE_SCOPE_MM, PERMISSIONS, Action, Role, allows, needs_second_factor
from needlewise.domain.vocabulary import Lang
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.errors import NotAllowedError, NotFoundError
from needlewise.storage.models import (
    Appointment,
    AuditEntry,
    Clearance,
    Client,
    Clinic,
    ConsentTemplate,
    ConsultationRequest,
    Screening,
    StaffMember,
)

# --- the table itself ---


def documented_table() -> dict[Role, set[Action]]:
    """The markdown table in the module docstring, read back."""
    header: list[str] = []
    table: dict[Role, set[Action]] = {role: set() for role in Role}
    for line in (permissions.__doc__ or "").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[0] == "action":
            header = cells[1:]
        elif header and cells[0] in {a.value for a in Action}:
            for role, mark in zip(header, cells[1:], strict=True):
                if mark == "x":
                    table[Role(role)].add(Action(cells[0]))
    return table


def test_the_documented_table_is_the_enforced_table():
    assert documented_table() == {role: set(actions) for role, actions in PERMISSIONS.items()}


def test_every_role_has_an_entry_and_viewing_clients_is_universal():
    assert set(PERMISSIONS) == set(Role)
    assert all(allows(role, Action.VIEW_CLIENTS) for role in Role)


@pytest.mark.parametrize(
    ("role", "action"),
    [
        (Role.OWNER, Action.SCREEN_CLIENTS),
        (Role.OWNER, Action.RECORD_CLEARANCE),
        (Role.NURSE, Action.RECORD_CLEARANCE),
        (Role.AESTHETICIAN, Action.MANAGE_INTAKE),
        (Role.FRONT_DESK, Action.VIEW_HEALTH),
        (Role.PROVIDER, Action.MANAGE_STAFF),
    ],
)
def test_allows_refuses_what_the_table_leaves_out(role, action):
    assert not allows(role, action)


def test_only_providers_record_clearances():
    assert [r for r in Role if allows(r, Action.RECORD_CLEARANCE)] == [Role.PROVIDER]


def test_second_factor_required_for_every_role_that_sees_health_data_and_the_front_desk():
    sees_health = {r for r in Role if allows(r, Action.VIEW_HEALTH)}
    assert sees_health == {Role.OWNER, Role.PROVIDER, Role.NURSE, Role.AESTHETICIAN}
    assert {r for r in Role if needs_second_factor(r)} == sees_health | {Role.FRONT_DESK} == set(Role)


def test_needle_scope():
    assert NEEDLE_SCOPE_MM[Role.AESTHETICIAN] == 0.5
    assert NEEDLE_SCOPE_MM[Role.PROVIDER] is None
    assert NEEDLE_SCOPE_MM[Role.NURSE] is None
    assert NEEDLE_SCOPE_MM[Role.FRONT_DESK] == 0.0
    assert set(NEEDLE_SCOPE_MM) == set(Role)


# --- actors ---


def test_actor_constructors():
    staff = Actor.staff(7, 3, Role.NURSE, "198.51.100.1", "r1")
    assert (staff.actor_id, staff.role, staff.clinic_id, staff.user_id, staff.ip) == (
        "user:7",
        Role.NURSE,
        3,
        7,
        "198.51.100.1",
    )
    assert staff.staff_user_id == 7
    assert staff.may(Action.SCREEN_CLIENTS)
    assert not staff.may(Action.RECORD_CLEARANCE)
    system = Actor.system("clinic-create")
    assert (system.actor_id, system.role, system.clinic_id) == ("system:clinic-create", None, None)
    anonymous = Actor.anonymous("192.0.2.1", "abc")
    assert (anonymous.actor_id, anonymous.ip, anonymous.request_id) == ("anonymous:abc", "192.0.2.1", "abc")


@pytest.mark.parametrize("actor", [Actor.system("x"), Actor.anonymous("192.0.2.1", "r")], ids=["system", "anonymous"])
def test_actors_without_a_clinic_may_nothing(actor):
    assert not any(actor.may(action) for action in Action)
    with pytest.raises(AssertionError):
        _ = actor.staff_user_id


def test_a_role_without_a_clinic_may_nothing():
    assert not Actor("user:1", Role.OWNER, None, 1).may(Action.VIEW_CLIENTS)


@pytest.mark.django_db
def test_system_actor_is_refused_and_the_refusal_is_audited():
    before = last_seq()
    with pytest.raises(NotAllowedError, match="your role may not edit clients"):
        clients.create(Actor.system("import"), details())
    [row] = rows_after(before)
    assert summary(row) == ("system:import", "", None, "edit_clients", "client", "", None, "denied")
    assert Client.objects.count() == 0


# --- the matrix: each action through a use case that needs it ---


@dataclass(frozen=True)
class Case:
    """How to exercise one action on a clinic's records, and what a success leaves behind."""

    call: Callable[[Actor, Site, KnowledgeBase], object]  # (actor, site whose record it aims at, kb)
    succeeded: Callable[[Site, object], None]
    object_type: str
    target_id: Callable[[Site], object] | None  # None: the action names no record, only the actor's clinic
    client_id: Callable[[Site], int | None] = lambda _site: None


def _same_client(site: Site, result: object) -> None:
    assert isinstance(result, Client)
    assert result.pk == site.client.pk


def _renamed(site: Site, result: object) -> None:
    assert isinstance(result, Client)
    assert Client.objects.get(pk=site.client.pk).given_name == "Renamed"


def _archived(site: Site, result: object) -> None:
    assert isinstance(result, Client)
    assert Client.objects.get(pk=site.client.pk).archived_at is not None


def _read_screening(site: Site, result: object) -> None:
    screening, body = result  # type: ignore[misc]
    assert screening.pk == site.stop.pk
    assert body["tier"] == "stop"


def _screened(site: Site, result: object) -> None:
    assert isinstance(result, Screening)
    assert Screening.objects.filter(client=site.client).count() == 3


def _cleared(site: Site, result: object) -> None:
    assert isinstance(result, Clearance)
    assert Clearance.objects.get(screening=site.stop).pk == result.pk


def _declined(site: Site, result: object) -> None:
    del result
    assert ConsultationRequest.objects.get(pk=site.request.pk).status == "declined"


def _deactivated(site: Site, result: object) -> None:
    del result
    assert not StaffMember.objects.get(pk=site.members[Role.FRONT_DESK].pk).user.is_active


def _page_changed(site: Site, result: object) -> None:
    del result
    assert Clinic.objects.get(pk=site.clinic.pk).name == "Renamed Clinic"


def _log_read(site: Site, result: object) -> None:
    assert isinstance(result, audit_review.AuditPage)
    assert result.entries
    assert {e.clinic_id for e in result.entries} == {site.clinic.pk}


def _consent_written(site: Site, result: object) -> None:
    assert isinstance(result, ConsentTemplate)
    assert (result.clinic_id, result.version) == (site.clinic.pk, 1)


def _recall_read(site: Site, result: object) -> None:
    assert isinstance(result, recall.RecallList)
    assert (result.key, result.sessions, result.clients) == ("LOT-NONE", 0, 0)
    del site


def _booked(site: Site, result: object) -> None:
    assert isinstance(result, Appointment)
    assert (result.client_id, result.clinic_id) == (site.client.pk, site.clinic.pk)


def _book(actor: Actor, target: Site) -> object:
    starts_at = timezone.now().replace(microsecond=0) + timedelta(days=2)
    nurse = target.members[Role.NURSE].user_id
    return appointments.book(actor, target.client.pk, nurse, starts_at, 60)


def _planned(site: Site, result: object) -> None:
    assert isinstance(result, PlanResult)
    assert (result.plan.client_id, result.plan.status) == (site.client.pk, "active")


CASES: dict[Action, Case] = {
    Action.VIEW_CLIENTS: Case(
        lambda actor, target, _kb: clients.get(actor, target.client.pk),
        _same_client,
        "client",
        lambda site: site.client.pk,
        lambda site: site.client.pk,
    ),
    Action.EDIT_CLIENTS: Case(
        lambda actor, target, _kb: clients.update(actor, target.client.pk, details(given_name="Renamed")),
        _renamed,
        "client",
        lambda site: site.client.pk,
        lambda site: site.client.pk,
    ),
    Action.ARCHIVE_CLIENTS: Case(
        lambda actor, target, _kb: clients.set_archived(actor, target.client.pk, archived=True),
        _archived,
        "client",
        lambda site: site.client.pk,
        lambda site: site.client.pk,
    ),
    Action.VIEW_HEALTH: Case(
        lambda actor, target, _kb: screenings.get(actor, target.stop.pk),
        _read_screening,
        "screening",
        lambda site: site.stop.pk,
    ),
    Action.SCREEN_CLIENTS: Case(
        lambda actor, target, kb: screenings.record(
            actor, client_id=target.client.pk, profile=CLINIC_OK, kb=kb, lang=Lang.EN
        ),
        _screened,
        "screening",
        lambda _site: "",
        lambda site: site.client.pk,
    ),
    Action.RECORD_CLEARANCE: Case(
        lambda actor, target, _kb: screenings.clear(actor, target.stop.pk, clearance_form(timezone.localdate())),
        _cleared,
        "clearance",
        lambda site: site.stop.pk,
    ),
    Action.MANAGE_INTAKE: Case(
        lambda actor, target, _kb: inbox.decline(actor, target.request.pk),
        _declined,
        "consultation_request",
        lambda site: site.request.pk,
    ),
    Action.MANAGE_STAFF: Case(
        lambda actor, target, _kb: staff.set_active(actor, target.members[Role.FRONT_DESK].pk, active=False),
        _deactivated,
        "staff",
        lambda site: site.members[Role.FRONT_DESK].pk,
    ),
    Action.EDIT_CLINIC_PAGE: Case(
        lambda actor, _target, _kb: clinic_settings.update_clinic(
            actor, ClinicPage("Renamed Clinic", "Gamma", "", accepts_requests=True)
        ),
        _page_changed,
        "clinic",
        None,
    ),
    Action.VIEW_AUDIT: Case(
        lambda actor, _target, _kb: audit_review.clinic_entries(actor),
        _log_read,
        "audit_log",
        None,
    ),
    Action.MANAGE_CONSENT: Case(
        lambda actor, _target, kb: versions.create_template(actor, intro_en="Welcome.", intro_es="Bienvenida.", kb=kb),
        _consent_written,
        "consent_template",
        None,
    ),
    Action.RECORD_TREATMENT: Case(
        lambda actor, target, kb: plans.create(
            actor, target.client.pk, PlanForm(("glow",), {"cheeks": Decimal("0.5")}, 3), kb
        ),
        _planned,
        "plan",
        lambda _site: "",
        lambda site: site.client.pk,
    ),
    Action.RUN_RECALL: Case(
        lambda actor, _target, _kb: recall.by_lot(actor, "LOT-NONE"),
        _recall_read,
        "recall",
        None,
    ),
    Action.MANAGE_SCHEDULE: Case(
        lambda actor, target, _kb: _book(actor, target),
        _booked,
        "appointment",
        lambda _site: "",
        lambda site: site.client.pk,
    ),
}


MATRIX = [
    pytest.param(role, action, where, id=f"{role.value}-{action.value}-{where}")
    for role in Role
    for action in Action
    for where in ("own", "other")
]


def test_every_action_has_a_case():
    assert set(CASES) == set(Action)


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "action", "where"), MATRIX)
def test_matrix(sites, kb, role, action, where):
    site_a, site_b = sites
    case = CASES[action]
    actor = site_a.actor(role)
    target = site_a if where == "own" else site_b
    before_rows, before_seq = snapshot(), last_seq()

    if not allows(role, action):
        with pytest.raises(NotAllowedError) as refused:
            case.call(actor, target, kb)
        assert refused.value.first.where == "(permission)"
        [row] = rows_after(before_seq)
        object_id = case.target_id(target) if case.target_id else ""
        client_id = case.client_id(target)
        assert summary(row) == (
            actor.actor_id,
            role.value,
            site_a.clinic.pk,
            action.value,
            case.object_type,
            str(object_id),
            client_id,
            "denied",
        )
        assert snapshot() == before_rows
        return

    if where == "own" or case.target_id is None:
        # Actions that name no record act on the actor's own clinic wherever they are aimed.
        result = case.call(actor, target, kb)
        case.succeeded(site_a, result)
        if where == "other":
            _untouched_by(site_b, before_rows, result)
        assert all(row.outcome == "success" for row in rows_after(before_seq))
        return

    with pytest.raises(NotFoundError) as missing:
        case.call(actor, target, kb)
    assert not any(name in str(missing.value) for name in site_b.names)
    assert snapshot() == before_rows
    assert not [row for row in rows_after(before_seq) if row.outcome == "success"]


def _untouched_by(other: Site, before: dict[str, list[dict[str, object]]], result: object) -> None:
    clinic_rows = [row for row in before["Clinic"] if row["id"] == other.clinic.pk]
    assert list(Clinic.objects.filter(pk=other.clinic.pk).values()) == clinic_rows
    if isinstance(result, audit_review.AuditPage):
        assert AuditEntry.objects.filter(clinic_id=other.clinic.pk).exists()
        assert other.clinic.pk not in {e.clinic_id for e in result.entries}


def test_matrix_ids_read_like_the_brief():
    assert "nurse-record_clearance-own" in {p.id for p in MATRIX}
    assert len(MATRIX) == len(Role) * len(Action) * 2
    assert all(re.fullmatch(r"[a-z_]+-[a-z_]+-(own|other)", p.id or "") for p in MATRIX)
