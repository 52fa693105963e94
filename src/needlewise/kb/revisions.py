"""The knowledge base as it was at a git revision, copied out to a temporary folder.

``needlewise kb diff --from REF`` reads ``knowledge/`` at ``REF`` from the git repository that holds the
folder it compares against, at the same path inside that repository. Only the knowledge base's own
files are copied (the top-level files and ``rules/*.yaml``); nothing in the repository is changed.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from needlewise.errors import KnowledgeBaseError, Problem
from needlewise.kb.files import RULES_FOLDER, TOP_LEVEL_FILES

GIT_TIMEOUT_S = 60


@contextmanager
def knowledge_at(revision: str, beside: Path) -> Iterator[Path]:
    """A temporary copy of the knowledge base at git ``revision``, for as long as the block runs.

    ``beside`` is a knowledge-base folder inside a git work tree: the revision is read from that
    repository, at the same path. Raise :class:`KnowledgeBaseError` when it cannot be read.
    """
    where = f"--from {revision}"
    if not revision or revision.startswith("-"):
        raise KnowledgeBaseError([Problem(where, "not a git revision")])
    if not beside.is_dir():
        raise KnowledgeBaseError([Problem(str(beside), "knowledge base folder not found")])
    outside = "not inside a git repository: give --from a knowledge base folder instead"
    root = Path(_git(beside, "rev-parse", "--show-toplevel", where=str(beside), message=outside).decode().strip())
    prefix = _git(beside, "rev-parse", "--show-prefix", where=str(beside), message=outside).decode().strip()
    spec = f"{revision}^{{commit}}"
    found = _git(
        root, "rev-parse", "--verify", "--quiet", spec, where=where, message="neither a folder nor a known git revision"
    )
    commit = found.decode().strip()
    listed = _git(root, "ls-tree", "-r", "--name-only", "-z", commit, "--", prefix or ".", where=where)
    wanted = {*TOP_LEVEL_FILES}
    names = [PurePosixPath(n).relative_to(prefix) if prefix else PurePosixPath(n) for n in _split(listed)]
    chosen = [n for n in names if str(n) in wanted or (n.parent.as_posix() == RULES_FOLDER and n.suffix == ".yaml")]
    if not chosen:
        raise KnowledgeBaseError([Problem(where, f"no knowledge base at {prefix or './'} in {commit[:12]}")])
    folder = Path(tempfile.mkdtemp(prefix="needlewise-kb-"))
    try:
        for name in chosen:
            data = _git(root, "cat-file", "blob", f"{commit}:{prefix}{name.as_posix()}", where=where)
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _split(listing: bytes) -> list[str]:
    return [part.decode() for part in listing.split(b"\0") if part]


def _git(cwd: Path, *args: str, where: str, message: str | None = None) -> bytes:
    git = shutil.which("git")
    if git is None:
        raise KnowledgeBaseError([Problem(where, "git is not installed")])
    done = subprocess.run(  # noqa: S603 - fixed git subcommands; the revision cannot be an option
        [git, "-C", str(cwd), *args],
        capture_output=True,
        check=False,
        timeout=GIT_TIMEOUT_S,
    )
    if done.returncode != 0:
        lines = done.stderr.decode(errors="replace").strip().splitlines()
        raise KnowledgeBaseError([Problem(where, message or (lines[-1] if lines else f"git {args[0]} failed"))])
    return done.stdout
