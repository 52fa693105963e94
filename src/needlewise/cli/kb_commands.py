"""``needlewise kb``: check the knowledge base, list its sources and rules, review and record a change."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from needlewise.cli.kb_review import run_diff, run_snapshot
from needlewise.domain.tier import Grade
from needlewise.domain.vocabulary import Lang
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.errors import KnowledgeBaseError
from needlewise.kb.files import default_directory
from needlewise.kb.loader import load_knowledge_base
from needlewise.kb.lock import Bump
from needlewise.reports.citations import address_or_note
from needlewise.services.catalogue import reviewer_source_row, rule_row
from needlewise.services.change_control import Paths

kb_app = typer.Typer(help="Check and inspect the knowledge base.", no_args_is_help=True)


class ListFormat(StrEnum):
    """How lists are written."""

    TEXT = "text"
    JSON = "json"


def _load(directory: Path | None) -> KnowledgeBase:
    try:
        return load_knowledge_base(directory)
    except KnowledgeBaseError as error:
        console = Console(stderr=True, highlight=False)
        console.print(f"knowledge base is invalid ({len(error.problems)} problem(s)):", markup=False)
        for problem in error.problems:
            console.print(f"  - {problem}", markup=False)
        raise typer.Exit(1) from None


DirOption = Annotated[Path | None, typer.Option("--dir", help="Knowledge base folder (default: the bundled one).")]


@kb_app.command("check")
def check(directory: DirOption = None) -> None:
    """Load and validate every file; print a summary, or every problem found (exit 1)."""
    kb = _load(directory)
    cited = {c for r in kb.rules for c in r.citations}
    typer.echo(f"knowledge base {kb.version.version} ({kb.version.content_hash}) is valid")
    typer.echo(
        f"{len(kb.rules)} rules, {len(kb.sources)} sources ({len(cited)} cited by rules), "
        f"{len(kb.questions)} questions, {len(kb.sections)} plan sections, {len(kb.schedules)} schedules"
    )


@kb_app.command("sources")
def sources(
    output: Annotated[ListFormat, typer.Option("--format", "-f")] = ListFormat.TEXT,
    grade: Annotated[list[Grade] | None, typer.Option(help="Only these evidence grades (repeatable).")] = None,
    directory: DirOption = None,
) -> None:
    """The bibliography, with each source's evidence grade (JSON adds the reviewer fields: note, read_at)."""
    kb = _load(directory)
    chosen = [s for s in kb.sources.values() if not grade or s.grade in grade]
    if output is ListFormat.JSON:
        rows = [reviewer_source_row(s) for s in chosen]
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    table = Table("ref", "grade", "id", "source", title=f"Sources ({len(chosen)})", show_lines=False)
    for s in chosen:
        byline = " ".join(part for part in (s.authors, f"({s.year})" if s.year else None) if part)
        where = address_or_note(s.url, Lang.EN)  # no original: the note, never a copy (read_at is in the JSON)
        cited = f"{byline + '. ' if byline else ''}{s.title}. {where}"
        table.add_row(str(s.brief_ref), s.grade.value, s.source_id, cited)
    Console(highlight=False, emoji=False).print(table)


@kb_app.command("rules")
def rules(
    output: Annotated[ListFormat, typer.Option("--format", "-f")] = ListFormat.TEXT,
    directory: DirOption = None,
) -> None:
    """Every rule with its tier per setting, severity, confidence and sources."""
    kb = _load(directory)
    if output is ListFormat.JSON:
        rows = [rule_row(r, Lang.EN) for r in kb.rules]
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    table = Table(
        "id", "tier (home / clinic)", "severity", "confidence", "title", "sources", title=f"Rules ({len(kb.rules)})"
    )
    for r in kb.rules:
        tiers = " / ".join(t.value for t in r.tiers.values())
        table.add_row(r.rule_id, tiers, r.severity.value, r.confidence.value, r.title.en, ", ".join(r.citations))
    Console(highlight=False, emoji=False).print(table)


@kb_app.command("diff")
def diff(
    source: Annotated[
        str,
        typer.Option(
            "--from",
            metavar="REF|PATH",
            help="A knowledge base folder, or a git revision: knowledge/ at that commit of the repository "
            "holding --to, at the same path.",
        ),
    ] = "HEAD",
    target: Annotated[
        Path | None, typer.Option("--to", metavar="PATH", help="Knowledge base folder (default: the bundled one).")
    ] = None,
    vignettes: Annotated[
        Path | None, typer.Option(help="Vignette suite (default: tests/kb/vignettes.yaml beside the folder).")
    ] = None,
    output: Annotated[ListFormat, typer.Option("--format", "-f")] = ListFormat.TEXT,
) -> None:
    """Rules added, removed and changed (which fields), and every vignette verdict that changes."""
    run_diff(source, target, vignettes, as_json=output is ListFormat.JSON)


@kb_app.command("snapshot")
def snapshot(  # noqa: PLR0913, PLR0917 - one parameter per option, as Typer reads them
    bump: Annotated[
        Bump | None,
        typer.Option(help="Raise kb.yaml's version first, if the content changed since it was recorded."),
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Only check that the lock and the verdict snapshot are current.")
    ] = False,
    directory: DirOption = None,
    vignettes: Annotated[
        Path | None, typer.Option(help="Vignette suite (default: tests/kb/vignettes.yaml beside the folder).")
    ] = None,
    verdicts: Annotated[
        Path | None,
        typer.Option(help="Verdict snapshot (default: tests/kb/vignette_verdicts.json beside the folder)."),
    ] = None,
    lock: Annotated[Path | None, typer.Option(help="Version lock (default: kb.lock in the folder).")] = None,
) -> None:
    """After review: record the version in kb.lock and re-record the vignette verdicts (or --check them)."""
    if check and bump is not None:
        message = "--check records nothing: leave out --bump"
        raise typer.BadParameter(message, param_hint="--bump")
    paths = Paths.beside(directory or default_directory(), vignettes=vignettes, verdicts=verdicts, lock=lock)
    run_snapshot(paths, bump, check=check)
