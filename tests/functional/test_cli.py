"""The command line, end to end through Typer's runner: outputs, exit codes, errors without tracebacks."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from needlewise import bootstrap
from needlewise.cli.app import app, main
from needlewise.kb.files import ENVIRONMENT_VARIABLE

runner = CliRunner()
GLOW = {"setting": "home", "age": 30, "goals": ["glow"], "device": {"kind": "roller", "needle_mm": 0.25, "uses": 0}}
COLD_SORE = {"setting": "home", "age": 30, "skin_now": ["cold_sore"]}


@pytest.fixture(autouse=True)
def fresh_knowledge_base() -> Iterator[None]:
    bootstrap.knowledge_base.cache_clear()
    yield
    bootstrap.knowledge_base.cache_clear()


def run(*args: str, stdin: str | None = None):
    result = runner.invoke(app, list(args), input=stdin)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_assess_a_file_as_json(tmp_path: Path) -> None:
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(GLOW, indent=2), encoding="utf-8")
    result = run("assess", "--input", str(path), "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["tier"] == "home_ok"
    assert data["plan"]["home_needle_mm_max"] == 0.3
    assert data["kb_version"]["content_hash"].startswith("sha256:")


def test_assess_stdin_in_spanish_markdown() -> None:
    result = run("assess", "-i", "-", "-f", "markdown", "--lang", "es", stdin=json.dumps(COLD_SORE))
    assert result.exit_code == 0
    assert result.stdout.startswith("# Veredicto: No te hagas microneedling ahora")
    assert "Herpes labial activo" in result.stdout


def test_assess_text_shows_verdict_reasons_sources_and_plan() -> None:
    result = run("assess", "-i", "-", stdin=json.dumps({**GLOW, "goals": ["acne_scars"]}))
    assert result.exit_code == 0
    out = result.stdout
    assert "This needs a trained practitioner" in out
    assert "[SR] Harris AG" in out
    assert "Your plan" in out
    assert "decision support, not a diagnosis" in out


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (
            {"setting": "home", "age": 30, "device": {"needle_mm": False}},
            "error: device.needle_mm: Input should be a valid number",
        ),
        ({"setting": "home", "age": 400}, "error: age: Input should be less than or equal to 120"),
        (
            {"setting": "hom", "age": 3, "x": 1},
            "error: setting: 'hom' is not allowed (allowed: home, clinic) (did you mean 'home'?) (+1 more)",
        ),
    ],
)
def test_invalid_profile_exits_2_with_one_line_naming_the_field(document: dict, message: str) -> None:
    result = run("assess", "-i", "-", "-f", "json", stdin=json.dumps(document))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.strip() == message.strip() or result.stderr.startswith(message)
    assert len(result.stderr.strip().splitlines()) == 1


def test_invalid_json_exits_2() -> None:
    result = run("assess", "-i", "-", stdin="{setting: home}\n")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: (input): not valid JSON")


@pytest.mark.parametrize("stdin", ["", "\n\n  \n"])
def test_empty_input_is_an_error(stdin: str) -> None:
    result = run("assess", "-i", "-", stdin=stdin)
    assert result.exit_code == 2
    assert "input is empty" in result.stderr


def test_unreadable_file_is_an_error(tmp_path: Path) -> None:
    result = run("assess", "-i", str(tmp_path / "missing.json"))
    assert result.exit_code == 2
    assert "cannot read" in result.stderr


def test_json_lines_batch_keeps_order_and_reports_bad_lines() -> None:
    lines = [json.dumps(GLOW), '{"setting": "home", "age": -3}', "", json.dumps(COLD_SORE)]
    result = run("assess", "-i", "-", "-f", "json", stdin="\n".join(lines) + "\n")
    assert result.exit_code == 2
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == 4
    assert out[0]["tier"] == "home_ok"
    assert out[1]["error"]["line"] == 2
    assert out[1]["error"]["field"] == "age"
    assert out[2]["error"] == {
        "line": 3,
        "field": "(input)",
        "message": "empty line: expected one JSON profile",
        "suggestion": None,
        "problems": [{"field": "(input)", "message": "empty line: expected one JSON profile", "suggestion": None}],
    }
    assert out[3]["tier"] == "stop"
    assert "2 line(s) of the input were invalid" in result.stderr


def test_valid_batch_exits_0_with_one_line_per_profile() -> None:
    result = run("assess", "-i", "-", "-f", "json", stdin=f"{json.dumps(GLOW)}\n{json.dumps(COLD_SORE)}\n")
    assert result.exit_code == 0
    assert [json.loads(line)["tier"] for line in result.stdout.splitlines()] == ["home_ok", "stop"]


def test_batch_in_text_format() -> None:
    result = run("assess", "-i", "-", stdin=f"{json.dumps(GLOW)}\n{json.dumps(COLD_SORE)}\n")
    assert result.exit_code == 0
    assert result.stdout.count("Verdict") == 2


def test_interactive_questionnaire_stops_early_on_a_cold_sore() -> None:
    result = run("assess", "--format", "json", stdin="home\n30\ncold_sore\n")
    assert result.exit_code == 0
    assert "Stopping early" in result.stdout
    data = json.loads(result.stdout.strip().splitlines()[-1])
    assert data["tier"] == "stop"


def test_interactive_questionnaire_in_spanish_with_a_retry() -> None:
    answers = ["abc", "30", "", "no", "", "", "", "", "1", "2", "roller", "0.25", "0", "no", "", "3"]
    result = run("assess", "--lang", "es", "--setting", "home", stdin="\n".join(answers) + "\n")
    assert result.exit_code == 0
    assert "¿Qué edad tienes?" in result.stdout or "edad" in result.stdout
    assert "“abc” is not a number" in result.stdout
    assert "Veredicto" in result.stdout


def test_interactive_input_ending_early_exits_2() -> None:
    result = run("assess", stdin="home\n")
    assert result.exit_code == 2
    assert "input ended before the questionnaire was complete" in result.stdout


def test_invalid_knowledge_base_exits_1(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, str(tmp_path))
    result = run("assess", "-i", "-", stdin=json.dumps(GLOW))
    assert result.exit_code == 1
    assert "knowledge base is invalid" in result.stderr


def test_kb_check() -> None:
    result = run("kb", "check")
    assert result.exit_code == 0
    assert "is valid" in result.stdout
    assert "167 sources" in result.stdout


def test_kb_check_lists_every_problem(tmp_path: Path) -> None:
    result = run("kb", "check", "--dir", str(tmp_path))
    assert result.exit_code == 1
    assert "knowledge base is invalid (9 problem(s))" in result.stderr
    assert "kb.yaml: file is missing" in result.stderr


def test_kb_sources_filtered_by_grade() -> None:
    result = run("kb", "sources", "--format", "json", "--grade", "SR", "--grade", "RCT")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert rows
    assert {r["grade"] for r in rows} == {"SR", "RCT"}
    text = run("kb", "sources")
    assert text.exit_code == 0
    assert "Sources (167)" in text.stdout


def test_kb_rules() -> None:
    rows = json.loads(run("kb", "rules", "--format", "json").stdout)
    keloid = next(r for r in rows if r["id"] == "keloid-tendency")
    assert keloid["tier"] == {"home": "stop", "clinic": "medical_review"}
    assert keloid["citations"]
    assert "Rules (" in run("kb", "rules").stdout


def test_schema_profile() -> None:
    result = run("schema", "profile")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["title"] == "needlewise Profile v2"
    deprecated = run("schema", "profile", "--version", "1")
    assert json.loads(deprecated.stdout)["title"] == "needlewise Profile v1"
    assert run("schema", "profile", "--version", "3").exit_code == 2


def test_interactive_not_sure_is_an_answer_and_nothing_typed_is_none() -> None:
    answers = ["34", "", "none", "?", "none", "none", "never", "none", "1", "2", "1", "0.25", "0", "no", "none", "2"]
    result = run("assess", "--format", "json", "--setting", "home", stdin="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.stdout
    assert "“None of these” or “Not sure”" in result.stdout
    assert "? = not sure" in result.stdout
    data = json.loads(result.stdout[result.stdout.index('{"schema"') :])
    assert data["tier"] == "medical_review"
    assert [a["field"] for a in data["open_answers"]] == ["pregnant_or_breastfeeding"]


def test_module_entry_point_has_help() -> None:
    result = run("--help")
    assert result.exit_code == 0
    assert "Usage: needlewise" in result.stdout
    assert "assess" in result.stdout


def test_text_output_without_findings() -> None:
    result = run("assess", "-i", "-", stdin=json.dumps({"setting": "home", "age": 30}))
    assert result.exit_code == 0
    assert "No rule raised a concern" in result.stdout


def test_main_runs_the_app(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.argv", ["needlewise", "schema", "profile"])
    with pytest.raises(SystemExit) as caught:
        main()
    assert caught.value.code == 0
    assert '"title": "needlewise Profile v2"' in capsys.readouterr().out
