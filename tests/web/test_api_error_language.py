"""The JSON API's error texts follow the language asked: ``lang``, else Accept-Language, else English.

The ``error`` codes and the ``field`` paths are the same in every language; pydantic's own details stay
as it writes them.
"""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
import time_machine
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.utils import translation

from needlewise.api.error_words import error_lang, framework_text
from needlewise.domain.vocabulary import Lang
from needlewise.web.middleware import RateLimitMiddleware
from web.journal_support import PROFILE, TODAY, post

pytestmark = pytest.mark.django_db

ASSESS = "/api/v1/assessments"
#: The same request asked in English (nothing asked), in Spanish by ``lang``, and by Accept-Language.
ENGLISH, BY_PARAM, BY_HEADER = ({}, {}), ({"lang": "es"}, {}), ({}, {"HTTP_ACCEPT_LANGUAGE": "es"})


def _asked(path: str, query: dict[str, str]) -> str:
    return f"{path}?{'&'.join(f'{k}={v}' for k, v in query.items())}" if query else path


def _assess(body: bytes, query: dict[str, str], headers: dict[str, str]) -> dict:
    response = Client().post(_asked(ASSESS, query), body, content_type="application/json", **headers)
    assert response.status_code == 422
    return response.json()


@pytest.mark.parametrize(("query", "headers"), [BY_PARAM, BY_HEADER])
def test_an_invalid_profile_is_refused_in_spanish_with_the_same_code_and_fields(query, headers) -> None:
    body = orjson.dumps({"setting": "home", "age": 400})
    english, spanish = _assess(body, *ENGLISH), _assess(body, query, headers)
    assert english["message"].startswith("The profile is not valid: age: ")
    assert spanish["message"].startswith("El perfil no es válido: age: ")
    assert spanish["error"] == english["error"] == "invalid_profile"
    assert [p["field"] for p in spanish["problems"]] == [p["field"] for p in english["problems"]] == ["age"]


def test_a_did_you_mean_is_said_in_the_language_asked() -> None:
    body = orjson.dumps({"setting": "home", "age": 30, "goal": ["glow"]})
    english, spanish = _assess(body, *ENGLISH), _assess(body, *BY_PARAM)
    assert english["message"].endswith("(did you mean 'goals'?)")
    assert spanish["message"].endswith("(¿quisiste decir 'goals'?)")
    assert spanish["problems"][0]["suggestion"] == english["problems"][0]["suggestion"] == "goals"


def test_the_lang_parameter_comes_before_the_header_and_an_invalid_one_falls_back_to_it() -> None:
    body = orjson.dumps({"setting": "home", "age": 400})
    assert _assess(body, {"lang": "en"}, {"HTTP_ACCEPT_LANGUAGE": "es"})["message"].startswith("The profile")
    refused = _assess(body, {"lang": "fr"}, {"HTTP_ACCEPT_LANGUAGE": "es"})
    assert refused["error"] == "invalid_parameters"
    assert refused["message"] == "Algunos parámetros no son válidos."
    assert refused["problems"][0]["field"] == "lang"
    assert _assess(body, {"lang": "fr"}, {})["message"] == "Some parameters are not valid."


