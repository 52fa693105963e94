"""A source with no public original (issue 10, "Sources people can trust") is named, never linked.

Where the brief's compiler could only read a copy and no original was found, the knowledge base has no
``url``: every page, both languages, the PDF and the API name the source by its text, say that no
public original was found, and never show the copy's address (kept for reviewers in ``read_at``).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from markupsafe import escape

from needlewise.engine.knowledge import KnowledgeBase, Source
from needlewise.services.questionnaire import Interview
from needlewise.web.views import questionnaire as questionnaire_view
from needlewise.web.views.questionnaire import state_token

NOTE = {
    "en": "No public original found; cited as read by our reviewers",
    "es": "No se encontró un original público; se cita tal como lo leyeron nuestros revisores",
}
# A metal allergy: the reason cites a JAAD commentary read only on a copy.
METAL_ALLERGY: dict[str, Any] = {
    "setting": "home",
    "age": 30,
    "goals": ["glow"],
    "areas": ["cheeks"],
    "device.kind": "roller",
    "device.needle_mm": 0.25,
    "device.uses": 0,
    "device.shared": False,
    "fitzpatrick": 2,
    "history": ["metal_allergy"],
}
NICKEL = "jaad-nickel-allergy-comment"


def _result_url(kb: KnowledgeBase, answers: dict[str, Any]) -> str:
    interview = Interview(kb)
    while (question := interview.next_question()) is not None and interview.early_stop() is None:
        default: object = [] if question.kind in ("multi", "procedures") else None
        interview.answer(question, answers.get(question.field, False if question.kind == "boolean" else default))
    return f"/result/?s={state_token(interview)}"


def _named_without_link(page: str, source: Source, lang: str) -> None:
    """``source`` is on ``page`` by its title, followed by the note, inside no link; no copy's address."""
    title = str(escape(source.title))
    assert f'{title} <span class="no-original">({escape(NOTE[lang])})</span>' in page
    assert not re.search(rf"<a [^>]*>{re.escape(title)}</a>", page)
    for url in source.read_at:
        assert str(escape(url)) not in page
        assert url not in page


def _without_original(kb: KnowledgeBase) -> list[Source]:
    return [s for s in kb.sources.values() if s.url is None]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_sources_page_names_each_source_without_an_original_and_links_none(kb: KnowledgeBase, lang: str) -> None:
    page = Client(HTTP_ACCEPT_LANGUAGE=lang).get("/sources/").content.decode()
    assert _without_original(kb)
    for source in _without_original(kb):
        _named_without_link(page, source, lang)
    linked = set(re.findall(r'<a href="([^"]+)" rel="noreferrer noopener">', page))
    assert linked >= {str(escape(s.url)) for s in kb.sources.values() if s.url is not None}
    assert "None" not in linked


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_claims_page_names_its_sources_without_an_original(kb: KnowledgeBase, lang: str) -> None:
    page = Client(HTTP_ACCEPT_LANGUAGE=lang).get("/claims/").content.decode()
    cited = {source_id for claim in kb.claims for source_id in claim.citations}
    shown = [s for s in _without_original(kb) if s.source_id in cited]
    assert shown
    for source in shown:
        _named_without_link(page, source, lang)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_result_names_a_source_without_an_original(kb: KnowledgeBase, lang: str) -> None:
    page = Client(HTTP_ACCEPT_LANGUAGE=lang).get(_result_url(kb, METAL_ALLERGY)).content.decode()
    assert page.count('data-level="medical_review"') >= 1
    _named_without_link(page, kb.sources[NICKEL], lang)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_result_pdf_names_a_source_without_an_original(
    kb: KnowledgeBase, lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    pages: list[str] = []

    def fake_pdf(html: str) -> bytes:
        pages.append(html)
        return b"%PDF-fake"

    monkeypatch.setattr(questionnaire_view, "render_pdf", fake_pdf)
    url = _result_url(kb, METAL_ALLERGY).replace("/result/", "/result/pdf/")
    assert Client(HTTP_ACCEPT_LANGUAGE=lang).get(url).status_code == 200
    _named_without_link(pages[0], kb.sources[NICKEL], lang)


def test_the_api_gives_no_address_for_a_source_without_an_original(client: Client, kb: KnowledgeBase) -> None:
    body = {"setting": "home", "age": 30, "goals": ["glow"], "history": ["metal_allergy"]}
    data = client.post("/api/v1/assessments", data=body, content_type="application/json").json()
    assert data["sources"][NICKEL]["url"] is None
    assert data["sources"][NICKEL]["title"] == kb.sources[NICKEL].title
    assert all(source["url"] for source_id, source in data["sources"].items() if source_id != NICKEL)
    rows = {row["id"]: row for row in client.get("/api/v1/knowledge").json()["sources"]}
    assert {source_id for source_id, row in rows.items() if row["url"] is None} == {
        s.source_id for s in _without_original(kb)
    }


def test_the_api_schema_documents_a_null_url(client: Client) -> None:
    schema = client.get("/openapi.json").json()
    url = schema["components"]["schemas"]["SourceOut"]["properties"]["url"]
    assert {"type": "null"} in url["anyOf"]
    assert "Null when no public original was found" in url["description"]
    assert "url" in schema["components"]["schemas"]["SourceOut"]["required"]
