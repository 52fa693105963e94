"""Shared fixtures: the real knowledge base, loaded once."""

from __future__ import annotations

import pytest

from needlewise.engine.knowledge import KnowledgeBase
from needlewise.kb.loader import load_knowledge_base


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_knowledge_base()
