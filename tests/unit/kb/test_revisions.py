"""Reading the knowledge base at a git revision, from a scratch repository."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from needlewise.errors import KnowledgeBaseError
from needlewise.kb import revisions
from needlewise.kb.files import read_files
from needlewise.kb.revisions import knowledge_at
from unit.kb.kb_copies import copy_of_the_knowledge_base

GIT = shutil.which("git") or "git"
pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(repository: Path, *args: str) -> str:
    done = subprocess.run(  # noqa: S603 - git on a scratch repository
        [GIT, "-C", str(repository), "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A repository whose first commit has only a README, and whose second adds knowledge/."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    (root / "README.md").write_text("x\n", encoding="utf-8")
    git(root, "add", "README.md")
    git(root, "commit", "-q", "-m", "first")
    copy_of_the_knowledge_base(root)
    (root / "knowledge" / "notes.txt").write_text("not part of the knowledge base\n", encoding="utf-8")
    git(root, "add", "knowledge")
    git(root, "commit", "-q", "-m", "knowledge")
    return root


def test_the_knowledge_base_at_a_revision_is_the_committed_one(repository: Path) -> None:
    kb_dir = repository / "knowledge"
    committed = read_files(kb_dir).content_hash
    (kb_dir / "gaps.yaml").write_text((kb_dir / "gaps.yaml").read_text(encoding="utf-8") + "# edited\n")
    assert read_files(kb_dir).content_hash != committed
    with knowledge_at("HEAD", kb_dir) as folder:
        assert read_files(folder).content_hash == committed
        assert not (folder / "notes.txt").exists()
        assert (folder / "rules").is_dir()
    assert not folder.exists()


def test_a_knowledge_base_at_the_root_of_its_repository(tmp_path: Path) -> None:
    kb_dir = copy_of_the_knowledge_base(tmp_path)
    git(kb_dir, "init", "-q")
    git(kb_dir, "add", ".")
    git(kb_dir, "commit", "-q", "-m", "all")
    with knowledge_at("HEAD", kb_dir) as folder:
        assert read_files(folder).content_hash == read_files(kb_dir).content_hash


@pytest.mark.parametrize(
    ("revision", "message"),
    [
        ("no-such-branch", "neither a folder nor a known git revision"),
        ("HEAD~1", "no knowledge base at knowledge/"),
        ("--output=x", "not a git revision"),
        ("", "not a git revision"),
    ],
)
def test_revisions_that_cannot_be_read(repository: Path, revision: str, message: str) -> None:
    with pytest.raises(KnowledgeBaseError, match=message), knowledge_at(revision, repository / "knowledge"):
        pass


def test_a_folder_outside_git(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError, match="not inside a git repository"), knowledge_at("HEAD", tmp_path):
        pass


def test_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError, match="folder not found"), knowledge_at("HEAD", tmp_path / "nowhere"):
        pass


def test_without_git(repository: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(revisions.shutil, "which", lambda _: None)
    with pytest.raises(KnowledgeBaseError, match="git is not installed"), knowledge_at("HEAD", repository):
        pass


def _failing_ls_tree(stderr: bytes):
    real = subprocess.run

    def run(args: list[str], **options: object) -> subprocess.CompletedProcess[bytes]:
        if "ls-tree" in args:
            return subprocess.CompletedProcess(args, 128, b"", stderr)
        return real(args, **options)

    return run


@pytest.mark.parametrize(
    ("stderr", "message"),
    [(b"warning: first\nfatal: the last line\n", "fatal: the last line"), (b"", "git ls-tree failed")],
)
def test_a_git_failure_says_what_git_said(
    repository: Path, monkeypatch: pytest.MonkeyPatch, stderr: bytes, message: str
) -> None:
    monkeypatch.setattr(revisions.subprocess, "run", _failing_ls_tree(stderr))
    with pytest.raises(KnowledgeBaseError, match=message), knowledge_at("HEAD", repository / "knowledge"):
        pass
