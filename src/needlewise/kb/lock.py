"""The version lock: every knowledge-base version and the content hash it was recorded with.

``knowledge/kb.lock`` maps each ``kb.yaml`` version to the content hash of the whole knowledge base at
that version (the hash every assessment carries). A version is recorded once and never changes, so
a content change without a version bump is caught, and a stored screening's hash names its version.
The loader never reads this file, and it is not part of the content hash.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path

from needlewise.domain.assessment import KbVersion
from needlewise.errors import KnowledgeBaseError, Problem

LOCK_FILE = "kb.lock"
ABOUT = (
    "Each knowledge-base version (knowledge/kb.yaml) and the content hash it was recorded with. "
    "Written by `make kb-snapshot` after review; never edit by hand (see docs/kb-authoring.md)."
)
RECORD_COMMAND = "make kb-snapshot"
BUMP_COMMAND = "make kb-snapshot BUMP=patch|minor|major"

_VERSION_LINE = re.compile(r"""^(version:[ \t]*)(["']?)(\d+\.\d+\.\d+)\2([ \t]*(?:#.*)?)$""", re.MULTILINE)
_HASH = re.compile(r"^sha256:[0-9a-f]{64}$")


class Bump(StrEnum):
    """Which part of the version to raise."""

    PATCH = "patch"
    MINOR = "minor"
    MAJOR = "major"


class LockState(StrEnum):
    """How the knowledge base's version stands against the lock."""

    RECORDED = "recorded"  # this version is recorded with exactly this content
    NEW = "new"  # a version above every recorded one, not recorded yet
    NOT_BUMPED = "not_bumped"  # this version is recorded with other content
    NOT_ABOVE = "not_above"  # a new version, but not above the latest recorded one


def read_lock(path: Path) -> dict[str, str]:
    """The recorded versions and hashes; empty when there is no lock yet."""
    if not path.is_file():
        return {}
    where = path.name
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as error:
        raise KnowledgeBaseError([Problem(where, f"not valid JSON: {error}")]) from None
    versions = data.get("versions") if isinstance(data, dict) else None
    if not isinstance(versions, dict):
        raise KnowledgeBaseError([Problem(where, 'must be an object with "versions": {version: content hash}')])
    bad = [
        f"{v}: {h}" for v, h in versions.items() if _parse(v) is None or not isinstance(h, str) or not _HASH.match(h)
    ]
    if bad:
        raise KnowledgeBaseError([Problem(f"{where}: versions", f"not a version and a sha256 hash: {b}") for b in bad])
    return dict(versions)


def write_lock(path: Path, versions: Mapping[str, str]) -> None:
    """Write the lock, one version per line, oldest first."""
    ordered = sorted(versions.items(), key=lambda item: _key(item[0]))
    lines = [f"    {json.dumps(v)}: {json.dumps(h)}" for v, h in ordered]
    body = ",\n".join(lines)
    path.write_text(
        f'{{\n  "about": {json.dumps(ABOUT)},\n  "versions": {{\n{body}\n  }}\n}}\n',
        encoding="utf-8",
    )


def lock_state(versions: Mapping[str, str], version: KbVersion) -> LockState:
    """Whether ``version`` is recorded, new, or a content change without a (proper) bump."""
    recorded = versions.get(version.version)
    if recorded == version.content_hash:
        return LockState.RECORDED
    if recorded is not None:
        return LockState.NOT_BUMPED
    if versions and _key(version.version) < max(_key(v) for v in versions):
        return LockState.NOT_ABOVE
    return LockState.NEW


def lock_message(versions: Mapping[str, str], version: KbVersion) -> str | None:
    """What is wrong and how to fix it, or None when ``version`` is recorded with this content."""
    state = lock_state(versions, version)
    v = version.version
    if state is LockState.NOT_BUMPED:
        return (
            f"the knowledge base changed but kb.yaml's version is still {v} (recorded with "
            f"{versions[v]}, now {version.content_hash}). Review the change (`needlewise kb diff`), then bump "
            f"the version and re-record: `{BUMP_COMMAND}` (see docs/kb-authoring.md, Change control)."
        )
    if state is LockState.NOT_ABOVE:
        latest = latest_version(versions)
        return f"kb.yaml's version {v} is not above the latest recorded version {latest}: use `{BUMP_COMMAND}`."
    if state is LockState.NEW:
        return f"kb.yaml's version {v} is not recorded in {LOCK_FILE}: after review, record it with `{RECORD_COMMAND}`."
    return None


def latest_version(versions: Mapping[str, str]) -> str:
    """The highest recorded version (``versions`` must not be empty)."""
    return max(versions, key=_key)


def bumped(version: str, part: Bump) -> str:
    """``version`` with ``part`` raised and the parts after it reset (``1.2.3`` + minor = ``1.3.0``)."""
    major, minor, patch = _key(version)
    if part is Bump.MAJOR:
        return f"{major + 1}.0.0"
    if part is Bump.MINOR:
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def set_version(kb_yaml: Path, version: str) -> None:
    """Rewrite the top-level ``version:`` line of ``kb.yaml``, keeping everything else byte for byte."""
    text = kb_yaml.read_text(encoding="utf-8")
    quote = '"'

    def replace(match: re.Match[str]) -> str:
        mark = match[2] or quote
        return f"{match[1]}{mark}{version}{mark}{match[4]}"

    new, count = _VERSION_LINE.subn(replace, text, count=1)
    if count != 1:
        raise KnowledgeBaseError([Problem("kb.yaml: version", 'no top-level line like version: "1.2.3"')])
    kb_yaml.write_text(new, encoding="utf-8")


def _parse(version: object) -> tuple[int, int, int] | None:
    if not isinstance(version, str) or not re.fullmatch(r"\d+\.\d+\.\d+", version):
        return None
    major, minor, patch = (int(part) for part in version.split("."))
    return major, minor, patch


def _key(version: str) -> tuple[int, int, int]:
    parsed = _parse(version)
    if parsed is None:
        raise KnowledgeBaseError([Problem("kb.yaml: version", f"not a version like 1.2.3: {version!r}")])
    return parsed
