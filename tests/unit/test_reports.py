from __future__ import annotations

from factories import make_profile
from needlewise.domain.citation import Citation
from needlewise.domain.vocabulary import Lang
from needlewise.engine.evaluate import assess
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.reports.citations import citation_parts
from needlewise.reports.markdown import render_markdown


def test_markdown_without_findings(kb: KnowledgeBase) -> None:
    text = render_markdown(assess(make_profile(), kb))
    assert "No rule raised a concern for your answers." in text
    assert "## Your plan" in text


def test_markdown_cites_sources_without_a_year(kb: KnowledgeBase) -> None:
    text = render_markdown(assess(make_profile(areas=["under_eye"], goals=["glow"]), kb, Lang.ES))
    assert "0,2 mm" in text  # Spanish writes decimals with a comma
    assert "0.2 mm" not in text
    assert "Maximizing Safety with Microneedling" in text  # a book chapter with no year given
    assert "[MKT]" not in text  # marketing is never cited as support
    assert "**Consulta a un médico si**" in text


def test_citation_parts_leave_out_what_the_brief_does_not_give(kb: KnowledgeBase) -> None:
    no_authors = next(s for s in kb.sources.values() if s.authors is None and s.year is None)
    citation = Citation(no_authors.source_id, no_authors.title, None, None, no_authors.grade, no_authors.url)
    assert citation_parts(citation)[1] == ""
    dated = next(s for s in kb.sources.values() if s.authors is None and s.year is not None)
    citation = Citation(dated.source_id, dated.title, None, dated.year, dated.grade, dated.url)
    assert citation_parts(citation)[1] == f"{dated.year}. "


def test_a_source_without_an_original_is_named_with_a_note_and_no_address(kb: KnowledgeBase) -> None:
    nickel = kb.sources["jaad-nickel-allergy-comment"]
    assert nickel.url is None
    citation = Citation(nickel.source_id, nickel.title, None, None, nickel.grade, None)
    assert citation_parts(citation)[3] is None
    profile = make_profile(history=["metal_allergy"])
    english = render_markdown(assess(profile, kb))
    assert f"*{nickel.title}*. (No public original found; cited as read by our reviewers)" in english
    spanish = render_markdown(assess(profile, kb, Lang.ES))
    assert "(No se encontró un original público; se cita tal como lo leyeron nuestros revisores)" in spanish
    for text in (english, spanish):
        assert not any(url in text for url in nickel.read_at)
        assert "<None>" not in text
