"""The command line's text and Markdown are written for people (issue 10 §4); its JSON stays machine form."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from needlewise.cli.app import app

runner = CliRunner()
# Isotretinoin three months ago: see a doctor first.
DOCTOR_FIRST = {"setting": "home", "age": 30, "goals": ["glow"], "isotretinoin_months_since_stop": 3}
# A 0.5 mm roller at home: 0.3 mm at most.
ROLLER = {"kind": "roller", "needle_mm": 0.5, "uses": 0}
LONG_NEEDLE = {"setting": "home", "age": 30, "goals": ["glow"], "device": ROLLER}
CODES = re.compile(r"home_ok|home_caution|medical_review|\[clinic\]|\[stop\]|`clinic`|`stop`")
SOURCE_ID = re.compile(r"\b[a-z]+(?:-[a-z0-9]+)*-(?:19|20)\d\d(?:-[a-z0-9]+)+\b")


def assess(profile: dict[str, object], *args: str) -> str:
    result = runner.invoke(app, ["assess", "-i", "-", *args], input=json.dumps(profile), env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("output", ["text", "markdown"])
def test_spanish_output_uses_words_and_a_decimal_comma(output: str) -> None:
    out = assess(DOCTOR_FIRST, "--lang", "es", "--format", output)
    assert not CODES.search(out), CODES.search(out)
    assert "antes, consulta a un médico" in out
    assert "Qué hacer ahora" in out
    out = assess(LONG_NEEDLE, "--lang", "es", "--format", output)
    assert not CODES.search(out), CODES.search(out)
    assert "0,3 mm" in out
    assert not re.search(r"(?<![\w./=-])\d+\.\d+ mm", out)


@pytest.mark.parametrize("output", ["text", "markdown"])
def test_the_plan_names_sources_by_title_and_year_not_by_id(output: str) -> None:
    out = assess(DOCTOR_FIRST, "--format", output) + assess(LONG_NEEDLE, "--format", output)
    urls = " ".join(re.findall(r"https?://\S+", out))
    assert [source_id for source_id in SOURCE_ID.findall(out) if source_id not in urls] == []
    assert "see a doctor first" in out


def test_json_keeps_the_codes_and_a_decimal_point() -> None:
    assert json.loads(assess(DOCTOR_FIRST, "--lang", "es", "--format", "json"))["tier"] == "medical_review"
    data = json.loads(assess(LONG_NEEDLE, "--lang", "es", "--format", "json"))
    facts = [fact for finding in data["findings"] for fact in finding["facts"]]
    assert {"field": "device.needle_mm", "value": 0.5} in facts
