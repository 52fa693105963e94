"""The clinic API's refusals in the language asked (``lang``, else Accept-Language, else English).

The ``error`` code and the ``field`` of each problem are the same in every language.
"""

from __future__ import annotations

import orjson
import pytest
from django.test import Client

from needlewise.domain.permissions import Role
from web.clinic.support import Site, signed_in, staff_client

pytestmark = pytest.mark.django_db

API = "/api/v1/clinic"
ASKED = {"en": ({}, {}), "es by lang": ({"lang": "es"}, {}), "es by header": ({}, {"HTTP_ACCEPT_LANGUAGE": "es"})}


def _send(client: Client, method: str, path: str, asked: str, body: object = None) -> dict:
    query, headers = ASKED[asked]
    target = f"{path}?lang={query['lang']}" if query else path
    if method == "get":
        return client.get(target, **headers)
    data = body if isinstance(body, bytes) else orjson.dumps(body)
    return client.post(target, data, content_type="application/json", **headers)


@pytest.mark.parametrize("asked", ASKED)
def test_a_refusal_by_role_is_403_in_the_language_asked(site_a: Site, asked: str) -> None:
    desk = staff_client(site_a.members[Role.FRONT_DESK])
    response = _send(desk, "post", f"{API}/clients/{site_a.client.pk}/screenings", asked, {"setting": "clinic"})
    assert response.status_code == 403
    said = "tu rol no te permite " if asked.startswith("es") else "your role may not "
    assert response.json()["error"] == "not_allowed"
    assert response.json()["message"].startswith(said)
    assert response.json()["problems"] == []


@pytest.mark.parametrize("asked", ASKED)
def test_a_client_not_in_your_clinic_is_404_in_the_language_asked(site_a: Site, asked: str) -> None:
    nurse = staff_client(site_a.members[Role.NURSE])
    response = _send(nurse, "get", f"{API}/clients/{site_a.client.pk + 1000}", asked)
    assert response.status_code == 404
    spanish = asked.startswith("es")
    said = "no existe ese registro (cliente) en tu clínica" if spanish else "no such client in your clinic"
    assert response.json() == {"error": "not_found", "message": said, "problems": []}


@pytest.mark.parametrize("asked", ASKED)
def test_invalid_details_are_422_in_the_language_asked_naming_the_same_field(site_a: Site, asked: str) -> None:
    nurse = staff_client(site_a.members[Role.NURSE])
    details = {"given_name": "A", "family_name": "B", "birth_date": "1990-01-01", "email": "nope"}
    response = _send(nurse, "post", f"{API}/clients", asked, details).json()
    said = "escribe una dirección de correo" if asked.startswith("es") else "enter an e-mail address"
    assert response["error"] == "invalid_input"
    assert response["message"].startswith(f"email: {said}")
    assert [(p["field"], p["message"].startswith(said)) for p in response["problems"]] == [("email", True)]


@pytest.mark.parametrize("asked", ASKED)
def test_an_invalid_screening_profile_and_a_body_not_json_are_said_in_the_language_asked(
    site_a: Site, asked: str
) -> None:
    nurse = staff_client(site_a.members[Role.NURSE])
    path = f"{API}/clients/{site_a.client.pk}/screenings"
    unknown = _send(nurse, "post", path, asked, {"setting": "clinic", "age": 30, "pregnant": True})
    not_json = _send(nurse, "post", path, asked, b"{")
    assert unknown.status_code == not_json.status_code == 422
    spanish = asked.startswith("es")
    assert unknown.json()["message"].startswith("El perfil no es válido: pregnant: " if spanish else "The profile is")
    assert unknown.json()["problems"][0]["field"] == "pregnant"
    assert not_json.json()["message"].startswith("el cuerpo no es JSON: " if spanish else "the body is not JSON: ")
    assert not_json.json()["problems"][0]["field"] == "(body)"


@pytest.mark.parametrize("asked", ASKED)
def test_a_missing_csrf_token_is_refused_in_the_language_asked(site_a: Site, asked: str) -> None:
    nurse = signed_in(Client(enforce_csrf_checks=True), site_a.members[Role.NURSE])
    response = _send(nurse, "post", f"{API}/clients", asked, {"given_name": "A"})
    assert response.status_code == 403
    said = "Falló la comprobación CSRF" if asked.startswith("es") else "CSRF check Failed"
    assert response.json() == {"error": "refused", "message": said, "problems": []}
