"""Change control on a scratch copy of the knowledge base: diff, status, and recording after review."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from needlewise.domain.tier import Tier
from needlewise.engine.kb_diff import Verdict, VerdictChange
from needlewise.errors import KnowledgeBaseError
from needlewise.kb.lock import Bump, LockState, read_lock, write_lock
from needlewise.services.change_control import (
    Paths,
    diff_knowledge,
    file_digests,
    read_cases,
    record,
    status,
)
from needlewise.services.kb_diff_json import diff_json
from needlewise.services.verdict_snapshot import describe_changes, read_snapshot, snapshot_message, write_snapshot
from unit.kb.kb_copies import copy_at_1_0_0, copy_of_the_knowledge_base, edit_yaml

VIGNETTES = [
    {"id": "keloid-home", "profile": {"setting": "home", "age": 30, "history": ["keloid"]}},
    {"id": "glow", "profile": {"setting": "home", "age": 30, "goals": ["glow"]}},
    {"id": "broken", "profile": {"setting": "moon", "age": 30}},
]


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    """A knowledge-base copy without a lock, and a three-vignette suite beside it, as in the repository."""
    knowledge = copy_at_1_0_0(tmp_path)
    (knowledge / "kb.lock").unlink(missing_ok=True)
    suite = tmp_path / "tests" / "kb" / "vignettes.yaml"
    suite.parent.mkdir(parents=True)
    suite.write_text(yaml.safe_dump(VIGNETTES), encoding="utf-8")
    return Paths.beside(knowledge)


def soften_keloid(knowledge: Path) -> None:
    """Keloid tendency no longer stops home use: the one vignette's tier goes down."""

    def change(data: dict) -> None:
        rule = next(r for r in data["rules"] if r["id"] == "keloid-tendency")
        rule["tier"] = "medical_review"

    edit_yaml(knowledge, "rules/contraindications.yaml", change)


def version_of(paths: Paths) -> str:
    return yaml.safe_load((paths.knowledge / "kb.yaml").read_text(encoding="utf-8"))["version"]


def test_paths_beside_a_knowledge_folder(tmp_path: Path) -> None:
    knowledge = tmp_path / "repo" / "knowledge"
    default = Paths.beside(knowledge)
    assert default.lock == knowledge / "kb.lock"
    assert default.vignettes == (tmp_path / "repo" / "tests" / "kb" / "vignettes.yaml").resolve()
    assert default.verdicts == (tmp_path / "repo" / "tests" / "kb" / "vignette_verdicts.json").resolve()
    chosen = Paths.beside(knowledge, vignettes=tmp_path / "v", verdicts=tmp_path / "s", lock=tmp_path / "l")
    assert (chosen.vignettes, chosen.verdicts, chosen.lock) == (tmp_path / "v", tmp_path / "s", tmp_path / "l")


def test_cases_are_read_and_invalid_profiles_skipped(paths: Paths) -> None:
    cases = read_cases(paths.vignettes)
    assert list(cases.profiles) == ["keloid-home", "glow"]
    assert list(cases.skipped) == ["broken"]
    assert "setting" in cases.skipped["broken"]


def test_a_missing_or_malformed_suite_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError, match="vignette file not found"):
        read_cases(tmp_path / "none.yaml")
    suite = tmp_path / "suite.yaml"
    for text in ("{}", "- id: 3\n", "- just text\n"):
        suite.write_text(text, encoding="utf-8")
        with pytest.raises(KnowledgeBaseError, match="must be a list of vignettes"):
            read_cases(suite)


def test_record_then_the_records_are_current(paths: Paths) -> None:
    first = record(paths)
    assert first.lock_written
    assert first.previous_version is None
    assert first.cases == 2
    assert list(first.skipped) == ["broken"]
    assert [c.case_id for c in first.verdict_changes] == ["keloid-home", "glow"]  # nothing recorded before
    assert read_lock(paths.lock) == {first.version.version: first.version.content_hash}
    assert read_snapshot(paths.verdicts)["keloid-home"].tier is Tier.STOP
    now = status(paths)
    assert now.current
    assert now.lock is LockState.RECORDED
    again = record(paths)
    assert not again.lock_written
    assert again.verdict_changes == ()


def test_a_rule_change_needs_a_bump_and_a_new_snapshot(paths: Paths) -> None:
    record(paths)
    snapshot_before = paths.verdicts.read_bytes()
    soften_keloid(paths.knowledge)
    now = status(paths)
    assert not now.current
    assert now.lock is LockState.NOT_BUMPED
    assert [c.case_id for c in now.verdict_changes] == ["keloid-home"]
    with pytest.raises(KnowledgeBaseError, match=r"already recorded in kb\.lock with other content"):
        record(paths)
    assert paths.verdicts.read_bytes() == snapshot_before
    assert version_of(paths) == "1.0.0"
    done = record(paths, Bump.MINOR)
    assert (done.previous_version, done.version.version) == ("1.0.0", "1.1.0")
    assert version_of(paths) == "1.1.0"
    assert set(read_lock(paths.lock)) == {"1.0.0", "1.1.0"}
    (change,) = done.verdict_changes
    assert (change.case_id, change.direction) == ("keloid-home", "lowered")
    assert status(paths).current
    twice = record(paths, Bump.MINOR)  # nothing changed since: no second bump
    assert twice.previous_version is None
    assert version_of(paths) == "1.1.0"


