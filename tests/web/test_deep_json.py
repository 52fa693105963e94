"""JSON nested 30,000 deep (under the 64 kB limit) is a clear 422, never a 500 (review L2)."""

from __future__ import annotations

import pytest
from django.test import Client
from typer.testing import CliRunner

from needlewise.cli.app import app
from needlewise.errors import ProfileError
from needlewise.services.assessments import looks_like_single_document
from needlewise.services.profiles import parse_profile_json

DEEP = "[" * 30_000 + "]" * 30_000
DEEP_PROFILE = '{"profile_version": 2, "goals": ' + DEEP + "}"
MESSAGE = "not a profile: JSON nested too deeply"


@pytest.mark.parametrize("text", [DEEP, DEEP_PROFILE])
def test_the_parser_refuses_it_with_a_clear_problem(text: str) -> None:
    with pytest.raises(ProfileError) as refused:
        parse_profile_json(text)
    assert (refused.value.first.where, refused.value.first.message) == ("(input)", MESSAGE)
    assert not looks_like_single_document(text)


@pytest.mark.parametrize("text", [DEEP, DEEP_PROFILE])
def test_the_api_answers_422(client: Client, text: str) -> None:
    response = client.post("/api/v1/assessments", text.encode(), content_type="application/json")
    assert response.status_code == 422
    assert response.json()["problems"][0]["message"] == MESSAGE


def test_the_command_line_says_so() -> None:
    result = CliRunner().invoke(app, ["assess", "--input", "-", "--format", "json"], input=DEEP_PROFILE)
    assert result.exit_code == 2
    assert f"error: (input): {MESSAGE}" in result.output
