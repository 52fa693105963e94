"""``needlewise``: assess profiles, inspect the knowledge base, serve the app, run a clinic installation.

Exit codes: 0 success; 1 the knowledge base is invalid, the audit chain is broken, or a restore was
cancelled; 2 invalid input or usage.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console

from needlewise import bootstrap
from needlewise.cli.clinic_commands import audit_app, clinic_app, staff_app
from needlewise.cli.interactive import run_interview
from needlewise.cli.kb_commands import kb_app
from needlewise.cli.key_commands import keys_app
from needlewise.cli.ops_commands import backup, restore
from needlewise.cli.render import print_assessment
from needlewise.cli.serve import serve
from needlewise.cli.worker import worker
from needlewise.domain.assessment import Assessment
from needlewise.domain.vocabulary import Lang, Setting
from needlewise.errors import KnowledgeBaseError, NeedlewiseError, ProfileError
from needlewise.reports.markdown import render_markdown
from needlewise.services.assessments import (
    assess_json_lines,
    assess_profile_json,
    looks_like_single_document,
    split_json_lines,
)
from needlewise.services.json_text import dumps
from needlewise.services.profiles import profile_json_schema

EXIT_KB = 1
EXIT_INPUT = 2


class OutputFormat(StrEnum):
    """How assessments are written."""

    TEXT = "text"
    MARKDOWN = "markdown"
    JSON = "json"


app = typer.Typer(
    name="needlewise",
    help="Is microneedling at home safe for me? Cited, explainable decision support (not a diagnosis).",
    no_args_is_help=True,
    add_completion=False,
)
schema_app = typer.Typer(help="Publish the JSON Schemas of needlewise's inputs.", no_args_is_help=True)
app.add_typer(kb_app, name="kb")
app.add_typer(clinic_app, name="clinic")
app.add_typer(audit_app, name="audit")
app.add_typer(staff_app, name="staff")
app.add_typer(keys_app, name="keys")
app.add_typer(schema_app, name="schema")
app.command()(serve)
app.command()(worker)
app.command()(backup)
app.command()(restore)


def fail(message: str, code: int = EXIT_INPUT) -> NoReturn:
    """Print a one-line error to stderr and exit."""
    Console(stderr=True, highlight=False, soft_wrap=True).print(f"error: {message}", markup=False)
    raise typer.Exit(code)


def one_line(error: NeedlewiseError) -> str:
    """The first problem of ``error`` on one line, with a count of the others."""
    more = len(error.problems) - 1
    return str(error.first) + (f" (+{more} more)" if more else "")


@app.command()
def assess(
    input_file: Annotated[
        str | None,
        typer.Option("--input", "-i", help="Profile v1 JSON, or JSON Lines (one profile a line); '-' for stdin."),
    ] = None,
    output: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = OutputFormat.TEXT,
    lang: Annotated[Lang, typer.Option("--lang", "-l", help="Language of the questions and the answer.")] = Lang.EN,
    setting: Annotated[Setting | None, typer.Option(help="Answer the 'where' question in advance.")] = None,
) -> None:
    """Assess a profile: interactively (no --input) or from a JSON / JSON Lines file."""
    console = Console(highlight=False, emoji=False)
    try:
        kb = bootstrap.knowledge_base()
    except KnowledgeBaseError as error:
        fail(f"knowledge base is invalid: {one_line(error)}", EXIT_KB)
    if input_file is None:
        _emit(console, run_interview(console, kb, lang, setting), output)
        return
    text = _read(input_file)
    if not text.strip():
        fail("input is empty: expected a Profile v1 JSON object or JSON Lines")
    if looks_like_single_document(text) or len(text.strip().splitlines()) == 1:
        try:
            _emit(console, assess_profile_json(text, kb, lang), output)
        except ProfileError as error:
            fail(one_line(error))
        return
    bad = 0
    for result in assess_json_lines(split_json_lines(text), kb, lang):
        if result.assessment is None:
            bad += 1
            typer.echo(dumps(result.to_json()))
        else:
            _emit(console, result.assessment, output)
    if bad:
        fail(f"{bad} line(s) of the input were invalid; see their error objects")


def _read(input_file: str) -> str:
    if input_file == "-":
        return sys.stdin.read()
    path = Path(input_file)
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        fail(f"cannot read {input_file}: {getattr(error, 'strerror', None) or error}")


def _emit(console: Console, assessment: Assessment, output: OutputFormat) -> None:
    if output is OutputFormat.JSON:
        typer.echo(dumps(assessment.to_json()))
    elif output is OutputFormat.MARKDOWN:
        typer.echo(render_markdown(assessment))
    else:
        print_assessment(console, assessment)


@schema_app.command("profile")
def schema_profile(
    version: Annotated[int, typer.Option("--version", min=1, max=2, help="2 (default), or the deprecated 1.")] = 2,
) -> None:
    """Print the JSON Schema of Profile v2 (or of the deprecated v1)."""
    typer.echo(json.dumps(profile_json_schema(version), indent=2))


def main() -> None:
    """Entry point of the ``needlewise`` command."""
    app()
