"""The recall list in the JSON API: the same use case as the page, its permission, tenancy and audit."""

from __future__ import annotations

import pytest
from django.test import Client

from clinic.followup_support import session_row
from needlewise.bootstrap import knowledge_base
from needlewise.domain.permissions import Role
from needlewise.storage.models import AuditEntry
from web.clinic.support import Site, staff_client

pytestmark = pytest.mark.django_db
URL = "/api/v1/clinic/recall"
LOT = "LOT-API-1"


def test_a_nurse_gets_every_session_and_client_of_a_lot(site_a: Site) -> None:
    session = session_row(site_a, knowledge_base(), lot=LOT)
    response = staff_client(site_a.members[Role.NURSE]).get(URL, {"kind": "lot", "key": LOT})
    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("kind", "key", "sessions", "clients", "adverse_events", "next_after")} == {
        "kind": "lot",
        "key": LOT,
        "sessions": 1,
        "clients": 1,
        "adverse_events": 0,
        "next_after": None,
    }
    [row] = body["rows"]
    assert (row["session_id"], row["client_id"], row["family_name"]) == (session.pk, site_a.client.pk, "Quixotelle")
    assert (row["cartridge_lot"], row["cartridge_serial"]) == (LOT, session.cartridge_serial)
    assert row["zones"] == [{"zone": "cheeks", "length_mm": "1"}, {"zone": "forehead", "length_mm": "0.5"}]
    assert (row["marked_for_contact"], row["contacted"]) == (False, False)
    audited = AuditEntry.objects.filter(object_type="recall", action="read").latest("seq")
    assert audited.detail["key"] == LOT


def test_a_device_serial_lists_its_sessions(site_a: Site) -> None:
    session = session_row(site_a, knowledge_base(), lot=LOT)
    body = staff_client(site_a.members[Role.PROVIDER]).get(URL, {"kind": "device", "key": "DEV-1"}).json()
    assert [r["session_id"] for r in body["rows"]] == [session.pk]
    assert body["kind"] == "device"


def test_another_clinics_sessions_of_the_same_lot_never_show(site_a: Site, site_b: Site) -> None:
    session_row(site_b, knowledge_base(), lot=LOT)
    body = staff_client(site_a.members[Role.NURSE]).get(URL, {"key": LOT}).json()
    assert (body["sessions"], body["rows"]) == (0, [])


@pytest.mark.parametrize("role", [Role.AESTHETICIAN, Role.FRONT_DESK])
def test_roles_that_do_not_run_recalls_are_refused(site_a: Site, role: Role) -> None:
    response = staff_client(site_a.members[role]).get(URL, {"key": LOT})
    assert response.status_code == 403
    assert response.json()["error"] == "not_allowed"


def test_without_a_staff_session_it_is_401(site_a: Site) -> None:
    del site_a
    assert Client().get(URL, {"key": LOT}).status_code == 401


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ({"key": ""}, "invalid_input"),  # the use case names the field
        ({"key": "L" * 65}, "invalid_input"),
        ({"key": LOT, "kind": "batch"}, "invalid_parameters"),  # the API's own parameter check
        ({}, "invalid_parameters"),
    ],
    ids=["empty", "too-long", "unknown-kind", "no-key"],
)
def test_bad_queries_are_422_naming_the_problem(site_a: Site, query: dict[str, str], error: str) -> None:
    response = staff_client(site_a.members[Role.NURSE]).get(URL, query)
    assert response.status_code == 422
    assert response.json()["error"] == error


@pytest.mark.parametrize("after", ["-1", str(2**63), "785814103724302008320"])
def test_a_cursor_no_row_can_have_is_refused_not_a_server_error(site_a: Site, after: str) -> None:
    """schemathesis sent a 21-digit ``after``: on PostgreSQL it overflowed bigint and answered 500."""
    response = staff_client(site_a.members[Role.NURSE]).get(URL, {"kind": "lot", "key": LOT, "after": after})
    assert response.status_code == 422
