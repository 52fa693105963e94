"""Change control for the knowledge base: what a change does, and the records a reviewed change updates.

* :func:`diff_knowledge` compares two knowledge-base folders: rules added, removed and changed, the
  files that differ, and every vignette whose verdict changes. The old side may be written for an
  older needlewise: it is read with tolerance (:mod:`needlewise.kb.older`), its unreadable rules are
  listed, and vignettes it cannot express are not comparable (:mod:`needlewise.services.comparable`).
* The reviewed verdict snapshot (``tests/kb/vignette_verdicts.json``) holds each vignette's tier, fired
  rules and home needle limit; a test fails when today's verdicts differ from it.
* The version lock (``knowledge/kb.lock``, see :mod:`needlewise.kb.lock`) ties each version to its content.

:func:`record` bumps the version if asked, then writes the lock and the snapshot: one step, after review.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from needlewise.domain.assessment import KbVersion
from needlewise.domain.profile import Profile
from needlewise.engine.kb_diff import RulesDiff, VerdictChange, compare_verdicts, diff_rules, verdicts
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.errors import KnowledgeBaseError, Problem, ProfileError
from needlewise.kb.files import RULES_FOLDER, TOP_LEVEL_FILES
from needlewise.kb.loader import load_knowledge_base
from needlewise.kb.lock import (
    LOCK_FILE,
    RECORD_COMMAND,
    Bump,
    LockState,
    bumped,
    latest_version,
    lock_state,
    read_lock,
    set_version,
    write_lock,
)
from needlewise.kb.older import OlderFormat
from needlewise.services.comparable import not_comparable
from needlewise.services.profiles import parse_profile
from needlewise.services.verdict_snapshot import VERDICTS, read_snapshot, write_snapshot

VIGNETTES = Path("tests/kb/vignettes.yaml")
TOO_OLD = (
    "the current code cannot read this knowledge base even as an older format (the problems above): "
    "compare with a later revision"
)


@dataclass(frozen=True, slots=True)
class Paths:
    """Where the change-control records of one knowledge-base folder are."""

    knowledge: Path
    lock: Path
    vignettes: Path
    verdicts: Path

    @classmethod
    def beside(
        cls,
        knowledge: Path,
        *,
        vignettes: Path | None = None,
        verdicts: Path | None = None,
        lock: Path | None = None,
    ) -> Paths:
        """The lock in the folder, the vignettes and the snapshot in the repository's ``tests/kb``."""
        repository = knowledge.resolve().parent
        return cls(
            knowledge=knowledge,
            lock=lock or knowledge / LOCK_FILE,
            vignettes=vignettes or repository / VIGNETTES,
            verdicts=verdicts or repository / VERDICTS,
        )


@dataclass(frozen=True, slots=True)
class Cases:
    """The vignettes' profiles by id, and the vignettes whose profile is invalid (id -> problem)."""

    profiles: dict[str, Profile]
    skipped: dict[str, str] = field(default_factory=dict)


def read_cases(path: Path) -> Cases:
    """The vignette suite's profiles; a missing file is an error, an invalid profile is skipped."""
    if not path.is_file():
        raise KnowledgeBaseError([Problem(str(path), "vignette file not found (give --vignettes)")])
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, list) or not all(isinstance(v, dict) and isinstance(v.get("id"), str) for v in data):
        raise KnowledgeBaseError([Problem(str(path), "must be a list of vignettes, each with an id")])
    profiles: dict[str, Profile] = {}
    skipped: dict[str, str] = {}
    for vignette in data:
        try:
            profiles[vignette["id"]] = parse_profile(vignette.get("profile"))
        except ProfileError as error:
            skipped[vignette["id"]] = str(error.first)
    return Cases(profiles, skipped)


# ------------------------------------------------------------------------------------------------
# kb diff


@dataclass(frozen=True, slots=True)
class KbDiff:
    """Everything ``needlewise kb diff`` reports."""

    old_label: str
    new_label: str
    old: KbVersion
    new: KbVersion
    rules: RulesDiff
    files: tuple[str, ...]
    cases: int
    verdicts: tuple[VerdictChange, ...]
    skipped: Mapping[str, str]
    not_comparable: Mapping[str, str] = field(default_factory=dict)  # vignette id -> why
    old_notes: tuple[Problem, ...] = ()  # what the old side's older format lacks, read with tolerance
    unreadable: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # old rule id -> why

    @property
    def content_changed(self) -> bool:
        """Whether any knowledge-base file differs."""
        return self.old.content_hash != self.new.content_hash

    @property
    def version_bumped(self) -> bool:
        """Whether ``kb.yaml``'s version differs."""
        return self.old.version != self.new.version


