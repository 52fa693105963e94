"""``needlewise kb diff`` and ``needlewise kb snapshot``: review a knowledge-base change, then record it."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import cast

import typer
from rich.console import Console
from rich.text import Text

from needlewise.domain.tier import Tier
from needlewise.domain.vocabulary import Setting
from needlewise.engine.kb_diff import CITATIONS, TEXTS, RuleChange, tier_counts
from needlewise.errors import KnowledgeBaseError, Problem
from needlewise.kb.files import default_directory
from needlewise.kb.lock import BUMP_COMMAND, RECORD_COMMAND, Bump, lock_message
from needlewise.kb.revisions import knowledge_at
from needlewise.services.change_control import (
    KbDiff,
    Paths,
    diff_knowledge,
    read_cases,
    record,
    status,
)
from needlewise.services.kb_diff_json import diff_json
from needlewise.services.verdict_snapshot import describe_changes, snapshot_message

EXIT_FAILED = 1
DIRECTION_STYLES = {"raised": "cyan", "lowered": "bold yellow", "same": ""}


def fail(error: KnowledgeBaseError) -> typer.Exit:
    """Print every problem to stderr; the caller raises the returned exit (code 1)."""
    console = Console(stderr=True, highlight=False, soft_wrap=True)
    for problem in error.problems:
        console.print(f"error: {problem}", markup=False)
    return typer.Exit(EXIT_FAILED)


@contextmanager
def _folder(source: str, beside: Path) -> Iterator[Path]:
    """``source`` as a folder: itself if it is one, else the knowledge base at that git revision."""
    if Path(source).is_dir():
        if not (Path(source) / "kb.yaml").is_file():
            raise KnowledgeBaseError([Problem(f"--from {source}", "this folder holds no knowledge base (no kb.yaml)")])
        yield Path(source)
        return
    with knowledge_at(source, beside) as folder:
        yield folder


def run_diff(source: str, target: Path | None, vignettes: Path | None, *, as_json: bool) -> None:
    """Compare the knowledge base at ``source`` with the one in ``target`` and print the report."""
    target = target or default_directory()
    paths = Paths.beside(target, vignettes=vignettes)
    try:
        cases = read_cases(paths.vignettes)
        with _folder(source, target) as old_dir:
            diff = diff_knowledge(old_dir, target, cases, old_label=source, new_label=str(target))
    except KnowledgeBaseError as error:
        raise fail(error) from None
    if as_json:
        typer.echo(json.dumps(diff_json(diff), indent=2, ensure_ascii=False))
        return
    print_diff(Console(highlight=False, emoji=False, soft_wrap=True), diff)


def print_diff(console: Console, diff: KbDiff) -> None:
    """The diff for a reviewer: versions, files, rules, then every verdict that changes."""
    console.print(
        Text.assemble(
            ("from ", "bold"),
            f"{diff.old_label} ({diff.old.version}, {diff.old.content_hash[:19]})",
            ("  to ", "bold"),
            f"{diff.new_label} ({diff.new.version}, {diff.new.content_hash[:19]})",
        )
    )
    if not diff.content_changed:
        console.print("No change: the two knowledge bases have the same content.")
    elif not diff.version_bumped:
        warning = f"The content changed but the version is still {diff.new.version}: bump it ({BUMP_COMMAND})."
        console.print(Text(warning, style="bold yellow"))
    if diff.files:
        console.print(f"Files changed: {', '.join(diff.files)}")
    if diff.old_notes:
        console.print(
            Text(f"{diff.old_label} is in an older format, read with tolerance (errors under the current code):")
        )
        for note in diff.old_notes:
            console.print(f"  {note}", markup=False)
    _print_rules(console, diff)
    _print_verdicts(console, diff)


def _print_rules(console: Console, diff: KbDiff) -> None:
    rules = diff.rules
    console.print(
        Text(
            f"\nRules: {len(rules.added)} added, {len(rules.removed)} removed, {len(rules.changed)} changed"
            + (f", {len(diff.unreadable)} unreadable in the old version" if diff.unreadable else ""),
            style="bold underline",
        )
    )
    for rule in rules.added:
        console.print(Text.assemble(("  + ", "green"), rule.rule_id, f"  {_tiers(rule.tiers)}"))
    for rule in rules.removed:
        console.print(Text.assemble(("  - ", "red"), rule.rule_id, f"  {_tiers(rule.tiers)}"))
    for change in rules.changed:
        console.print(Text.assemble(("  ~ ", "yellow"), change.rule_id, f"  ({', '.join(change.kinds)})"))
        for line in _field_lines(change):
            console.print(f"      {line}", markup=False)
    for rule_id, why in diff.unreadable.items():
        console.print(Text.assemble(("  ? ", "magenta"), rule_id, "  unreadable in the old version:"))
        for line in why:
            console.print(f"      {line}", markup=False)


def _field_lines(change: RuleChange) -> Iterator[str]:
    texts = [c.field for c in change.changes if c.kind == TEXTS]
    for c in change.changes:
        if c.kind == CITATIONS:  # old and new are lists of source ids
            old, new = cast("list[str]", c.old), cast("list[str]", c.new)
            added = [f"+{s}" for s in new if s not in old]
            removed = [f"-{s}" for s in old if s not in new]
            yield f"citations: {' '.join(added + removed) or 'same sources, new order'}"
        elif c.kind != TEXTS:
            yield f"{c.field}: {_short(c.old)} -> {_short(c.new)}"
    if texts:
        yield f"texts: {', '.join(texts)}"


def _short(value: object, limit: int = 160) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _tiers(tiers: Mapping[Setting, Tier]) -> str:
    return " / ".join(f"{setting.value}: {tier.value}" for setting, tier in tiers.items())


def _print_verdicts(console: Console, diff: KbDiff) -> None:
    counts = tier_counts(diff.verdicts)
    console.print(
        Text(
            f"\nVerdicts over {diff.cases} vignettes: {len(diff.verdicts)} changed "
            f"({counts['raised']} raised, {counts['lowered']} lowered, {counts['same']} same tier)"
            + (f", {len(diff.not_comparable)} not comparable" if diff.not_comparable else ""),
            style="bold underline",
        )
    )
    for case_id, problem in diff.skipped.items():
        console.print(f"  skipped {case_id}: {problem}", markup=False)
    for case_id, why in diff.not_comparable.items():
        console.print(f"  not comparable {case_id}: {why}", markup=False)
    for change, line in zip(diff.verdicts, describe_changes(diff.verdicts), strict=True):
        console.print(Text(f"  {line}", style=DIRECTION_STYLES[change.direction]))
    if counts["lowered"]:
        console.print(Text("A lowered tier is less cautious: have a clinician confirm each one.", style="bold yellow"))


def run_snapshot(paths: Paths, bump: Bump | None, *, check: bool) -> None:
    """Check the records (``check``) or record the version and re-record the verdict snapshot."""
    try:
        if check:
            _check(paths)
            return
        done = record(paths, bump)
    except KnowledgeBaseError as error:
        raise fail(error) from None
    if done.previous_version is not None:
        typer.echo(f"version bumped: {done.previous_version} -> {done.version.version} (kb.yaml)")
    where = "recorded" if done.lock_written else "already recorded"
    typer.echo(f"version {done.version.version} ({done.version.content_hash}) {where} in {paths.lock}")
    typer.echo(f"{done.cases} vignette verdicts written to {paths.verdicts}; {len(done.verdict_changes)} changed:")
    for line in describe_changes(done.verdict_changes):
        typer.echo(f"  {line}")
    for case_id, problem in done.skipped.items():
        typer.echo(f"  skipped {case_id}: {problem}")
    typer.echo("Commit kb.yaml, the lock, the snapshot and the hazard log with the change, in one commit.")


def _check(paths: Paths) -> None:
    now = status(paths)
    console = Console(stderr=True, highlight=False, soft_wrap=True)
    problem = lock_message(now.lock_versions, now.version)
    if problem:
        console.print(f"error: {paths.lock}: {problem}", markup=False)
    if now.verdict_changes:
        console.print(f"error: {snapshot_message(now.verdict_changes)}", markup=False)
    if not now.current:
        raise typer.Exit(EXIT_FAILED)
    typer.echo(
        f"knowledge base {now.version.version} is recorded in {paths.lock.name} and the verdict snapshot is "
        f"current ({RECORD_COMMAND} re-records after review)"
    )
