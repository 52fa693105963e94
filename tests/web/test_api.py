"""The JSON API: contract, errors, limits and headers."""

from __future__ import annotations

import orjson
import pytest
from django.test import Client

from needlewise.api.schemas import AssessmentOut, ErrorOut, HealthOut, KnowledgeOut, QuestionnaireOut

GLOW = {"setting": "home", "age": 34, "goals": ["glow"], "device": {"kind": "roller", "needle_mm": 0.25, "uses": 0}}


def post(client: Client, body: object, path: str = "/api/v1/assessments") -> object:
    data = body if isinstance(body, bytes) else orjson.dumps(body)
    return client.post(path, data=data, content_type="application/json")


def test_assessment_matches_the_published_contract_and_the_cli(client: Client) -> None:
    response = post(client, GLOW)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    data = response.json()
    AssessmentOut.model_validate(data)
    assert data["tier"] == "home_ok"
    assert data["plan"]["home_needle_mm_max"] == 0.3
    cited = {c for f in data["findings"] for c in f["citations"]}
    assert cited <= set(data["sources"])


def test_assessment_in_spanish(client: Client) -> None:
    data = post(client, {"setting": "home", "age": 30, "skin_now": ["cold_sore"]}, "/api/v1/assessments?lang=es").json()
    assert data["tier"] == "stop"
    assert data["lang"] == "es"
    assert data["tier_title"] == "No te hagas microneedling ahora"


@pytest.mark.parametrize(
    ("body", "field", "fragment"),
    [
        ({"setting": "home", "age": 400}, "age", "less than or equal to 120"),
        ({"setting": "home", "age": 30, "device": {"needle_mm": False}}, "device.needle_mm", "valid number"),
        ({"setting": "home", "age": 30, "colour": "red"}, "colour", "unknown field"),
        ({"age": 30}, "setting", "required field is missing"),
        (b"{not json", "(input)", "not valid JSON"),
        (b"[1, 2]", "(input)", "must be a JSON object"),
    ],
)
def test_invalid_profiles_get_422_naming_the_field(client: Client, body: object, field: str, fragment: str) -> None:
    response = post(client, body)
    assert response.status_code == 422
    error = ErrorOut.model_validate(response.json())
    assert error.error == "invalid_profile"
    assert error.problems[0].field == field
    assert fragment in error.problems[0].message


def test_oversized_body_gets_413(client: Client) -> None:
    response = post(client, b"{" + b" " * 70_000 + b"}")
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"


def test_invalid_query_parameter_gets_422(client: Client) -> None:
    response = post(client, GLOW, "/api/v1/assessments?lang=fr")
    assert response.status_code == 422
    body = ErrorOut.model_validate(response.json())
    assert body.error == "invalid_parameters"
    assert body.problems[0].field == "lang"


def test_questionnaire(client: Client) -> None:
    data = client.get("/api/v1/questionnaire?lang=es").json()
    QuestionnaireOut.model_validate(data)
    assert data["questions"][0]["id"] == "setting"
    needle = next(q for q in data["questions"] if q["id"] == "needle-length")
    assert needle["ask_if"] == {"field": "device.kind", "op": "ne", "value": "undecided"}


def test_knowledge(client: Client) -> None:
    data = client.get("/api/v1/knowledge").json()
    KnowledgeOut.model_validate(data)
    assert len(data["sources"]) == 167
    assert any(r["id"] == "active-cold-sore" for r in data["rules"])


def test_health(client: Client) -> None:
    data = client.get("/api/v1/health").json()
    HealthOut.model_validate(data)
    assert data["status"] == "ok"


def test_openapi_document_describes_every_operation_and_error(client: Client) -> None:
    schema = client.get("/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    post_op = schema["paths"]["/api/v1/assessments"]["post"]
    assert post_op["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Profile"}
    assert {"200", "400", "413", "422", "429"} <= set(post_op["responses"])
    components = schema["components"]["schemas"]
    assert components["Profile"]["oneOf"] == [
        {"$ref": "#/components/schemas/ProfileV2"},
        {"$ref": "#/components/schemas/ProfileV1"},
    ]
    assert components["ProfileV2"]["properties"]["profile_version"] == {
        "const": 2,
        "title": "Profile Version",
        "type": "integer",
    }
    assert "#/$defs/" not in orjson.dumps(schema).decode()


def test_api_docs_describe_every_operation_without_third_party_code(client: Client) -> None:
    page = client.get("/docs").content.decode()
    paths = client.get("/openapi.json").json()["paths"]
    operations = [(method, path) for path, item in paths.items() for method in item]
    assert page.count('class="operation"') == len(operations) == 23
    for method, path in operations:
        assert f"{method.upper()} {path}" in page
    assert 'id="schema-ProfileV2"' in page
    assert 'id="schema-ProfileV1"' in page
    assert '<script src="http' not in page


def test_rate_limit_answers_429_with_retry_after(settings) -> None:
    settings.RATE_LIMIT_PER_MINUTE = 2
    client = Client()
    codes = [client.get("/api/v1/health").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    limited = client.get("/api/v1/health")
    assert limited.status_code == 429
    assert 1 <= int(limited["Retry-After"]) <= 60
    ErrorOut.model_validate(limited.json())
    assert Client(REMOTE_ADDR="10.0.0.2").get("/api/v1/health").status_code == 200
    assert client.get("/").status_code == 200  # pages are not rate limited
