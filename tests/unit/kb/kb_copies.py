"""Editing a copy of the knowledge base and reading the loader's problems (imported as ``unit.kb.kb_copies``)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from needlewise.errors import KnowledgeBaseError
from needlewise.kb.files import default_directory
from needlewise.kb.loader import load_knowledge_base


def copy_of_the_knowledge_base(tmp_path: Path) -> Path:
    """A copy of the bundled knowledge base under ``tmp_path``, to break."""
    target = tmp_path / "knowledge"
    shutil.copytree(default_directory(), target)
    return target


def edit_yaml(directory: Path, name: str, change: Callable[[dict], object]) -> None:
    """Load ``name``, let ``change`` edit the data in place, write it back."""
    path = directory / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def copy_at_1_0_0(root: Path) -> Path:
    """A copy of the knowledge base at version 1.0.0, where the change-control tests start counting."""
    knowledge = copy_of_the_knowledge_base(root)
    edit_yaml(knowledge, "kb.yaml", lambda d: d.update(version="1.0.0"))
    return knowledge


def problems_of(directory: Path) -> list[str]:
    """Every problem the loader reports for the knowledge base in ``directory``."""
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(directory)
    return [str(p) for p in caught.value.problems]


def assert_problem(directory: Path, *fragments: str) -> None:
    """Some reported problem contains every one of ``fragments``."""
    problems = problems_of(directory)
    assert any(all(f in p for f in fragments) for p in problems), problems
