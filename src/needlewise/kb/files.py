"""Find, read and hash the knowledge-base files."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from needlewise.errors import KnowledgeBaseError, Problem

ENVIRONMENT_VARIABLE = "NEEDLEWISE_KNOWLEDGE_DIR"
TOP_LEVEL_FILES = (
    "kb.yaml",
    "sources.yaml",
    "vocabulary.yaml",
    "protocols.yaml",
    "questionnaire.yaml",
    "claims.yaml",
    "gaps.yaml",
    "treatment.yaml",
)
RULES_FOLDER = "rules"


@dataclass(frozen=True, slots=True)
class KnowledgeFiles:
    """The parsed YAML documents of one knowledge-base folder, and its content hash."""

    directory: Path
    documents: dict[str, object]
    rule_files: tuple[str, ...]
    content_hash: str


def default_directory() -> Path:
    """``$NEEDLEWISE_KNOWLEDGE_DIR``, else the copy installed with the package, else the repository's."""
    configured = os.environ.get(ENVIRONMENT_VARIABLE)
    if configured:
        return Path(configured)
    package = Path(__file__).resolve().parent.parent
    installed = package / "_knowledge"
    return installed if installed.is_dir() else package.parent.parent / "knowledge"


def read_files(directory: Path) -> KnowledgeFiles:
    """Parse every YAML file of the knowledge base in ``directory``; raise on any unreadable one."""
    if not directory.is_dir():
        raise KnowledgeBaseError([Problem(str(directory), "knowledge base folder not found")])
    rules_dir = directory / RULES_FOLDER
    rule_files = tuple(sorted(f"{RULES_FOLDER}/{p.name}" for p in rules_dir.glob("*.yaml")))
    problems: list[Problem] = []
    if not rule_files:
        problems.append(Problem(f"{RULES_FOLDER}/", "no rule files (*.yaml) found"))
    digest = hashlib.sha256()
    documents: dict[str, object] = {}
    for name in (*TOP_LEVEL_FILES, *rule_files):
        path = directory / name
        if not path.is_file():
            problems.append(Problem(name, "file is missing"))
            continue
        data = path.read_bytes()
        digest.update(name.encode() + b"\0" + data + b"\0")
        try:
            documents[name] = yaml.safe_load(data)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            where = f"{name}:{mark.line + 1}" if mark is not None else name
            problems.append(Problem(where, f"not valid YAML: {getattr(error, 'problem', error)}"))
    if problems:
        raise KnowledgeBaseError(problems)
    return KnowledgeFiles(directory, documents, rule_files, f"sha256:{digest.hexdigest()}")
