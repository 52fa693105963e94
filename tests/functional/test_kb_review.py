"""``needlewise kb diff`` and ``needlewise kb snapshot`` end to end, on scratch copies of the knowledge base."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from needlewise.cli.app import app
from needlewise.cli.kb_review import _field_lines
from needlewise.engine.kb_diff import CITATIONS, CONDITION, FieldChange, RuleChange
from unit.kb.kb_copies import copy_at_1_0_0, copy_in_an_older_format, edit_yaml

runner = CliRunner()
GIT = shutil.which("git") or "git"
VIGNETTES = [
    {"id": "keloid-home", "profile": {"setting": "home", "age": 30, "history": ["keloid"]}},
    {"id": "sunburn-home", "profile": {"setting": "home", "age": 30, "skin_now": ["sunburn"]}},
    {"id": "glow", "profile": {"setting": "home", "age": 30, "goals": ["glow"]}},
    {"id": "broken", "profile": {"setting": "moon"}},
]


def run(*args: str):
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository layout: knowledge/ (no lock yet) and tests/kb/vignettes.yaml."""
    root = tmp_path / "repo"
    knowledge = copy_at_1_0_0(root)
    (knowledge / "kb.lock").unlink(missing_ok=True)
    suite = root / "tests" / "kb" / "vignettes.yaml"
    suite.parent.mkdir(parents=True)
    suite.write_text(yaml.safe_dump(VIGNETTES), encoding="utf-8")
    return root


def change_rules(knowledge: Path) -> None:
    """Keloid tier down, sunburn rule removed, a new rule, a changed citation list and advice."""

    def contraindications(data: dict) -> None:
        rules = data["rules"]
        keloid = next(r for r in rules if r["id"] == "keloid-tendency")
        keloid["tier"] = "medical_review"
        infection = next(r for r in rules if r["id"] == "active-skin-infection")
        infection["citations"] = infection["citations"][1:]
        infection["advice"]["es"] += " Gracias."
        rules.remove(next(r for r in rules if r["id"] == "sunburn"))
        young = {"field": "age", "op": "lt", "value": 16}
        rules.append({**keloid, "id": "brand-new-rule", "tier": "stop", "condition": young})

    edit_yaml(knowledge, "rules/contraindications.yaml", contraindications)


def test_diff_lists_rule_and_verdict_changes(repo: Path, tmp_path: Path) -> None:
    old = copy_at_1_0_0(tmp_path / "old")
    change_rules(repo / "knowledge")
    result = run("kb", "diff", "--from", str(old), "--to", str(repo / "knowledge"))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "The content changed but the version is still 1.0.0" in out
    assert "Files changed: rules/contraindications.yaml" in out
    assert "Rules: 1 added, 1 removed, 2 changed" in out
    assert "+ brand-new-rule  home: stop / clinic: stop" in out
    assert "- sunburn  home: stop / clinic: stop" in out
    assert "~ active-skin-infection  (citations, texts)" in out
    assert "citations: -chu-2021-safety-sr" in out
    assert "texts: advice.es" in out
    assert "~ keloid-tendency  (tier)" in out
    assert 'tier.home: "stop" -> "medical_review"' in out
    assert "Verdicts over 3 vignettes: 2 changed (0 raised, 2 lowered, 0 same tier)" in out
    assert "skipped broken: setting" in out
    assert "  keloid-home: tier stop -> medical_review (lowered)\n" in out
    assert "  sunburn-home: tier stop -> home_ok (lowered); fired -sunburn; home needle max None -> 0.3 mm\n" in out
    assert "A lowered tier is less cautious" in out


