"""``needlewise kb sources``: the JSON keeps the reviewer fields (where a text was read, merged numbers, notes)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from needlewise.cli.app import app


def test_kb_sources_json_has_the_reviewer_fields() -> None:
    result = CliRunner().invoke(app, ["kb", "sources", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = {row["id"]: row for row in json.loads(result.stdout)}
    hou = rows["hou-2017-mn-review"]
    assert hou["url"] == "https://doi.org/10.1097/DSS.0000000000000924"
    assert hou["read_at"] == [
        "https://www.scribd.com/document/547487044/Microneedling-a-Comprehensive-Review",
        "https://ouci.dntb.gov.ua/works/45263DDl",
    ]
    allure = rows["allure-2017-fda-home-mn"]
    assert allure["also_brief_refs"] == [22]
    assert "savingsdaily" in allure["read_at"][0]
    assert rows["alster-2018-mn-review"]["note"].startswith("Citation as given in [3]")
    assert rows["aad-2018-mn-news-release"]["read_at"] == []
    assert set(hou) >= {"public_note", "grade", "brief_ref"}


def test_a_source_without_an_original_keeps_where_it_was_read_for_reviewers() -> None:
    result = CliRunner().invoke(app, ["kb", "sources", "--format", "json"])
    saleh = next(row for row in json.loads(result.stdout) if row["id"] == "saleh-2019-txa-melasma")
    assert saleh["url"] is None
    assert saleh["read_at"] == [
        "https://onehourindexing01.prideseotools.com/index.php?q=https%3A%2F%2Fwww.scribd.com%2Fdocument%2F672922758%2F88"
    ]


def test_the_text_listing_names_a_source_without_an_original_with_no_address() -> None:
    result = CliRunner().invoke(app, ["kb", "sources", "--grade", "RCT"], env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    line = next(line for line in result.stdout.splitlines() if "saleh-2019-txa-melasma" in line)
    assert "in treatment of melasma. (No public original found; cited as read by our reviewers)" in line
    assert "prideseotools" not in result.stdout
    assert "https://doi.org/" in result.stdout  # the others keep their originals


def test_an_assessment_on_the_command_line_names_a_source_without_an_original() -> None:
    profile = json.dumps({"setting": "home", "age": 30, "goals": ["glow"], "history": ["metal_allergy"]})
    for lang, note in (
        ("en", "(No public original found; cited as read by our reviewers)"),
        ("es", "(No se encontró un original público; se cita tal como lo leyeron nuestros revisores)"),
    ):
        args = ["assess", "-i", "-", "--lang", lang]
        result = CliRunner().invoke(app, args, input=profile, env={"COLUMNS": "400"})
        assert result.exit_code == 0, result.output
        assert f"[EO] Microneedling in the nickel-allergic patient. {note}" in result.stdout
        assert "discovery.researcher.life" not in result.stdout
