"""``needlewise kb sources --format json`` keeps the reviewer fields: where a text was read, merged numbers, notes."""

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
