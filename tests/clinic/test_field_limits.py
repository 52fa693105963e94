"""Input that passes validation must fit its column: refused with a message, or stored in full.

SQLite ignores ``max_length``; PostgreSQL raises ``DataError`` (a server error) instead. Each case
below is input the use case accepts today although the column is too narrow for it.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import models

from clinic.support import HOME_CLINIC, PASSWORD, Site, details, request_form
from needlewise.clinic.access.actor import Actor
from needlewise.clinic.accounts import clinic_settings, staff
from needlewise.clinic.accounts.clinic_settings import ClinicPage
from needlewise.clinic.accounts.staff import NewStaff
from needlewise.clinic.clients import clients
from needlewise.clinic.intake import public
from needlewise.domain.permissions import Role
from needlewise.domain.vocabulary import Lang
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.errors import InvalidInputError

pytestmark = pytest.mark.django_db

LONG_PHONE = "+ " + " ".join("5" * 20)  # 20 digits, 41 characters: valid, but client.phone holds 40
LONG_EMAIL = "a" * 250 + "@example.org"  # valid by the pattern, 262 characters: email columns hold 254

Call = Callable[[Site, KnowledgeBase], models.Model]


def _submit(**changes: object) -> Call:
    def call(site: Site, kb: KnowledgeBase) -> models.Model:
        form = request_form(**changes)
        return public.submit(
            Actor.anonymous("192.0.2.1", "r"), site.clinic.slug, profile=HOME_CLINIC, form=form, kb=kb, lang=Lang.EN
        )

    return call


def _create_client(**changes: object) -> Call:
    return lambda site, _kb: clients.create(site.actor(Role.FRONT_DESK), details(**changes))


def _create_clinic(**changes: str) -> Call:
    fields = {"name": "N", "city": "C", "owner_email": "o@example.org", "owner_name": "O", "owner_password": PASSWORD}

    def call(_site: Site, _kb: KnowledgeBase) -> models.Model:
        owner = staff.create_clinic(**(fields | changes))
        return owner if "owner_name" in changes else owner.clinic

    return call


def fits_or_refused(call: Call, site: Site, kb: KnowledgeBase) -> None:
    try:
        stored = call(site, kb)
    except InvalidInputError:
        return
    stored.refresh_from_db()
    for field in stored._meta.concrete_fields:
        if isinstance(field, models.CharField) and field.max_length:
            value = getattr(stored, field.attname)
            assert len(value) <= field.max_length, f"{field.name} holds {len(value)} > {field.max_length} characters"


TOO_LONG = [
    pytest.param(
        _submit(given_name="G" * 100, family_name="F" * 100),
        id="request-contact_name",
    ),
    pytest.param(
        _submit(phone=LONG_PHONE),
        id="request-phone",
    ),
    pytest.param(
        _submit(email=LONG_EMAIL),
        id="request-email",
    ),
    pytest.param(
        _create_client(phone=LONG_PHONE),
        id="client-phone",
    ),
    pytest.param(
        _create_client(email=LONG_EMAIL),
        id="client-email",
    ),
    pytest.param(
        _create_client(family_name="ß" * 100),
        id="client-family_key",
    ),
    pytest.param(
        lambda site, _kb: clinic_settings.update_clinic(
            site.actor(Role.OWNER), ClinicPage("N" * 201, "C", "", accepts_requests=True)
        ),
        id="clinic_page-name",
    ),
    pytest.param(
        lambda site, _kb: clinic_settings.update_clinic(
            site.actor(Role.OWNER), ClinicPage("N", "C" * 101, "", accepts_requests=True)
        ),
        id="clinic_page-city",
    ),
    pytest.param(
        _create_clinic(name="N" * 201),
        id="create_clinic-name",
    ),
    pytest.param(
        _create_clinic(city="C" * 101),
        id="create_clinic-city",
    ),
    pytest.param(
        _create_clinic(owner_name="O" * 201),
        id="create_clinic-owner_name",
    ),
    pytest.param(
        lambda site, _kb: staff.add_staff(site.actor(Role.OWNER), NewStaff("x@example.org", "D" * 201, Role.NURSE)),
        id="add_staff-display_name",
    ),
]


@pytest.mark.parametrize("call", TOO_LONG)
def test_too_long_input_is_refused_not_truncated_or_crashing(site_a, kb, call):
    fits_or_refused(call, site_a, kb)


AT_THE_LIMIT = {
    "client-names": _create_client(given_name="G" * 100, family_name="F" * 100),
    "client-phone": _create_client(phone="+1" + " 5" * 19),  # 20 digits in exactly 40 characters
    "client-email": _create_client(email="a" * 242 + "@example.org"),
    "request-names": _submit(given_name="G" * 99, family_name="F" * 100),
    "clinic-name": _create_clinic(name="N" * 200, city="C" * 100),
    "owner-name": _create_clinic(owner_name="O" * 200),
}


@pytest.mark.parametrize("case", AT_THE_LIMIT)
def test_input_that_fits_is_stored_in_full(site_a, kb, case):
    fits_or_refused(AT_THE_LIMIT[case], site_a, kb)
