"""Every clinic API operation answers, in each outcome, exactly what the OpenAPI document declares for its status.

The responses are validated with the document's own JSON Schemas (as ``/openapi.json`` serves them),
not with the pydantic models, so a route whose body drifts from what it documents fails here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jsonschema_rs
import orjson
import pytest
from django.http import HttpResponse
from django.test import Client

from clinic.followup_support import session_row
from clinic_factories import clinic_today
from needlewise.bootstrap import knowledge_base
from needlewise.clinic.records import screenings
from needlewise.domain.permissions import Role
from web.clinic.support import CLINIC_STOP, Site, actor_for, signed_in, staff_client

pytestmark = pytest.mark.django_db
BASE = "/api/v1/clinic"
CLIENTS = f"{BASE}/clients"
CLIENT = f"{BASE}/clients/{{client_id}}"
SCREENINGS = f"{BASE}/clients/{{client_id}}/screenings"
RECALL = f"{BASE}/recall"
CONTACT = f"{BASE}/clients/{{client_id}}/contact-consent"
SAID = {"channel": "sms", "granted": True, "method": "by_phone"}
NEW_CLIENT = {"given_name": "Ada", "family_name": "Byron", "birth_date": "1990-01-02", "phone": "+44 20 1234"}

Call = tuple[str, str, HttpResponse]  # method, path template, response


def _post(client: Client, path: str, body: object) -> HttpResponse:
    return client.post(path, orjson.dumps(body), content_type="application/json")


def _validator(document: dict[str, Any], schema: dict[str, Any]) -> jsonschema_rs.Validator:
    # The response's schema as the root, with the document's components beside it, so "#/components/..." resolves.
    root = {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema, "components": document["components"]}
    return jsonschema_rs.validator_for(root, validate_formats=True)


def _calls(site: Site, other: Site) -> list[Call]:
    """Each clinic operation in its outcomes: success and every refusal it can give."""
    nurse = staff_client(site.members[Role.NURSE])
    provider = staff_client(site.members[Role.PROVIDER])
    desk = staff_client(site.members[Role.FRONT_DESK])
    anonymous = Client()
    with_csrf = signed_in(Client(enforce_csrf_checks=True), site.members[Role.NURSE])
    kb = knowledge_base()
    session_row(site, kb, lot="LOT-SCHEMA")
    today = clinic_today()
    form = screenings.ClearanceForm("Letter from the obstetrician on file", today, today)
    screenings.clear(actor_for(site.members[Role.PROVIDER]), site.stop.pk, form)
    client_id = site.client.pk
    other_id = other.client.pk
    archived = _post(nurse, CLIENTS, NEW_CLIENT).json()["id"]
    archived_row = screenings.Client.objects.get(pk=archived)
    archived_row.archived_at = archived_row.created_at
    archived_row.save()
    get: list[tuple[str, Callable[[], HttpResponse]]] = [
        (CLIENTS, lambda: nurse.get(CLIENTS)),
        (CLIENTS, lambda: nurse.get(CLIENTS, {"q": "zephyrine", "archived": "true"})),
        (CLIENTS, lambda: nurse.get(CLIENTS, {"birth_date": "not a date"})),
        (CLIENTS, lambda: anonymous.get(CLIENTS)),
        (CLIENT, lambda: provider.get(f"{CLIENTS}/{client_id}")),
        (CLIENT, lambda: desk.get(f"{CLIENTS}/{client_id}")),
        (CLIENT, lambda: nurse.get(f"{CLIENTS}/{other_id}")),
        (CLIENT, lambda: nurse.get(f"{CLIENTS}/{archived}")),
        (CLIENT, lambda: anonymous.get(f"{CLIENTS}/{client_id}")),
        (RECALL, lambda: nurse.get(RECALL, {"key": "LOT-SCHEMA"})),
        (RECALL, lambda: nurse.get(RECALL, {"key": "DEV-1", "kind": "device", "after": "1"})),
        (RECALL, lambda: nurse.get(RECALL, {"key": ""})),
        (RECALL, lambda: nurse.get(RECALL, {"key": "X", "kind": "batch"})),
        (RECALL, lambda: desk.get(RECALL, {"key": "LOT-SCHEMA"})),
        (RECALL, lambda: anonymous.get(RECALL, {"key": "LOT-SCHEMA"})),
        (CONTACT, lambda: desk.get(f"{CLIENTS}/{client_id}/contact-consent")),
        (CONTACT, lambda: nurse.get(f"{CLIENTS}/{other_id}/contact-consent")),
        (CONTACT, lambda: anonymous.get(f"{CLIENTS}/{client_id}/contact-consent")),
    ]
    post: list[tuple[str, Callable[[], HttpResponse]]] = [
        (CLIENTS, lambda: _post(nurse, CLIENTS, {**NEW_CLIENT, "confirm_new_person": True})),
        (CLIENTS, lambda: _post(nurse, CLIENTS, NEW_CLIENT)),  # the same person as the one added above: 409
        (CLIENTS, lambda: _post(nurse, CLIENTS, {**NEW_CLIENT, "given_name": " ", "birth_date": "2999-01-01"})),
        (CLIENTS, lambda: _post(nurse, CLIENTS, {**NEW_CLIENT, "clinic_id": 1})),
        (CLIENTS, lambda: _post(with_csrf, CLIENTS, NEW_CLIENT)),
        (CLIENTS, lambda: _post(anonymous, CLIENTS, NEW_CLIENT)),
        (SCREENINGS, lambda: _post(provider, f"{CLIENTS}/{client_id}/screenings?lang=es", CLINIC_STOP)),
        (SCREENINGS, lambda: _post(nurse, f"{CLIENTS}/{client_id}/screenings", {"setting": "clinic", "age": 30})),
        (SCREENINGS, lambda: _post(desk, f"{CLIENTS}/{client_id}/screenings", CLINIC_STOP)),
        (SCREENINGS, lambda: _post(nurse, f"{CLIENTS}/{other_id}/screenings", CLINIC_STOP)),
        (SCREENINGS, lambda: _post(nurse, f"{CLIENTS}/{archived}/screenings", CLINIC_STOP)),
        (SCREENINGS, lambda: _post(nurse, f"{CLIENTS}/{client_id}/screenings", {"setting": "home", "age": 30})),
        (SCREENINGS, lambda: nurse.post(f"{CLIENTS}/{client_id}/screenings", b"{", content_type="application/json")),
        (SCREENINGS, lambda: _post(anonymous, f"{CLIENTS}/{client_id}/screenings", CLINIC_STOP)),
        (CONTACT, lambda: _post(desk, f"{CLIENTS}/{client_id}/contact-consent", SAID)),
        (CONTACT, lambda: _post(nurse, f"{CLIENTS}/{client_id}/contact-consent", {**SAID, "method": "by_pigeon"})),
        (CONTACT, lambda: _post(nurse, f"{CLIENTS}/{other_id}/contact-consent", SAID)),
        (CONTACT, lambda: _post(anonymous, f"{CLIENTS}/{client_id}/contact-consent", SAID)),
    ]
    return [("get", path, call()) for path, call in get] + [("post", path, call()) for path, call in post]


def test_every_clinic_operation_answers_what_its_schema_declares(site_a: Site, site_b: Site) -> None:
    document = Client().get("/openapi.json").json()
    declared = {
        (method, path): operation["responses"]
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if "clinic" in operation.get("tags", ())
    }
    calls = _calls(site_a, site_b)
    assert {(method, path) for method, path, _ in calls} == set(declared), "a clinic operation is not called here"
    seen: dict[tuple[str, str], set[int]] = {}
    for method, path, response in calls:
        where = f"{method.upper()} {path} -> {response.status_code}"
        responses = declared[method, path]
        assert str(response.status_code) in responses, f"{where}: status not documented"
        assert response["Content-Type"] == "application/json", where
        schema = responses[str(response.status_code)]["content"]["application/json"]["schema"]
        errors = [e.message for e in _validator(document, schema).iter_errors(orjson.loads(response.content))]
        assert errors == [], f"{where}: {errors}"
        seen.setdefault((method, path), set()).add(response.status_code)
    # Each operation was seen succeeding and refusing (not only the easy 401).
    assert seen == {
        ("get", CLIENTS): {200, 401, 422},
        ("post", CLIENTS): {201, 401, 403, 409, 422},
        ("get", CLIENT): {200, 401, 404},
        ("post", SCREENINGS): {201, 401, 403, 404, 409, 422},
        ("get", RECALL): {200, 401, 403, 422},
        ("get", CONTACT): {200, 401, 404},
        ("post", CONTACT): {201, 401, 404, 422},
    }


def test_the_bodies_carry_what_the_records_hold(site_a: Site, site_b: Site) -> None:
    by_call = {}
    for method, path, response in _calls(site_a, site_b):
        by_call.setdefault((method, path, response.status_code), response.json())
    record = by_call["get", CLIENT, 200]
    assert record["status"]["cleared_until"] == clinic_today().isoformat()
    assert {s["tier"] for s in record["screenings"]} == {"home_ok", "stop"}
    assert by_call["post", SCREENINGS, 201]["assessment"]["schema"] == "needlewise.assessment/1"
    assert by_call["get", RECALL, 200]["rows"][0]["zones"][0] == {"zone": "cheeks", "length_mm": "1"}
    said = by_call["post", CONTACT, 201]
    assert said["standing"][1]["answer"]["method"] == "by_phone"
    assert said["standing"][1]["answer"]["recorded_by"]


def test_a_body_that_drifts_from_its_schema_is_caught() -> None:
    document = Client().get("/openapi.json").json()
    schema = document["paths"][CLIENTS]["post"]["responses"]["201"]["content"]["application/json"]["schema"]
    validator = _validator(document, schema)
    good = {
        "id": 1,
        "given_name": "A",
        "family_name": "B",
        "birth_date": "1990-01-02",
        "phone": "",
        "email": "",
        "language": "en",
        "archived": False,
        "created_at": "2025-01-02T03:04:05+00:00",
    }
    assert validator.is_valid(good)
    assert not validator.is_valid({**good, "language": "fr"})
    assert not validator.is_valid({k: v for k, v in good.items() if k != "archived"})
    assert not validator.is_valid({**good, "notes": "private"})
    assert not validator.is_valid({**good, "birth_date": "02/01/1990"})
