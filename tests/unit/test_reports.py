from __future__ import annotations

from factories import make_profile
from needlewise.domain.vocabulary import Lang
from needlewise.engine.evaluate import assess
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.reports.markdown import render_markdown


def test_markdown_without_findings(kb: KnowledgeBase) -> None:
    text = render_markdown(assess(make_profile(), kb))
    assert "No rule raised a concern for your answers." in text
    assert "## Your plan" in text


def test_markdown_cites_sources_without_a_year(kb: KnowledgeBase) -> None:
    text = render_markdown(assess(make_profile(areas=["under_eye"], goals=["glow"]), kb, Lang.ES))
    assert "Bajo los ojos" in text or "0.2 mm" in text
    assert "[MKT]" in text
    assert "**Consulta a un médico si**" in text
