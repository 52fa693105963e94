"""Shared fixtures: the real knowledge base, loaded once; each test starts in the default language."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation

from needlewise.engine.knowledge import KnowledgeBase
from needlewise.kb.loader import load_knowledge_base


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_knowledge_base()


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """A request in Spanish leaves Spanish active in its thread; the next test must not inherit it."""
    yield
    translation.deactivate()
