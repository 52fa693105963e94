"""A valid knowledge base loads frozen, versioned by its content."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from needlewise.domain.vocabulary import Lang
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.kb import files
from needlewise.kb.loader import load_knowledge_base


def test_bundled_knowledge_base_loads(kb: KnowledgeBase) -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+", kb.version.version)
    assert kb.version.content_hash.startswith("sha256:")
    assert len(kb.rules) >= 40
    refs = [ref for s in kb.sources.values() for ref in (s.brief_ref, *s.also_brief_refs)]
    assert sorted(refs) == list(range(1, 175))  # every number of the brief, each once
    assert len(kb.sources) == 167  # 174 numbers, copies of the same work merged into one entry


def test_loaded_knowledge_base_is_read_only(kb: KnowledgeBase) -> None:
    with pytest.raises(TypeError):
        kb.sources["x"] = kb.sources["chu-2021-safety-sr"]  # type: ignore[index]
    with pytest.raises(AttributeError):
        kb.rules = ()  # type: ignore[misc]


def test_content_hash_follows_the_content(tmp_path: Path, kb: KnowledgeBase) -> None:
    copy = tmp_path / "knowledge"
    shutil.copytree(files.default_directory(), copy)
    assert load_knowledge_base(copy).version == kb.version
    path = copy / "rules" / "goals.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    assert load_knowledge_base(copy).version.content_hash != kb.version.content_hash


def test_environment_variable_chooses_the_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(files.ENVIRONMENT_VARIABLE, str(tmp_path))
    assert files.default_directory() == tmp_path


def test_texts_exist_in_every_language(kb: KnowledgeBase) -> None:
    for rule in kb.rules:
        for lang in Lang:
            assert rule.title.in_(lang).strip()
            assert rule.advice.in_(lang).strip()
