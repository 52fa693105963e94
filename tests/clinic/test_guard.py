"""One guarded path into clinic records: every use case carries the guard, each access function keeps to its clinic."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

import needlewise.clinic
from clinic.followup_support import checkin_of, consent_row, session_row
from clinic.support import last_seq, rows_after
from needlewise.clinic.access import tenancy
from needlewise.clinic.access.actor import Actor
from needlewise.clinic.access.guard import guard_of, use_case
from needlewise.clinic.audit import log as audit_log
from needlewise.domain.permissions import Action, Role
from needlewise.errors import NotAllowedError, NotFoundError, Problem
from needlewise.storage.models import AdverseEvent, Appointment, QueuedMessage, RecallContact, SessionPhoto

#: Public functions of the clinic package that take an actor and are not use cases, and why (the
#: guard, the gate and the access functions of ``needlewise.clinic.access`` are the guard's own tools).
UNGUARDED = {
    "needlewise.clinic.audit.log.record": "writes an audit row; the guard's own tool",
    "needlewise.clinic.followup.checkins.open_checkin": "anonymous: reached by a private link's token",
    "needlewise.clinic.followup.checkins.answer": "anonymous: reached by a private link's token",
    "needlewise.clinic.followup.staff_alerts.notify": "part of the anonymous answer; audits its queueing",
    "needlewise.clinic.intake.public.submit": "anonymous: a person sends their own result",
    "needlewise.clinic.intake.public.store_request": "part of an anonymous request; audits its creation",
    "needlewise.clinic.intake.referral.refer": "anonymous: a person refers their own journal by its private link",
    "needlewise.clinic.followup.alerts.open_alert_count_for": "a number for the banner on each workspace page",
    "needlewise.clinic.messages.failed_message_count_for": "a number for the banner on each workspace page",
    "needlewise.clinic.recall.use_cases.by_lot": "calls the guarded recall_list",
    "needlewise.clinic.recall.use_cases.by_device": "calls the guarded recall_list",
    "needlewise.clinic.sign_in.sign_in.with_password": "anonymous: no one is signed in yet",
    "needlewise.clinic.sign_in.sign_in.with_code": "anonymous: no one is signed in yet",
    "needlewise.clinic.sign_in.sign_in.with_new_second_factor": "anonymous: no one is signed in yet",
    "needlewise.clinic.sign_in.passwords.request_reset": "anonymous: asks for a link by e-mail address",
    "needlewise.clinic.sign_in.passwords.reset_password": "anonymous: reached by a one-time link",
    "needlewise.clinic.contact.consent_to_contact.said_by_client": "anonymous: the client's own link or SMS keyword",
    "needlewise.clinic.contact.unsubscribe.withdraw": "anonymous: the client's own signed unsubscribe link",
}


def _public_functions_taking_an_actor() -> dict[str, object]:
    found = {}
    for info in pkgutil.walk_packages(needlewise.clinic.__path__, "needlewise.clinic."):
        if info.name.startswith("needlewise.clinic.access."):
            continue
        module = importlib.import_module(info.name)
        for name, function in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(inspect.unwrap(function)):
                continue
            if inspect.unwrap(function).__module__ != module.__name__:
                continue
            parameters = list(inspect.signature(function).parameters)
            if parameters[:1] == ["actor"]:
                found[f"{module.__name__}.{name}"] = function
    return found


def test_every_public_function_taking_an_actor_is_a_guarded_use_case():
    functions = _public_functions_taking_an_actor()
    unguarded = sorted(name for name, function in functions.items() if guard_of(function) is None)
    assert unguarded == sorted(UNGUARDED)
    assert len(functions) - len(UNGUARDED) >= 60


def test_the_guard_of_a_plain_function_is_none():
    assert guard_of(test_the_guard_of_a_plain_function_is_none) is None


# --- the guard itself, on a use case made for the test ---


@use_case(Action.VIEW_CLIENTS, "client", record="client_id", client="client_id")
def _miss_unrecorded(actor: Actor, client_id: int) -> None:  # noqa: ARG001 - the guard reads the actor
    raise NotFoundError([Problem("client", f"no such client {client_id}")])


@use_case(Action.VIEW_CLIENTS, "client")
def _forgets_its_audit_row(actor: Actor) -> int:
    return actor.staff_clinic_id


@use_case(None, "staff", audited=False)
def _own_account(actor: Actor) -> int:
    return actor.staff_user_id


@pytest.mark.django_db
def test_a_miss_without_a_not_found_type_is_raised_unrecorded(site_a):
    seq = last_seq()
    with pytest.raises(NotFoundError):
        _miss_unrecorded(site_a.actor(Role.FRONT_DESK), 12345)
    assert rows_after(seq) == []


@pytest.mark.django_db
def test_a_refusal_names_the_record_and_client_parameters():
    seq = last_seq()
    with pytest.raises(NotAllowedError):
        _miss_unrecorded(Actor.system("test"), client_id=77)
    [row] = rows_after(seq)
    assert (row.action, row.object_type, row.object_id, row.client_id, row.outcome) == (
        "view_clients",
        "client",
        "77",
        77,
        "denied",
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_a_use_case_on_ones_own_account_lets_every_role_in(site_a, role):
    actor = site_a.actor(role)
    assert _own_account(actor) == actor.staff_user_id


@pytest.mark.django_db
@pytest.mark.parametrize("actor", [Actor.system("test"), Actor.anonymous("192.0.2.1", "r1")])
def test_a_use_case_on_ones_own_account_refuses_who_has_none(actor):
    seq = last_seq()
    with pytest.raises(NotAllowedError):
        _own_account(actor)
    [row] = rows_after(seq)
    assert (row.actor, row.action, row.object_type, row.outcome) == (actor.actor_id, "own_account", "staff", "denied")


@pytest.mark.django_db
def test_a_use_case_that_writes_no_audit_row_is_refused(site_a):
    with pytest.raises(AssertionError, match="wrote no audit row"):
        _forgets_its_audit_row(site_a.actor(Role.OWNER))


@pytest.mark.django_db
def test_the_guard_counts_only_its_own_use_cases_rows(site_a):
    token = audit_log.rows_written.set(5)
    try:
        with pytest.raises(AssertionError):
            _forgets_its_audit_row(site_a.actor(Role.OWNER))
        assert audit_log.rows_written.get() == 5
    finally:
        audit_log.rows_written.reset(token)


# --- access functions: one per kind of record, each refusing another clinic's ---


def _records(site: Any, kb: Any) -> dict[str, Any]:
    session = session_row(site, kb)
    nurse = site.members[Role.NURSE]
    checkin, _ = checkin_of(session, 1)
    consent = consent_row(site)
    common = {"clinic": site.clinic, "client": site.client}
    return {
        "access_client": site.client,
        "access_staff": nurse,
        "access_screening": site.stop,
        "access_plan": session.plan,
        "access_consent_template": consent.template,
        "access_consent": consent,
        "access_session": session,
        "access_photo": SessionPhoto.objects.create(
            clinic=site.clinic,
            session=session,
            image=b"jpeg",
            content_type="image/jpeg",
            width=1,
            height=1,
            digest="0" * 64,
            uploaded_by_id=nurse.user_id,
        ),
        "access_checkin": checkin,
        "access_adverse_event": AdverseEvent.objects.create(
            **common,
            session=session,
            cartridge_lot=session.cartridge_lot,
            kind="infection",
            severity="mild",
            onset_on=timezone.localdate(),
            outcome="ongoing",
            description="Fixture event.",
            recorded_by_id=nurse.user_id,
        ),
        "access_appointment": Appointment.objects.create(
            **common,
            practitioner_id=nurse.user_id,
            starts_at=timezone.now() + timedelta(days=3),
            minutes=60,
            uid="fixture@needlewise",
            created_by_id=nurse.user_id,
        ),
        "access_request": site.request,
        "access_message": QueuedMessage.objects.create(
            key=f"guard:{site.clinic.pk}",
            purpose="staff_alert",
            clinic=site.clinic,
            recipients=["nurse@example.org"],
            subject="Subject",
            text="Sign in.",
            next_attempt_at=timezone.now(),
            created_at=timezone.now(),
        ),
        "access_recall_contact": RecallContact.objects.create(
            **common, kind="lot", key=session.cartridge_lot, reason="Fixture recall.", marked_by_id=nurse.user_id
        ),
    }


ACCESS = sorted(name for name in vars(tenancy) if name.startswith("access_"))


@pytest.mark.django_db
@pytest.mark.parametrize("name", ACCESS)
def test_each_access_function_finds_its_clinics_record_and_refuses_another_clinics(sites, kb, name):
    site_a, site_b = sites
    record = _records(site_a, kb)[name]
    access = getattr(tenancy, name)
    assert access(site_a.actor(Role.OWNER), record.pk) == record
    with pytest.raises(NotFoundError, match="in your clinic"):
        access(site_b.actor(Role.OWNER), record.pk)


@pytest.mark.django_db
def test_every_kind_of_record_has_its_access_function(site_a, kb):
    assert sorted(_records(site_a, kb)) == ACCESS
