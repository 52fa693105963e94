"""Parts of pages kept once rendered: per key and language, bounded, the journal page's cards, staff reason cards."""

from __future__ import annotations

import pytest
import time_machine
from django.template import engines
from django.test import Client
from django.utils import translation
from markupsafe import Markup

from needlewise.domain.disposition import Disposition
from needlewise.domain.vocabulary import Lang
from needlewise.reports.answers import AnswerLine
from needlewise.reports.staff import Reason, Source
from needlewise.web import fragments
from web import journal_support as js


class Renders:
    def __init__(self, html: str) -> None:
        self.html, self.count = html, 0

    def __call__(self) -> str:
        self.count += 1
        return self.html


def test_a_part_is_rendered_once_per_key_and_language() -> None:
    fragments.forget()
    card = Renders("<p>card</p>")
    with translation.override("en"):
        first = fragments.once("card", "rule-a", "kb1", caller=card)
        again = fragments.once("card", "rule-a", "kb1", caller=card)
        fragments.once("card", "rule-a", "kb2", caller=card)  # another knowledge base: rendered again
    with translation.override("es"):
        fragments.once("card", "rule-a", "kb1", caller=card)  # another language: rendered again
    assert first == again == Markup("<p>card</p>")
    assert isinstance(first, Markup)
    assert card.count == 3


def test_a_full_store_starts_again_and_forget_empties_it(monkeypatch) -> None:
    fragments.forget()
    monkeypatch.setattr(fragments, "MAX_PARTS", 2)
    part = Renders("x")
    for key in ("a", "b", "c"):
        fragments.once(key, caller=part)
    assert len(fragments._parts) == 1  # the third found it full: it started again with itself
    fragments.once("c", caller=part)
    assert part.count == 3
    fragments.forget()
    assert fragments._parts == {}


@pytest.mark.django_db
@time_machine.travel("2026-12-07T10:00Z", tick=False)
def test_the_journal_page_s_kept_parts_follow_the_language_and_what_was_ticked(client: Client, kb) -> None:
    fragments.forget()
    key = js.started(kb)
    client.post(f"/journal/{key}/session/", {"on": "2026-12-06", "needle_mm": "0.25", "areas": ["cheeks"]})
    client.post(f"/journal/{key}/session/", {"on": "2026-12-06", "needle_mm": "0.25", "areas": ["cheeks"]})
    english = client.get(f"/journal/{key}/").content.decode()
    spanish = client.get(f"/journal/{key}/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    finding = kb.treatment.home_journal.too_soon_title
    assert finding.in_(Lang.EN) in english
    assert finding.in_(Lang.ES) in spanish
    assert finding.in_(Lang.EN) not in spanish
    cheeks = kb.vocabulary["areas"]["cheeks"].label
    assert f'<label for="f-areas-cheeks">{cheeks.in_(Lang.ES)}</label>' in spanish
    assert 'name="areas" value="cheeks" checked' not in english  # the session form starts empty
    refused = client.post(f"/journal/{key}/session/", {"on": "", "needle_mm": "", "areas": ["cheeks"]})
    assert refused.status_code == 422
    assert 'name="areas" value="cheeks" checked' in refused.content.decode()  # what was ticked stays ticked
    again = client.get(f"/journal/{key}/").content.decode()
    assert 'name="areas" value="cheeks" checked' not in again


def test_a_staff_reason_card_keeps_the_knowledge_base_s_words_never_the_client_s_answers() -> None:
    fragments.forget()
    macros = engines["jinja2"].env.get_template("clinic/_assessment.html").make_module({"lang": Lang.EN})

    def card(answer: str, advice: str = "Wait two weeks.") -> str:
        check = [AnswerLine("Any cold sore now?", answer)]
        source = Source("A trial", "https://example.org/t", "moderate", 2020)
        reason = Reason("Cold sore", Disposition.DO_NOT_TREAT, check, None, advice, "low", "Few studies.", [source])
        with translation.override("en"):
            return str(macros.reason_card(reason, 3))

    first, second = card("Yes, on the lip"), card("Not sure")
    assert "Yes, on the lip" in first
    assert "Not sure" in second
    assert "Yes, on the lip" not in second
    assert first.replace("Yes, on the lip", "Not sure") == second  # the same kept words around each answer
    kept = "".join(fragments._parts.values())
    assert "Cold sore" in kept
    assert "Wait two weeks." in kept
    assert "Yes, on the lip" not in kept
    assert "Not sure" not in kept
    assert len(fragments._parts) == 2  # the heading and the evidence, once for both clients
    assert "Wait a month." in card("Yes", advice="Wait a month.")  # other words: rendered afresh