def test_diff_as_json(repo: Path, tmp_path: Path) -> None:
    old = copy_at_1_0_0(tmp_path / "old")
    change_rules(repo / "knowledge")
    result = run("kb", "diff", "--from", str(old), "--to", str(repo / "knowledge"), "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["content_changed"] is True
    assert document["version_bumped"] is False
    assert [r["id"] for r in document["rules"]["added"]] == ["brand-new-rule"]
    assert [r["id"] for r in document["rules"]["removed"]] == ["sunburn"]
    assert {c["id"]: c["kinds"] for c in document["rules"]["changed"]} == {
        "active-skin-infection": ["citations", "texts"],
        "keloid-tendency": ["tier"],
    }
    tiers = {c["id"]: (c["old"]["tier"], c["new"]["tier"]) for c in document["verdicts"]["changed"]}
    assert tiers == {"keloid-home": ("stop", "medical_review"), "sunburn-home": ("stop", "home_ok")}


def test_diff_of_the_same_content_and_of_a_bumped_version(repo: Path, tmp_path: Path) -> None:
    old = copy_at_1_0_0(tmp_path / "old")
    same = run("kb", "diff", "--from", str(old), "--to", str(repo / "knowledge"))
    assert "No change: the two knowledge bases have the same content." in same.stdout
    assert "Verdicts over 3 vignettes: 0 changed" in same.stdout
    edit_yaml(repo / "knowledge", "kb.yaml", lambda d: d.update(version="1.0.1"))
    bumped = run("kb", "diff", "--from", str(old), "--to", str(repo / "knowledge"))
    assert "No change" not in bumped.stdout
    assert "but the version is still" not in bumped.stdout
    assert "Files changed: kb.yaml" in bumped.stdout


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_diff_from_a_git_revision(repo: Path) -> None:
    def git(*args: str) -> None:
        command = [GIT, "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org", *args]
        subprocess.run(command, check=True, capture_output=True)  # noqa: S603 - git on a scratch repository

    git("init", "-q")
    git("add", ".")
    git("commit", "-q", "-m", "knowledge")
    change_rules(repo / "knowledge")
    result = run("kb", "diff", "--to", str(repo / "knowledge"), "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["from"]["source"] == "HEAD"
    assert [r["id"] for r in document["rules"]["removed"]] == ["sunburn"]
    unknown = run("kb", "diff", "--from", "no-such-ref", "--to", str(repo / "knowledge"))
    assert unknown.exit_code == 1
    assert "error: --from no-such-ref: neither a folder nor a known git revision" in unknown.stderr


def test_diff_with_an_invalid_side_or_no_vignettes(repo: Path, tmp_path: Path) -> None:
    result = run("kb", "diff", "--from", str(tmp_path), "--to", str(repo / "knowledge"))
    assert result.exit_code == 1
    assert f"error: --from {tmp_path}: this folder holds no knowledge base (no kb.yaml)" in result.stderr
    suite = str(repo / "tests" / "kb" / "vignettes.yaml")
    broken = run("kb", "diff", "--from", str(repo / "knowledge"), "--to", str(tmp_path), "--vignettes", suite)
    assert broken.exit_code == 1
    assert f"error: {tmp_path}: kb.yaml: file is missing" in broken.stderr
    missing = run("kb", "diff", "--to", str(repo / "knowledge"), "--vignettes", str(tmp_path / "none.yaml"))
    assert missing.exit_code == 1
    assert "vignette file not found" in missing.stderr


def test_diff_from_an_older_format(repo: Path, tmp_path: Path) -> None:
    old = copy_in_an_older_format(tmp_path / "old")
    result = run("kb", "diff", "--from", str(old), "--to", str(repo / "knowledge"))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert f"{old} is in an older format, read with tolerance (errors under the current code):" in out
    assert "  vocabulary.yaml: skin_now: no label for value 'recent_tan'\n" in out
    assert "  questionnaire.yaml: no 'not sure' answer to: skin_now\n" in out
    assert "Rules: 0 added, 0 removed, 1 changed, 2 unreadable in the old version" in out
    assert "  ? sunburn  unreadable in the old version:\n" in out
    assert "condition.field: unknown field 'sunburn_days_ago'" in out
    assert "Verdicts over 3 vignettes: 1 changed (1 raised, 0 lowered, 0 same tier), 1 not comparable" in out
    assert "  not comparable sunburn-home: sunburn fires now and could not be read in the old version\n" in out
    assert "  keloid-home: tier medical_review -> stop (raised)\n" in out


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_diff_from_the_last_knowledge_base_before_2_0_0() -> None:
    """The repository's own history, where it is there (a shallow clone may not have it)."""
    revision = "238925d~1"
    here = Path(__file__).resolve().parent
    found = subprocess.run(  # noqa: S603 - git on this repository
        [GIT, "-C", str(here), "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"],
        capture_output=True,
        check=False,
    )
    if found.returncode != 0:
        pytest.skip(f"{revision} is not in this clone")
    result = run("kb", "diff", "--from", revision)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert f"from {revision} (1.0.0, " in out
    assert "is in an older format, read with tolerance" in out
    assert "vocabulary.yaml: history: no label for value 'cardiac_abnormality'" in out
    assert (
        "not comparable unsure-skin-now-home: 'not sure' to skin_now, which the old questionnaire does not take" in out
    )
    assert "history 'cardiac_abnormality' is not in the old vocabulary" in out


def test_snapshot_records_checks_and_refuses_an_unbumped_change(repo: Path) -> None:
    knowledge = str(repo / "knowledge")
    recorded = run("kb", "snapshot", "--dir", knowledge)
    assert recorded.exit_code == 0, recorded.output
    assert "version 1.0.0 (sha256:" in recorded.stdout
    assert ") recorded in" in recorded.stdout
    assert "3 vignette verdicts written" in recorded.stdout
    assert "skipped broken: setting" in recorded.stdout
    assert "in one commit" in recorded.stdout
    assert (repo / "knowledge" / "kb.lock").is_file()
    assert (repo / "tests" / "kb" / "vignette_verdicts.json").is_file()

    current = run("kb", "snapshot", "--dir", knowledge, "--check")
    assert current.exit_code == 0, current.output
    assert "knowledge base 1.0.0 is recorded in kb.lock and the verdict snapshot is current" in current.stdout

    change_rules(repo / "knowledge")
    stale = run("kb", "snapshot", "--dir", knowledge, "--check")
    assert stale.exit_code == 1
    assert "the knowledge base changed but kb.yaml's version is still 1.0.0" in stale.stderr
    assert "2 vignette verdict(s) differ from the reviewed snapshot" in stale.stderr
    assert "keloid-home: tier stop -> medical_review (lowered)" in stale.stderr

    refused = run("kb", "snapshot", "--dir", knowledge)
    assert refused.exit_code == 1
    assert "error: kb.yaml: version 1.0.0: already recorded in kb.lock with other content" in refused.stderr

    done = run("kb", "snapshot", "--dir", knowledge, "--bump", "minor")
    assert done.exit_code == 0, done.output
    assert "version bumped: 1.0.0 -> 1.1.0 (kb.yaml)" in done.stdout
    assert "2 changed:" in done.stdout
    assert "  sunburn-home: tier stop -> home_ok (lowered); fired -sunburn" in done.stdout
    again = run("kb", "snapshot", "--dir", knowledge, "--bump", "minor")
    assert "version bumped" not in again.stdout
    assert "already recorded in" in again.stdout
    assert run("kb", "snapshot", "--dir", knowledge, "--check").exit_code == 0


def test_snapshot_check_with_only_a_stale_lock_or_only_a_stale_snapshot(repo: Path, tmp_path: Path) -> None:
    knowledge = str(repo / "knowledge")
    run("kb", "snapshot", "--dir", knowledge)
    lock_only = run("kb", "snapshot", "--dir", knowledge, "--check", "--lock", str(tmp_path / "other.lock"))
    assert lock_only.exit_code == 1
    assert "kb.yaml's version 1.0.0 is not recorded in kb.lock" in lock_only.stderr
    assert "differ" not in lock_only.stderr
    verdicts = repo / "tests" / "kb" / "vignette_verdicts.json"
    data = json.loads(verdicts.read_text(encoding="utf-8"))
    data["verdicts"]["glow"]["tier"] = "stop"
    verdicts.write_text(json.dumps(data), encoding="utf-8")
    snapshot_only = run("kb", "snapshot", "--dir", knowledge, "--check")
    assert snapshot_only.exit_code == 1
    assert "kb.lock" not in snapshot_only.stderr
    assert "glow: tier stop -> home_ok (lowered)" in snapshot_only.stderr


def test_snapshot_check_takes_no_bump(repo: Path) -> None:
    result = run("kb", "snapshot", "--dir", str(repo / "knowledge"), "--check", "--bump", "patch")
    assert result.exit_code == 2
    assert "--check records nothing" in result.output


def test_rule_field_lines_shorten_long_values_and_name_a_new_citation_order() -> None:
    long_condition = {"any": [{"field": "skin_now", "op": "contains", "value": f"value-{n}"} for n in range(20)]}
    change = RuleChange(
        "r",
        (
            FieldChange(CITATIONS, "citations", ["a", "b"], ["b", "a"]),
            FieldChange(CONDITION, "condition", {"field": "age", "op": "lt", "value": 18}, long_condition),
        ),
    )
    citations, condition = _field_lines(change)
    assert citations == "citations: same sources, new order"
    assert condition.startswith('condition: {"field": "age", "op": "lt", "value": 18} -> {"any": [')
    assert condition.endswith("…")
    assert len(condition.split(" -> ")[1]) == 160
