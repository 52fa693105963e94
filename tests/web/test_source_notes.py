"""Reviewer fields (notes, where a text was read) stay off public pages; marketing is never support there."""

from __future__ import annotations

import re
from html import escape

import pytest
from django.test import Client

from needlewise.domain.tier import Grade
from needlewise.engine.knowledge import KnowledgeBase

PUBLIC_PAGES = ("/", "/sources/", "/claims/", "/sources/?grade=MKT")


@pytest.mark.parametrize("path", PUBLIC_PAGES)
@pytest.mark.parametrize("language", ["en", "es"])
def test_no_reviewer_field_reaches_a_public_page(kb: KnowledgeBase, path: str, language: str) -> None:
    page = Client(HTTP_ACCEPT_LANGUAGE=language).get(path).content.decode()
    for marker in ("UNCONFIRMED", "copy titled", "Record: http", "Alster-2017"):
        assert marker not in page
    shown_notes = set(re.findall(r'<span class="note">([^<]*)</span>', page))
    for source in kb.sources.values():
        if source.note and source.note != source.public_note:  # a note made public on purpose
            assert escape(source.note) not in shown_notes, source.source_id
            if len(source.note) >= 40:  # a short note such as "Clinic blog" may match other text
                assert escape(source.note) not in page, source.source_id
        for url in source.read_at:
            assert url not in page, source.source_id


def test_the_sources_page_shows_originals_and_public_notes(client: Client, kb: KnowledgeBase) -> None:
    page = client.get("/sources/").content.decode()
    assert "https://doi.org/10.1097/DSS.0000000000001248" in page
    assert "Analogy only: tattoo and piercing law, not microneedling" in page
    assert f"{len(kb.sources)} sources" in page


def test_the_landing_page_cites_no_marketing(client: Client, kb: KnowledgeBase) -> None:
    page = client.get("/").content.decode()
    cited = set(re.findall(r'<a href="([^"]+)" rel="noreferrer noopener">', page))
    assert cited
    marketing = {s.url for s in kb.sources.values() if s.grade is Grade.MKT}
    assert cited & marketing == set()
    assert '<span class="grade">MKT</span>' not in page


def test_the_public_api_lists_no_reviewer_field(client: Client) -> None:
    rows = client.get("/api/v1/knowledge").json()["sources"]
    assert all(set(row) >= {"url", "public_note"} for row in rows)
    assert not any({"note", "read_at", "also_brief_refs"} & set(row) for row in rows)
    wac = next(row for row in rows if row["id"] == "wac-246-145-060")
    assert wac["public_note"] == "Analogy only: tattoo and piercing law, not microneedling"
