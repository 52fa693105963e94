"""The reviewed verdict snapshot (``tests/kb/vignette_verdicts.json``): read, write, and say what moved.

It holds each vignette's tier, fired rules and home needle limit; a test fails when today's verdicts
differ from it, with :func:`snapshot_message` saying which and how to review and re-record them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import cast

from pydantic import BaseModel, ConfigDict, ValidationError

from needlewise.domain.tier import Tier
from needlewise.engine.kb_diff import Verdict, VerdictChange
from needlewise.errors import KnowledgeBaseError, Problem
from needlewise.kb.lock import RECORD_COMMAND

VERDICTS = Path("tests/kb/vignette_verdicts.json")
SNAPSHOT_ABOUT = (
    "Reviewed verdicts of tests/kb/vignettes.yaml under knowledge/: tier, fired rules (sorted), home needle "
    "limit. Never edit by hand: review `needlewise kb diff` with a clinician, then `make kb-snapshot`."
)


class _VerdictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    tier: Tier
    fired: list[str]
    home_needle_mm_max: float | None


class _SnapshotModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    about: str
    verdicts: dict[str, _VerdictModel]


def read_snapshot(path: Path) -> dict[str, Verdict]:
    """The reviewed verdicts; empty when none were recorded yet."""
    if not path.is_file():
        return {}
    try:
        model = _SnapshotModel.model_validate_json(path.read_bytes())
    except ValidationError as error:
        raise KnowledgeBaseError([Problem(path.name, f"not a verdict snapshot: {error.errors()[0]['msg']}")]) from None
    return {case_id: Verdict(v.tier, tuple(v.fired), v.home_needle_mm_max) for case_id, v in model.verdicts.items()}


def write_snapshot(path: Path, recorded: Mapping[str, Verdict]) -> None:
    """Write the snapshot with one vignette per line, in the suite's order, so a review diff is one line each."""
    lines = [f"    {json.dumps(case_id)}: {json.dumps(v.to_json())}" for case_id, v in recorded.items()]
    body = ",\n".join(lines)
    path.write_text(
        f'{{\n  "about": {json.dumps(SNAPSHOT_ABOUT)},\n  "verdicts": {{\n{body}\n  }}\n}}\n',
        encoding="utf-8",
    )


def describe_changes(changes: Sequence[VerdictChange]) -> list[str]:
    """One line per changed verdict: ``id: tier a -> b (lowered); fired +x -y; home needle 0.3 -> None``."""
    lines = []
    for change in changes:
        if change.new is None:  # then the case was on the old side: compare_verdicts never pairs None with None
            old = cast("Verdict", change.old)
            lines.append(f"{change.case_id}: in the snapshot ({old.tier.value}) but no longer in the suite")
            continue
        if change.old is None:
            lines.append(f"{change.case_id}: not in the snapshot (now {change.new.tier.value})")
            continue
        parts = []
        if "tier" in change.what:
            parts.append(f"tier {change.old.tier.value} -> {change.new.tier.value} ({change.direction})")
        if "fired" in change.what:
            fired = [f"+{r}" for r in change.fired_added] + [f"-{r}" for r in change.fired_removed]
            parts.append(f"fired {' '.join(fired)}")
        if "home_needle_mm_max" in change.what:
            parts.append(f"home needle max {change.old.home_needle_mm_max} -> {change.new.home_needle_mm_max} mm")
        lines.append(f"{change.case_id}: {'; '.join(parts)}")
    return lines


def snapshot_message(changes: Sequence[VerdictChange]) -> str:
    """Why the snapshot test fails, with every changed verdict and the commands to review and re-record."""
    lines = "\n".join(f"  {line}" for line in describe_changes(changes))
    return (
        f"{len(changes)} vignette verdict(s) differ from the reviewed snapshot {VERDICTS}:\n{lines}\n"
        "Review them with a clinician (`needlewise kb diff` shows the rule changes behind them), then bump the "
        f"version and re-record: `{RECORD_COMMAND} BUMP=patch|minor|major` (or `{RECORD_COMMAND}` if the "
        "version is already bumped). See docs/kb-authoring.md, Change control."
    )