def diff_knowledge(old_dir: Path, new_dir: Path, cases: Cases, *, old_label: str, new_label: str) -> KbDiff:
    """Compare the knowledge bases in two folders over the vignette suite ``cases``.

    The old side is read with tolerance for an older format; the new side must load as it is.
    """
    older = OlderFormat()
    old, new = _load(old_dir, old_label, older), _load(new_dir, new_label)
    before, after = file_digests(old_dir), file_digests(new_dir)
    changed_files = sorted(n for n in before.keys() | after.keys() if before.get(n) != after.get(n))
    rules = diff_rules(old, new)
    apart = {
        case_id: reason
        for case_id, profile in cases.profiles.items()
        if (reason := not_comparable(profile, old, new, older.unreadable))
    }
    comparable = {case_id: p for case_id, p in cases.profiles.items() if case_id not in apart}
    return KbDiff(
        old_label=old_label,
        new_label=new_label,
        old=old.version,
        new=new.version,
        rules=RulesDiff(
            added=tuple(r for r in rules.added if r.rule_id not in older.unreadable),
            removed=rules.removed,
            changed=rules.changed,
        ),
        files=tuple(changed_files),
        cases=len(cases.profiles),
        verdicts=compare_verdicts(verdicts(comparable, old), verdicts(comparable, new)),
        skipped=cases.skipped,
        not_comparable=apart,
        old_notes=older.all_notes(),
        unreadable=dict(older.unreadable),
    )


def _load(directory: Path, label: str, older: OlderFormat | None = None) -> KnowledgeBase:
    try:
        return load_knowledge_base(directory, older=older)
    except KnowledgeBaseError as error:
        problems = [Problem(f"{label}: {p.where}", p.message, p.suggestion) for p in error.problems]
        if older is not None:
            problems.append(Problem(label, TOO_OLD))
        raise KnowledgeBaseError(problems) from None


def file_digests(directory: Path) -> dict[str, str]:
    """The sha256 of each knowledge-base file in ``directory`` (the files the content hash covers)."""
    names = [*TOP_LEVEL_FILES, *(f"{RULES_FOLDER}/{p.name}" for p in sorted((directory / RULES_FOLDER).glob("*.yaml")))]
    return {n: hashlib.sha256((directory / n).read_bytes()).hexdigest() for n in names if (directory / n).is_file()}


# ------------------------------------------------------------------------------------------------
# Checking and recording


@dataclass(frozen=True, slots=True)
class Status:
    """How the records stand against the knowledge base: the lock's verdict, and the verdicts that moved."""

    version: KbVersion
    lock: LockState
    lock_versions: Mapping[str, str]
    verdict_changes: tuple[VerdictChange, ...]
    skipped: Mapping[str, str]

    @property
    def current(self) -> bool:
        """Whether the lock records this version with this content and the snapshot equals today's verdicts."""
        return self.lock is LockState.RECORDED and not self.verdict_changes


def status(paths: Paths, kb: KnowledgeBase | None = None) -> Status:
    """Compare the lock and the verdict snapshot with the knowledge base in ``paths.knowledge``."""
    kb = kb or load_knowledge_base(paths.knowledge)
    versions = read_lock(paths.lock)
    cases = read_cases(paths.vignettes)
    changes = compare_verdicts(read_snapshot(paths.verdicts), verdicts(cases.profiles, kb))
    return Status(kb.version, lock_state(versions, kb.version), versions, changes, cases.skipped)


@dataclass(frozen=True, slots=True)
class Recorded:
    """What :func:`record` wrote."""

    version: KbVersion
    previous_version: str | None
    lock_written: bool
    verdict_changes: tuple[VerdictChange, ...]
    cases: int
    skipped: Mapping[str, str]


def record(paths: Paths, bump: Bump | None = None) -> Recorded:
    """Record the knowledge base's version in the lock and re-record the verdict snapshot.

    With ``bump``, the version is raised first, but only when the content changed under the recorded
    version (so running this twice bumps once). Refuses (:class:`KnowledgeBaseError`, nothing written)
    when the content changed under a recorded version without ``bump``, or the version is not above
    the latest recorded one: a version names one content forever.
    """
    versions = read_lock(paths.lock)
    cases = read_cases(paths.vignettes)
    kb = load_knowledge_base(paths.knowledge)  # validate before touching anything
    state = lock_state(versions, kb.version)
    previous = None
    if bump is not None and state is LockState.NOT_BUMPED:
        previous = kb.version.version
        set_version(paths.knowledge / "kb.yaml", bumped(previous, bump))
        kb = load_knowledge_base(paths.knowledge)
        state = lock_state(versions, kb.version)
    if state in {LockState.NOT_BUMPED, LockState.NOT_ABOVE}:
        if previous is not None:
            set_version(paths.knowledge / "kb.yaml", previous)
        raise KnowledgeBaseError([_refusal(kb.version, versions, state)])
    if state is LockState.NEW:
        write_lock(paths.lock, {**versions, kb.version.version: kb.version.content_hash})
    now = verdicts(cases.profiles, kb)
    changes = compare_verdicts(read_snapshot(paths.verdicts), now)
    write_snapshot(paths.verdicts, now)
    return Recorded(kb.version, previous, state is LockState.NEW, changes, len(now), cases.skipped)


def _refusal(version: KbVersion, versions: Mapping[str, str], state: LockState) -> Problem:
    where = f"kb.yaml: version {version.version}"
    if state is LockState.NOT_BUMPED:
        message = (
            f"already recorded in {LOCK_FILE} with other content ({versions[version.version]}): "
            f"bump it: `{RECORD_COMMAND} BUMP=patch` (texts only) or `BUMP=minor` (rules or verdicts)"
        )
    else:
        message = f"not above the latest recorded version {latest_version(versions)}"
    return Problem(where, message)
