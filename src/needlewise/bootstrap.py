"""Composition root: the one place that picks concrete parts (today: which knowledge base)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from needlewise.engine.knowledge import KnowledgeBase
from needlewise.kb.loader import load_knowledge_base
from needlewise.services.ports import SavedResults


@cache
def knowledge_base(directory: Path | None = None) -> KnowledgeBase:
    """The knowledge base in ``directory`` (default: the bundled one), loaded once per process."""
    return load_knowledge_base(directory)


def saved_results() -> SavedResults:
    """Where saved results live: the Django database (needs Django configured)."""
    from needlewise.storage.saved_results import DjangoSavedResults  # noqa: PLC0415 - Django only when asked

    return DjangoSavedResults()