def test_a_version_below_the_latest_is_refused_and_a_bump_is_undone(paths: Paths) -> None:
    record(paths)
    write_lock(paths.lock, {**read_lock(paths.lock), "2.0.0": "sha256:" + "f" * 64})
    soften_keloid(paths.knowledge)
    with pytest.raises(KnowledgeBaseError, match=r"version 1\.0\.1: not above the latest recorded version 2\.0\.0"):
        record(paths, Bump.PATCH)
    assert version_of(paths) == "1.0.0"
    edit_yaml(paths.knowledge, "kb.yaml", lambda d: d.update(version="1.5.0"))
    with pytest.raises(KnowledgeBaseError, match=r"not above the latest recorded version 2\.0\.0"):
        record(paths)
    assert status(paths).lock is LockState.NOT_ABOVE


def test_diff_between_two_folders(paths: Paths, tmp_path: Path) -> None:
    old = copy_at_1_0_0(tmp_path / "old")
    soften_keloid(paths.knowledge)
    edit_yaml(paths.knowledge, "rules/hygiene.yaml", lambda d: d["rules"].pop(0))
    diff = diff_knowledge(old, paths.knowledge, read_cases(paths.vignettes), old_label="HEAD", new_label="work")
    assert diff.content_changed
    assert not diff.version_bumped
    assert diff.files == ("rules/contraindications.yaml", "rules/hygiene.yaml")
    assert [c.rule_id for c in diff.rules.changed] == ["keloid-tendency"]
    assert [r.rule_id for r in diff.rules.removed] == ["shared-device"]
    assert diff.cases == 2
    document = diff_json(diff)
    assert document["from"] == {"source": "HEAD", **diff.old.to_json(), "read_with_tolerance": []}
    assert document["rules"]["removed"] == [
        {"id": "shared-device", "tier": {"home": "home_caution", "clinic": "home_caution"}}
    ]
    changed = document["rules"]["changed"][0]
    assert changed["kinds"] == ["tier"]
    assert changed["fields"] == [{"kind": "tier", "field": "tier.home", "old": "stop", "new": "medical_review"}]
    (verdict,) = document["verdicts"]["changed"]
    assert verdict["id"] == "keloid-home"
    assert verdict["direction"] == "lowered"
    assert verdict["old"]["tier"] == "stop"
    assert document["verdicts"]["skipped"] == {"broken": diff.skipped["broken"]}
    reverse = diff_json(diff_knowledge(paths.knowledge, old, read_cases(paths.vignettes), old_label="a", new_label="b"))
    assert [r["id"] for r in reverse["rules"]["added"]] == ["shared-device"]


def test_an_invalid_side_is_named(paths: Paths, tmp_path: Path) -> None:
    (paths.knowledge / "gaps.yaml").unlink()
    with pytest.raises(KnowledgeBaseError) as caught:
        diff_knowledge(paths.knowledge, paths.knowledge, read_cases(paths.vignettes), old_label="v1", new_label="v2")
    assert str(caught.value.first) == "v1: gaps.yaml: file is missing"
    assert set(file_digests(paths.knowledge)) == set(file_digests(copy_of_the_knowledge_base(tmp_path / "whole"))) - {
        "gaps.yaml"
    }


def test_snapshot_round_trip_and_damage(tmp_path: Path) -> None:
    path = tmp_path / "verdicts.json"
    assert read_snapshot(path) == {}
    recorded = {"b": Verdict(Tier.STOP, ("x",), None), "a": Verdict(Tier.HOME_OK, (), 0.3)}
    write_snapshot(path, recorded)
    assert read_snapshot(path) == recorded
    assert list(read_snapshot(path)) == ["b", "a"]
    assert path.read_text(encoding="utf-8").count("\n") == 7  # one line per vignette
    path.write_text('{"about": "x", "verdicts": {"a": {"tier": "maybe"}}}', encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match="not a verdict snapshot"):
        read_snapshot(path)


def test_changes_are_described_one_line_each() -> None:
    stop = Verdict(Tier.STOP, ("a", "b"), None)
    ok = Verdict(Tier.HOME_OK, ("b", "c"), 0.3)
    lines = describe_changes(
        [
            VerdictChange("new", None, stop),
            VerdictChange("gone", stop, None),
            VerdictChange("moved", stop, ok),
            VerdictChange("rules", stop, Verdict(Tier.STOP, ("a",), None)),
        ]
    )
    assert lines == [
        "new: not in the snapshot (now stop)",
        "gone: in the snapshot (stop) but no longer in the suite",
        "moved: tier stop -> home_ok (lowered); fired +c -a; home needle max None -> 0.3 mm",
        "rules: fired -b",
    ]
    message = snapshot_message([VerdictChange("moved", stop, ok)])
    assert "1 vignette verdict(s) differ" in message
    assert "  moved: tier stop -> home_ok" in message
    assert "needlewise kb diff" in message
    assert "make kb-snapshot BUMP=patch|minor|major" in message
