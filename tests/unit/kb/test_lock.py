"""The version lock: each kb.yaml version names one content, and versions only go up."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from needlewise.domain.assessment import KbVersion
from needlewise.errors import KnowledgeBaseError
from needlewise.kb.lock import (
    ABOUT,
    Bump,
    LockState,
    bumped,
    latest_version,
    lock_message,
    lock_state,
    read_lock,
    set_version,
    write_lock,
)

A = "sha256:" + "a" * 64
B = "sha256:" + "b" * 64
C = "sha256:" + "c" * 64


def test_no_lock_file_means_nothing_recorded(tmp_path: Path) -> None:
    assert read_lock(tmp_path / "kb.lock") == {}


def test_written_lock_reads_back_oldest_first(tmp_path: Path) -> None:
    path = tmp_path / "kb.lock"
    write_lock(path, {"1.10.0": C, "1.2.0": B, "1.0.0": A})
    assert read_lock(path) == {"1.0.0": A, "1.2.0": B, "1.10.0": C}
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["about"] == ABOUT
    assert list(data["versions"]) == ["1.0.0", "1.2.0", "1.10.0"]
    assert path.read_text(encoding="utf-8").count("\n") == 8  # one line per version


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "not valid JSON"),
        ("[]", '"versions"'),
        ('{"versions": []}', '"versions"'),
        ('{"versions": {"1.0": "' + A + '"}}', "1.0: " + A),
        ('{"versions": {"1.0.0": "md5:abc"}}', "1.0.0: md5:abc"),
        ('{"versions": {"1.0.0": 3}}', "1.0.0: 3"),
    ],
)
def test_a_damaged_lock_is_refused(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "kb.lock"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as caught:
        read_lock(path)
    assert message in str(caught.value)


def test_a_recorded_version_with_its_content_is_current() -> None:
    assert lock_state({"1.0.0": A}, KbVersion("1.0.0", A)) is LockState.RECORDED
    assert lock_message({"1.0.0": A}, KbVersion("1.0.0", A)) is None


def test_a_content_change_without_a_bump_is_caught() -> None:
    versions = {"1.0.0": A}
    assert lock_state(versions, KbVersion("1.0.0", B)) is LockState.NOT_BUMPED
    message = lock_message(versions, KbVersion("1.0.0", B))
    assert message is not None
    assert "still 1.0.0" in message
    assert "make kb-snapshot BUMP=patch|minor|major" in message
    assert "needlewise kb diff" in message


def test_a_new_version_must_be_recorded() -> None:
    assert lock_state({}, KbVersion("1.0.0", A)) is LockState.NEW
    assert lock_state({"1.0.0": A}, KbVersion("1.0.1", B)) is LockState.NEW
    message = lock_message({"1.0.0": A}, KbVersion("1.0.1", B))
    assert message is not None
    assert "1.0.1 is not recorded" in message
    assert "`make kb-snapshot`" in message


def test_a_version_below_the_latest_is_refused() -> None:
    versions = {"1.0.0": A, "1.2.0": B}
    assert lock_state(versions, KbVersion("1.1.5", C)) is LockState.NOT_ABOVE
    message = lock_message(versions, KbVersion("1.1.5", C))
    assert message is not None
    assert "not above the latest recorded version 1.2.0" in message
    assert latest_version({"1.10.0": A, "1.9.0": B}) == "1.10.0"


@pytest.mark.parametrize(
    ("part", "expected"),
    [(Bump.PATCH, "1.2.4"), (Bump.MINOR, "1.3.0"), (Bump.MAJOR, "2.0.0")],
)
def test_bumped(part: Bump, expected: str) -> None:
    assert bumped("1.2.3", part) == expected


def test_bumping_something_that_is_not_a_version_is_an_error() -> None:
    with pytest.raises(KnowledgeBaseError, match=r"not a version like 1\.2\.3"):
        bumped("one", Bump.PATCH)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('version: "1.0.0"', 'version: "2.0.0"'),
        ("version: '1.0.0'  # the human version", "version: '2.0.0'  # the human version"),
        ("version: 1.0.0", 'version: "2.0.0"'),
    ],
)
def test_set_version_changes_only_the_version_line(tmp_path: Path, line: str, expected: str) -> None:
    path = tmp_path / "kb.yaml"
    path.write_text(
        f"# version: 0.0.1 in a comment stays\nname: x\n{line}\nother:\n  version: 1.0.0\n", encoding="utf-8"
    )
    set_version(path, "2.0.0")
    assert path.read_text(encoding="utf-8") == (
        f"# version: 0.0.1 in a comment stays\nname: x\n{expected}\nother:\n  version: 1.0.0\n"
    )


def test_set_version_without_a_version_line_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "kb.yaml"
    path.write_text("name: x\n", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match="no top-level line"):
        set_version(path, "2.0.0")
