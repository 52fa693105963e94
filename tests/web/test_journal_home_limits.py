"""A journal session above home use (pages and API): said first on the page, in a warning colour, never contradicted."""

from __future__ import annotations

import io
from html import escape

import pytest
import time_machine
from django.test import Client
from pypdf import PdfReader

from needlewise.api.journal_schemas import JournalOut
from needlewise.engine.knowledge import KnowledgeBase
from web import journal_support as js

pytestmark = pytest.mark.django_db
TODAY = "2026-12-07T10:00Z"
ES = {"HTTP_ACCEPT_LANGUAGE": "es"}


def _box(page: str) -> str:
    """The first screen: the page's first verdict box, "What to do next"."""
    start = page.index('<section class="verdict')
    return page[start : page.index("</section>", start)]


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(
    ("headers", "warning", "next_words", "box_class"),
    [
        (
            {},
            "Do not use a 1 mm needle at home again: at home, 0.3 mm or shorter.",
            "Next session, with a needle of 0.3 mm or shorter: not before 3 January 2027.",
            "tier-home_caution",
        ),
        (
            ES,
            "No vuelvas a usar en casa una aguja de 1 mm: en casa, 0,3 mm o menos.",
            "Próxima sesión, con una aguja de 0,3 mm o menos: no antes del 3 de enero de 2027.",
            "tier-home_caution",
        ),
    ],
)
def test_a_needle_over_the_home_cap_is_said_first_and_the_next_session_is_within_it(  # noqa: PLR0913, PLR0917 - the case's words
    client: Client, kb: KnowledgeBase, headers: dict[str, str], warning: str, next_words: str, box_class: str
) -> None:
    key = js.started(kb)
    data = {"on": "2026-12-06", "needle_mm": "1", "areas": ["cheeks"], "products": ["retinoid_serum"]}
    page = js.submitted(client, f"/journal/{key}/session/", data, **headers).content.decode()
    box = _box(page)
    assert box_class in box[: box.index(">")]
    assert "tier-home_ok" not in box[: box.index(">")]
    assert warning in box
    assert next_words in box
    assert box.index(warning) < box.index(next_words)
    assert "with a 1 mm needle" not in box.split(next_words)[0]  # never offered as the next session's
    for source_id in kb.home_needle.citations:  # the cap's sources, from the knowledge base
        assert escape(kb.sources[source_id].title) in box
    assert page.index(warning) < page.index('id="findings-title"')  # before the card that says "clinic only"
    assert 'class="finding level-clinic"' in page


@time_machine.travel(TODAY, tick=False)
def test_under_the_eyes_the_area_s_cap_is_the_one_said(client: Client, kb: KnowledgeBase) -> None:
    key = js.started(kb)
    data = {"on": "2026-12-06", "needle_mm": "0.5", "areas": ["under_eye"]}
    box = _box(js.submitted(client, f"/journal/{key}/session/", data).content.decode())
    assert "Do not use a 0.5 mm needle at home again: at home, 0.2 mm or shorter." in box
    assert "Under-eye skin: 0.2 mm at most at home" in box
    assert "Next session, with a needle of 0.2 mm or shorter: not before" in box


@time_machine.travel(TODAY, tick=False)
def test_a_clinic_product_with_a_short_needle_is_above_home_use_too(client: Client, kb: KnowledgeBase) -> None:
    key = js.started(kb)
    data = {"on": "2026-12-06", "needle_mm": "0.25", "areas": ["cheeks"], "products": ["prp"]}
    box = _box(js.submitted(client, f"/journal/{key}/session/", data, **ES).content.decode())
    assert "Tu sesión del 6 de diciembre de 2026 superó lo que es para uso en casa" in box
    assert "Próxima sesión: no antes del 8 de diciembre de 2026." in box


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(
    ("headers", "mm", "words"),
    [
        ({}, "0.25", "Next session: any day from today."),
        (ES, "0.25", "Próxima sesión: cualquier día a partir de hoy."),
        ({}, "1", "Next session, with a needle of 0.3 mm or shorter: any day from today."),
        (ES, "1", "Próxima sesión, con una aguja de 0,3 mm o menos: cualquier día a partir de hoy."),
    ],
)
def test_a_next_day_already_past_is_any_day_from_today(
    client: Client, kb: KnowledgeBase, headers: dict[str, str], mm: str, words: str
) -> None:
    key = js.started(kb)
    client.post(f"/journal/{key}/session/", {"on": "2026-09-01", "needle_mm": mm, "areas": ["cheeks"]})
    box = _box(client.get(f"/journal/{key}/", **headers).content.decode())
    assert words in box
    assert "not before" not in box
    assert "no antes" not in box
    state = client.get(f"/api/v1/journals/{key}").json()
    assert state["next_session_on"] < "2026-12-07"  # the computed day is kept; the reader's today decides


