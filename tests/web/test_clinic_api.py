"""The clinic JSON API: staff session + CSRF, the use cases' permissions and tenancy, one error shape."""

from __future__ import annotations

import time

import orjson
import pytest
from django.test import Client

from needlewise.clinic.access.actor import Actor
from needlewise.clinic.accounts import staff
from needlewise.clinic.clients import client_form, clients
from needlewise.clinic.records import screenings
from needlewise.domain.permissions import Role

pytestmark = pytest.mark.django_db
BASE = "/api/v1/clinic"


@pytest.fixture(autouse=True)
def cheap_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # tests only


def _clinic(name: str) -> dict[Role, staff.StaffMember]:
    owner = staff.create_clinic(
        name=name,
        city="Madrid",
        owner_email=f"owner@{name}.org",
        owner_name="Owner",
        owner_password="a long owner passphrase 1987",  # noqa: S106 - a test account
    )
    members = {Role.OWNER: owner}
    actor = Actor.staff(owner.user_id, owner.clinic_id, Role.OWNER)
    for role in (Role.PROVIDER, Role.NURSE, Role.FRONT_DESK):
        members[role] = staff.add_staff(actor, staff.NewStaff(f"{role}@{name}.org", role.value, role))
    return members


def _signed_in(member: staff.StaffMember, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(member.user)
    session = client.session
    session.update({"nw_verified": True, "nw_seen": time.time(), "nw_signed_in_at": time.time()})
    session.save()
    return client


@pytest.fixture
def clinic_a() -> dict[Role, staff.StaffMember]:
    return _clinic("alpha")


@pytest.fixture
def clinic_b() -> dict[Role, staff.StaffMember]:
    return _clinic("beta")


def _post(client: Client, path: str, body: object) -> object:
    return client.post(path, orjson.dumps(body), content_type="application/json")


def test_without_a_verified_staff_session_every_operation_is_401(clinic_a) -> None:
    anonymous = Client()
    assert anonymous.get(f"{BASE}/clients").json()["error"] == "not_signed_in"
    half = Client()
    half.force_login(clinic_a[Role.NURSE].user)  # password passed, second factor not
    response = half.get(f"{BASE}/clients")
    assert response.status_code == 401
    assert response.json() == {
        "error": "not_signed_in",
        "message": "Sign in at /clinic/sign-in/ first (staff, with two-step sign-in).",
        "problems": [],
    }


def test_unsafe_methods_need_the_csrf_token(clinic_a) -> None:
    client = _signed_in(clinic_a[Role.NURSE], csrf=True)
    response = _post(client, f"{BASE}/clients", {"given_name": "A", "family_name": "B", "birth_date": "1990-01-01"})
    assert response.status_code == 403
    assert response.json()["error"] == "refused"
    assert not clients.Client.objects.exists()


def test_add_find_and_read_a_client(clinic_a) -> None:
    nurse = _signed_in(clinic_a[Role.NURSE])
    body = {"given_name": "José", "family_name": "García", "birth_date": "1990-05-01", "phone": "+34 600 11 22 33"}
    created = _post(nurse, f"{BASE}/clients", body)
    assert created.status_code == 201
    client_id = created.json()["id"]
    assert created.json()["archived"] is False
    found = nurse.get(f"{BASE}/clients", {"q": "jose gar"}).json()
    assert [c["id"] for c in found] == [client_id]
    assert nurse.get(f"{BASE}/clients", {"phone": "34600"}).json()[0]["id"] == client_id
    assert nurse.get(f"{BASE}/clients", {"birth_date": "1990-05-02"}).json() == []
    record = nurse.get(f"{BASE}/clients/{client_id}").json()
    assert record["client"]["family_name"] == "García"
    assert record["status"] == {
        "tier": None,
        "disposition": None,
        "needs_clearance": False,
        "blocked": True,
        "cleared_until": None,
    }
    assert record["screenings"] == []


def test_fields_the_client_may_not_set_are_refused_naming_them(clinic_a) -> None:
    nurse = _signed_in(clinic_a[Role.NURSE])
    body = {"given_name": "A", "family_name": "B", "birth_date": "1990-01-01", "clinic_id": 99, "archived": True}
    response = _post(nurse, f"{BASE}/clients", body)
    assert response.status_code == 422
    assert {p["field"] for p in response.json()["problems"]} == {"body.clinic_id", "body.archived"}
    assert not clients.Client.objects.exists()


def test_invalid_details_are_422_with_each_field(clinic_a) -> None:
    nurse = _signed_in(clinic_a[Role.NURSE])
    response = _post(nurse, f"{BASE}/clients", {"given_name": " ", "family_name": "B", "birth_date": "2999-01-01"})
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_input"
    assert {p["field"] for p in response.json()["problems"]} == {"given_name", "birth_date"}


def test_screening_stores_the_assessment_and_blocks_until_a_clearance(clinic_a) -> None:
    provider = _signed_in(clinic_a[Role.PROVIDER])
    client_id = _post(provider, f"{BASE}/clients", {"given_name": "A", "family_name": "B", "birth_date": "1990-01-01"})
    client_id = client_id.json()["id"]
    profile = {"setting": "clinic", "age": 30, "pregnant_or_breastfeeding": True}
    response = _post(provider, f"{BASE}/clients/{client_id}/screenings?lang=es", profile)
    assert response.status_code == 201
    screening = response.json()
    assert screening["tier"] == "stop"
    assert screening["assessment"]["lang"] == "es"
    assert screening["assessment"]["schema"] == "needlewise.assessment/1"
    record = provider.get(f"{BASE}/clients/{client_id}").json()
    assert record["status"]["blocked"] is True
    assert record["status"]["needs_clearance"] is True
    assert [s["id"] for s in record["screenings"]] == [screening["id"]]
    assert record["screenings"][0]["source"] == "staff"
    # The clinic disposition: a stable code, and its words in the language asked for.
    assert screening["disposition"] == {"code": "do_not_treat", "label": "No tratar ahora"}
    assert record["status"]["disposition"] == {"code": "do_not_treat", "label": "Do not treat now"}
    assert record["screenings"][0]["disposition"] == {"code": "do_not_treat", "label": "Do not treat now"}
    spanish = provider.get(f"{BASE}/clients/{client_id}?lang=es").json()
    assert spanish["status"]["disposition"]["label"] == "No tratar ahora"


def test_a_screening_needing_a_precaution_says_so_in_the_api(clinic_a) -> None:
    nurse = _signed_in(clinic_a[Role.NURSE])
    client_id = _post(nurse, f"{BASE}/clients", {"given_name": "C", "family_name": "D", "birth_date": "1990-01-01"})
    profile = {"setting": "clinic", "age": 30, "goals": ["acne_scars"], "fitzpatrick": 5}
    screening = _post(nurse, f"{BASE}/clients/{client_id.json()['id']}/screenings", profile).json()
    assert screening["tier"] == "clinic"
    assert screening["disposition"] == {"code": "treat_with_precautions", "label": "Treat with these precautions"}


def test_a_cleared_client_shows_until_when(clinic_a) -> None:
    import datetime as dt  # noqa: PLC0415

    provider_member = clinic_a[Role.PROVIDER]
    actor = Actor.staff(provider_member.user_id, provider_member.clinic_id, Role.PROVIDER)
    client = clients.create(actor, client_form.ClientDetails("A", "B", dt.date(1990, 1, 1)))
    kb = __import__("needlewise.bootstrap", fromlist=["knowledge_base"]).knowledge_base()
    profile = {"setting": "clinic", "age": 30, "pregnant_or_breastfeeding": True}
    stored = screenings.record(actor, client_id=client.pk, profile=profile, kb=kb, lang=screenings.Lang.EN)
    today = dt.datetime.now(tz=dt.UTC).date()
    form = screenings.ClearanceForm("Obstetric letter on file, not pregnant any more", today, today)
    screenings.clear(actor, stored.pk, form)
    record = _signed_in(provider_member).get(f"{BASE}/clients/{client.pk}").json()
    assert record["status"]["blocked"] is False
    assert record["status"]["cleared_until"] == today.isoformat()


def test_bad_screening_bodies_are_422(clinic_a) -> None:
    nurse = _signed_in(clinic_a[Role.NURSE])
    client_id = _post(nurse, f"{BASE}/clients", {"given_name": "A", "family_name": "B", "birth_date": "1990-01-01"})
    path = f"{BASE}/clients/{client_id.json()['id']}/screenings"
    not_json = nurse.post(path, b"{", content_type="application/json")
    assert not_json.status_code == 422
    assert not_json.json()["problems"][0]["field"] == "(body)"
    home = _post(nurse, path, {"setting": "home", "age": 30})
    assert home.json()["problems"][0]["field"] == "setting"
    unknown = _post(nurse, path, {"setting": "clinic", "age": 30, "pregnant": True})
    assert unknown.status_code == 422
    assert unknown.json()["problems"][0]["field"] == "pregnant"


def test_roles_and_clinics_are_enforced_by_the_use_cases(clinic_a, clinic_b) -> None:
    nurse_a = _signed_in(clinic_a[Role.NURSE])
    client_id = _post(
        nurse_a, f"{BASE}/clients", {"given_name": "Secret", "family_name": "Name", "birth_date": "1990-01-01"}
    )
    client_id = client_id.json()["id"]
    front_desk = _signed_in(clinic_a[Role.FRONT_DESK])
    denied = _post(front_desk, f"{BASE}/clients/{client_id}/screenings", {"setting": "clinic", "age": 30})
    assert denied.status_code == 403
    assert denied.json()["error"] == "not_allowed"
    desk_view = front_desk.get(f"{BASE}/clients/{client_id}").json()
    assert desk_view["status"] is None
    assert desk_view["screenings"] is None
    other = _signed_in(clinic_b[Role.NURSE])
    for response in (
        other.get(f"{BASE}/clients/{client_id}"),
        _post(other, f"{BASE}/clients/{client_id}/screenings", {"setting": "clinic", "age": 30}),
    ):
        assert response.status_code == 404
        assert response.json()["error"] == "not_found"
        assert b"Secret" not in response.content
    assert other.get(f"{BASE}/clients", {"q": "secret"}).json() == []
    archived = screenings.Client.objects.get(pk=client_id)
    archived.archived_at = archived.created_at
    archived.save()
    conflict = _post(nurse_a, f"{BASE}/clients/{client_id}/screenings", {"setting": "clinic", "age": 30})
    assert conflict.status_code == 409
    assert conflict.json()["error"] == "conflict"


def test_a_nul_in_the_search_text_is_refused_before_the_database(clinic_a) -> None:
    response = _signed_in(clinic_a[Role.NURSE]).get(f"{BASE}/clients", {"q": "ga\x00rcia"})
    assert response.status_code == 422  # PostgreSQL refuses NUL in text: it would be a 500
    assert response.json()["error"] == "invalid_parameters"
    assert response.json()["problems"][0]["field"] == "q"


def test_a_likely_duplicate_is_409_naming_them_unless_confirmed(clinic_a, clinic_b) -> None:
    nurse = _signed_in(clinic_a[Role.NURSE])
    body = {"given_name": "Łukasz", "family_name": "Wałęsa-Nowak", "birth_date": "1990-05-01"}
    body["phone"] = "+48 22 555 0100"
    first = _post(nurse, f"{BASE}/clients", body).json()["id"]
    again = _post(nurse, f"{BASE}/clients", {**body, "given_name": "Lukasz", "family_name": "Nowak", "phone": ""})
    assert again.status_code == 409
    named = f"This may be the same person as Łukasz Wałęsa-Nowak (born 1990-05-01, client {first})."
    assert again.json() == {
        "error": "conflict",
        "message": f"duplicate_of: {named}",
        "problems": [{"field": "duplicate_of", "message": named, "suggestion": None}],
    }
    by_phone = {"given_name": "Other", "family_name": "Person", "birth_date": "1970-01-01", "phone": "22 555 0100"}
    assert _post(nurse, f"{BASE}/clients", by_phone).status_code == 201  # another number that shares digits
    confirmed = _post(nurse, f"{BASE}/clients", {**body, "confirm_new_person": True})
    assert confirmed.status_code == 201
    assert _post(_signed_in(clinic_b[Role.NURSE]), f"{BASE}/clients", body).status_code == 201  # another clinic's
    assert [c["id"] for c in nurse.get(f"{BASE}/clients", {"q": "nowak"}).json()] == [first, confirmed.json()["id"]]
    assert [c["id"] for c in nurse.get(f"{BASE}/clients", {"phone": "5550100"}).json()] != []


def test_the_clients_language_is_set_and_shown(clinic_a) -> None:
    nurse = _signed_in(clinic_a[Role.NURSE])
    body = {"given_name": "Lucía", "family_name": "Ruiz", "birth_date": "1990-05-01"}
    spanish = _post(nurse, f"{BASE}/clients", {**body, "language": "es"})
    assert (spanish.status_code, spanish.json()["language"]) == (201, "es")
    english = _post(nurse, f"{BASE}/clients", {**body, "birth_date": "1991-05-01"})
    assert (english.status_code, english.json()["language"]) == (201, "en")
    refused = _post(nurse, f"{BASE}/clients", {**body, "birth_date": "1992-05-01", "language": "fr"})
    assert refused.status_code == 422
    assert {p["field"] for p in refused.json()["problems"]} == {"body.language"}
