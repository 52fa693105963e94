"""Read and check the hazard log (docs/hazards.yaml); imported as ``kb.hazard_log``.

Test ids are checked against what pytest itself collects (``pytest --collect-only -q`` in a
subprocess, over the files the log names), so a renamed, removed or mistyped test is caught exactly as
pytest would name it, parametrised cases included.
"""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

REPOSITORY = Path(__file__).resolve().parents[2]
HAZARD_LOG = REPOSITORY / "docs" / "hazards.yaml"
COLLECT_TIMEOUT_S = 300

NonEmpty = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]


class Severity(StrEnum):
    CATASTROPHIC = "catastrophic"
    CRITICAL = "critical"
    SERIOUS = "serious"
    MINOR = "minor"


class Kind(StrEnum):
    RULE = "rule"
    ENGINE = "engine"
    LOADER = "loader"
    CONTENT = "content"
    CLINIC = "clinic"
    REVIEW = "review"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Control(_Strict):
    kind: Kind
    what: NonEmpty
    rules: list[NonEmpty] = Field(default_factory=list)
    code: list[NonEmpty] = Field(default_factory=list)
    tests: Annotated[list[NonEmpty], Field(min_length=1)]

    @model_validator(mode="after")
    def _parts_of_its_kind(self) -> Control:
        if self.kind is Kind.RULE and not self.rules:
            msg = "a rule control names its rules"
            raise ValueError(msg)
        if self.kind in {Kind.ENGINE, Kind.LOADER, Kind.CLINIC} and not self.code:
            msg = f"an {self.kind.value} control names its code (dotted Python names)"
            raise ValueError(msg)
        return self


class Hazard(_Strict):
    id: Annotated[str, StringConstraints(pattern=r"^HZ-\d{2,}$")]
    title: NonEmpty
    description: NonEmpty
    harm: NonEmpty
    severity: Severity
    residual: NonEmpty | None = None
    controls: Annotated[list[Control], Field(min_length=1)]


class HazardLog(_Strict):
    hazards: Annotated[list[Hazard], Field(min_length=1)]


def load(path: Path = HAZARD_LOG) -> HazardLog:
    return HazardLog.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def controls(log: HazardLog) -> Iterable[tuple[str, Control]]:
    for hazard in log.hazards:
        for n, control in enumerate(hazard.controls, start=1):
            yield f"{hazard.id} control {n} ({control.kind.value})", control


def file_of(node_id: str) -> str:
    """The file part of a node id: ``tests/x.py::test_y[z]`` -> ``tests/x.py``."""
    return node_id.split("::", 1)[0]


def collect(files: Iterable[str]) -> tuple[set[str], str]:
    """The node ids pytest collects from ``files``, and pytest's output if collection failed (else "")."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_CORE_"))}
    done = subprocess.run(  # noqa: S603 - this interpreter's pytest, on files named in the log
        [
            sys.executable,
            "-m",
            "pytest",
            "--collect-only",
            "-q",
            "-p",
            "no:randomly",
            "-p",
            "no:cacheprovider",
            "--no-cov",
            *sorted(set(files)),
        ],
        cwd=REPOSITORY,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=COLLECT_TIMEOUT_S,
    )
    collected = {line.strip() for line in done.stdout.splitlines() if "::" in line and not line.startswith(" ")}
    failure = "" if done.returncode == 0 else (done.stdout + done.stderr)[-4000:]
    return collected, failure


def matches(pattern: str, collected: set[str]) -> bool:
    """Whether ``pattern`` names a collected test: exactly, as a whole parametrised function, or with ``*``."""
    if "*" in pattern:
        expression = re.compile(".*".join(re.escape(part) for part in pattern.split("*")))
        return any(expression.fullmatch(node) for node in collected)
    return pattern in collected or any(node.startswith(pattern + "[") for node in collected)


def resolves(dotted: str) -> bool:
    """Whether ``dotted`` names an importable module, or an attribute (path) of one."""
    parts = dotted.split(".")
    for split in range(len(parts), 0, -1):
        try:
            target: object = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for attribute in parts[split:]:
            if not hasattr(target, attribute):
                return False
            target = getattr(target, attribute)
        return True
    return False