@time_machine.travel(TODAY, tick=False)
def test_a_session_within_home_use_has_no_warning(client: Client, kb: KnowledgeBase) -> None:
    key = js.started(kb)
    page = js.submitted(
        client, f"/journal/{key}/session/", {"on": "2026-12-06", "needle_mm": "0.25", "areas": ["cheeks"]}
    )
    box = _box(page.content.decode())
    assert "tier-home_ok" in box[: box.index(">")]
    assert "home-limit" not in box
    assert "Next session: not before 8 December 2026." in box


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(
    ("path", "data", "field", "words"),
    [
        (
            "session",
            {"on": "1999-12-31", "needle_mm": "0.25", "areas": ["cheeks"]},
            "on",
            "anterior al 1 de enero de 2000",
        ),
        (
            "device",
            {"kind": "roller", "bought_on": "1899-01-01", "uses": "0"},
            "bought_on",
            "anterior al 1 de enero de 2000",
        ),
    ],
)
def test_a_day_before_2000_is_refused_naming_the_field(  # noqa: PLR0913, PLR0917 - the case's parts
    client: Client, kb: KnowledgeBase, path: str, data: dict[str, object], field: str, words: str
) -> None:
    key = js.started(kb)
    refused = client.post(f"/journal/{key}/{path}/", data, **ES)
    assert refused.status_code == 422
    page = refused.content.decode()
    assert f'href="#f-{field}"' in page
    assert words in page


@time_machine.travel(TODAY, tick=False)
def test_the_api_says_the_same_first_and_refuses_days_before_2000(client: Client, kb: KnowledgeBase) -> None:
    created = js.post(client, "/api/v1/journals", {"profile": js.PROFILE}).json()
    key = created["key"]
    body = {"on": "2026-12-06", "needle_mm": 1.0, "areas": ["cheeks"], "products": ["retinoid_serum"]}
    state = js.post(client, f"/api/v1/journals/{key}/sessions", body).json()
    JournalOut.model_validate(state)
    (limit,) = state["home_limits"]
    assert (limit["session_on"], limit["needle_mm"], limit["cap_mm"], limit["needle_over"]) == (
        "2026-12-06",
        1.0,
        0.3,
        True,
    )
    assert "home-needle-clinic-only" in [r["rule_id"] for r in limit["reasons"]]
    assert set(limit["citations"]) <= set(state["sources"])
    assert set(kb.home_needle.citations) <= set(limit["citations"])
    assert state["interval"]["next_needle_mm_max"] == 0.3
    assert state["interval"]["needle_mm"] == 1.0  # the interval is the one for the session that happened
    assert state["next_session_on"] == "2027-01-03"
    within = js.post(client, f"/api/v1/journals/{key}/sessions", {**body, "on": "2026-12-07", "needle_mm": 0.25})
    assert [lim["session_on"] for lim in within.json()["home_limits"]] == ["2026-12-06"]  # it still sets the day
    for path, sent, field in (
        ("sessions", {**body, "on": "1999-12-31"}, "on"),
        ("device", {"kind": "roller", "bought_on": "1899-01-01"}, "bought_on"),
    ):
        refused = client.post(f"/api/v1/journals/{key}/{path}", data=sent, content_type="application/json", **ES)
        assert refused.status_code == 422
        assert field in refused.content.decode()
        assert "1 de enero de 2000" in refused.json()["problems"][0]["message"]  # Accept-Language: es, as asked


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(
    ("headers", "over", "within", "clinic"),
    [
        (
            {},
            "used a 1 mm needle, above home use: at home, 0.3 mm or shorter",
            "with a needle of 0.3 mm",
            "was above home use",
        ),
        (
            ES,
            "Tu sesión del 6 de diciembre de 2026 usó una aguja de 1 mm, más larga de lo que es para uso en casa",
            "con una aguja de 0,3 mm",
            "superó lo que es para",
        ),
    ],
)
def test_the_pdf_says_it_for_a_clinician_too(  # noqa: PLR0913, PLR0917 - the case's words
    client: Client, kb: KnowledgeBase, headers: dict[str, str], over: str, within: str, clinic: str
) -> None:
    key = js.started(kb)
    client.post(
        f"/journal/{key}/session/", {"on": "2026-11-01", "needle_mm": "0.25", "areas": ["cheeks"], "products": ["prp"]}
    )
    client.post(f"/journal/{key}/session/", {"on": "2026-12-06", "needle_mm": "1", "areas": ["cheeks"]})
    made = client.get(f"/journal/{key}/pdf/", **headers)
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(made.content)).pages)
    assert over in text
    assert within in text
    key = js.started(kb)
    client.post(
        f"/journal/{key}/session/", {"on": "2026-12-06", "needle_mm": "0.25", "areas": ["cheeks"], "products": ["prp"]}
    )
    made = client.get(f"/journal/{key}/pdf/", **headers)
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(made.content)).pages)
    assert clinic in text