def test_error_lang_reads_the_parameter_then_the_header_then_says_english() -> None:
    factory = RequestFactory()
    assert error_lang(factory.get("/api/v1/health", {"lang": "es"}, HTTP_ACCEPT_LANGUAGE="en")) is Lang.ES
    assert error_lang(factory.get("/api/v1/health", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9")) is Lang.ES
    assert error_lang(factory.get("/api/v1/health", {"lang": "de"}, HTTP_ACCEPT_LANGUAGE="de")) is Lang.EN
    assert error_lang(factory.get("/api/v1/health")) is Lang.EN


def test_an_oversized_body_is_refused_in_spanish() -> None:
    body = b"{" + b" " * 70_000 + b"}"
    response = Client().post(_asked(ASSESS, {"lang": "es"}), body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"
    assert response.json()["message"].startswith("El cuerpo de la solicitud ocupa más de ")


def test_invalid_query_parameters_have_their_top_message_in_spanish() -> None:
    response = Client().get("/api/v1/questionnaire", {"lang": "fr"}, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_parameters"
    assert response.json()["message"] == "Algunos parámetros no son válidos."
    assert response.json()["problems"][0]["field"] == "lang"


@pytest.mark.parametrize(("query", "headers"), [ENGLISH, BY_PARAM, BY_HEADER])
def test_an_unknown_journal_is_404_in_the_language_asked(query, headers) -> None:
    response = Client().get(_asked("/api/v1/journals/no-such-journal-key", query), **headers)
    assert response.status_code == 404
    spanish = bool(query or headers)
    said = "Ningún diario tiene este enlace" if spanish else "No journal has this link"
    assert response.json()["error"] == "not_found"
    assert response.json()["message"].startswith(said)
    assert [p["field"] for p in response.json()["problems"]] == []


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(("query", "headers"), [ENGLISH, BY_PARAM, BY_HEADER])
def test_a_session_in_the_future_is_422_in_the_language_asked(query, headers) -> None:
    client = Client(**headers)
    key = post(client, "/api/v1/journals", {"profile": PROFILE}).json()["key"]
    session = {"on": "2026-12-10", "needle_mm": 0.25, "areas": ["cheeks"], "products": []}
    response = post(client, _asked(f"/api/v1/journals/{key}/sessions", query), session)
    assert response.status_code == 422
    spanish = bool(query or headers)
    said = (
        "No puedes registrar una sesión para un día posterior a hoy."
        if spanish
        else "A session cannot be logged for a day after today."
    )
    assert response.json() == {
        "error": "invalid_input",
        "message": f"on: {said}",
        "problems": [{"field": "on", "message": said, "suggestion": None}],
    }


@pytest.mark.parametrize(("query", "headers"), [ENGLISH, BY_PARAM, BY_HEADER])
def test_not_signed_in_is_401_in_the_language_asked(query, headers) -> None:
    response = Client().get(_asked("/api/v1/clinic/clients", query), **headers)
    assert response.status_code == 401
    said = "Inicia sesión primero en /clinic/sign-in/" if query or headers else "Sign in at /clinic/sign-in/ first"
    assert response.json()["error"] == "not_signed_in"
    assert response.json()["message"].startswith(said)


def test_the_api_rate_limit_is_said_in_spanish(settings, tmp_path: Path) -> None:
    settings.RATE_WINDOWS_FILE = tmp_path / "rate_windows"
    settings.RATE_LIMIT_PER_MINUTE = 1
    limiter = RateLimitMiddleware(lambda _request: HttpResponse("ok"))
    asked = RequestFactory().get("/api/v1/health", HTTP_ACCEPT_LANGUAGE="es")
    assert limiter(asked).status_code == 200
    refused = limiter(asked)
    assert refused.status_code == 429
    assert orjson.loads(refused.content) == {
        "error": "rate_limited",
        "message": "Demasiadas solicitudes: como máximo 1 por minuto desde cada dirección.",
        "problems": [],
    }


def test_a_public_limit_on_the_api_is_said_in_spanish(settings) -> None:
    settings.PUBLIC_LIMITS = {name: (1, seconds) for name, (_, seconds) in settings.PUBLIC_LIMITS.items()}
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    with time_machine.travel("2031-01-01 10:00Z", tick=False):
        client.post("/api/v1/journals/not-a-token/referrals", REMOTE_ADDR="198.51.100.60")
        refused = client.post("/api/v1/journals/not-a-token/referrals", REMOTE_ADDR="198.51.100.60")
    assert refused.status_code == 429
    assert refused.json()["error"] == "rate_limited"
    assert refused.json()["message"].startswith("Demasiadas solicitudes desde tu dirección. Espera ")


def test_a_framework_refusal_is_translated_where_the_catalogue_has_it_and_never_as_the_catalogue_header() -> None:
    with translation.override("es"):
        assert framework_text("CSRF check Failed") == "Falló la comprobación CSRF"
        assert framework_text("Cannot parse request body") == "Cannot parse request body"
        assert framework_text("") == ""
