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


MARKETING_SOURCE = "mnbeforeafter-depth-chart"


def copy_in_an_older_format(root: Path) -> Path:
    """A 1.0.0 copy written as an older needlewise wrote it, which the current loader refuses.

    Like the knowledge base before 2.0.0: no labels for the newer values ``recent_tan`` and
    ``numbing_cream`` (and one for a value since removed), no "not sure" on the skin_now question, no
    ``unsure_title`` plan text, a marketing citation on a rule. Two rules the current code cannot read
    (``sunburn`` reads a field since removed, ``recent-tan-or-sun`` has a key since removed), and a
    difference that moves a verdict: keloid tendency is only ``medical_review`` at home.
    """
    knowledge = copy_at_1_0_0(root)

    def vocabulary(data: dict) -> None:
        del data["skin_now"]["recent_tan"]
        del data["planned_products"]["numbing_cream"]
        data["skin_now"]["old_spot"] = {"en": "An old spot", "es": "Una mancha antigua"}

    def questionnaire(data: dict) -> None:
        del next(q for q in data["questions"] if q["field"] == "skin_now")["unsure"]

    def contraindications(data: dict) -> None:
        rules = {r["id"]: r for r in data["rules"]}
        rules["keloid-tendency"]["tier"] = {"home": "medical_review", "clinic": "medical_review"}
        rules["keloid-tendency"]["citations"].append(MARKETING_SOURCE)
        rules["sunburn"]["condition"] = {"field": "sunburn_days_ago", "op": "lt", "value": 7}
        rules["recent-tan-or-sun"]["postpone_weeks"] = 4

    edit_yaml(knowledge, "vocabulary.yaml", vocabulary)
    edit_yaml(knowledge, "questionnaire.yaml", questionnaire)
    edit_yaml(knowledge, "kb.yaml", lambda d: d["plan_texts"].pop("unsure_title"))
    edit_yaml(knowledge, "rules/contraindications.yaml", contraindications)
    return knowledge
