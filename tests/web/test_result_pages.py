"""Results a person can act on (issue 10 §4), through Django's test client.

Each page of the questionnaire has its own address (the answers in ``?s=``): answering redirects to
the next one, so Back and reload work; the result says what to do next at the top; cards take the
colour of how serious they are; the page, the PDF and a saved result show the date, the knowledge
base and the answers in words; "Start again" and "Delete" ask first; Spanish writes 0,25 mm.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import re
import zlib
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson
import pytest
from django.template import engines
from django.test import Client
from django.utils import timezone, translation
from markupsafe import escape

from needlewise.domain.vocabulary import Lang
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.errors import ProfileError
from needlewise.reports.levels import card_level
from needlewise.reports.staff import staff_screening
from needlewise.services.ports import SavedResultRecord
from needlewise.services.questionnaire import Interview
from needlewise.services.saved_results import SavedResultView
from needlewise.storage.models import SavedResult
from needlewise.web.views import questionnaire as questionnaire_view
from needlewise.web.views import saved as saved_view
from needlewise.web.views.questionnaire import state_token

GLOW: dict[str, Any] = {
    "setting": "home",
    "age": 30,
    "goals": ["glow"],
    "areas": ["cheeks"],
    "device.kind": "roller",
    "device.needle_mm": 0.25,
    "device.uses": 0,
    "device.shared": False,
    "fitzpatrick": 2,
}
PROFILES: dict[str, dict[str, Any]] = {
    "home_ok": GLOW,
    "home_caution": {**GLOW, "device.needle_mm": 0.5},
    "clinic": {**GLOW, "goals": ["acne_scars"]},
    "medical_review": {**GLOW, "isotretinoin_months_since_stop": 3},
    "stop": {**GLOW, "skin_now": ["cold_sore"]},
}
STATE = re.compile(r'name="state" value="([^"]*)"')


def finish(kb: KnowledgeBase, answers: dict[str, Any], *, until: str | None = None) -> Interview:
    """An interview answered as ``answers`` says (nothing to report where they say nothing), up to ``until``."""
    interview = Interview(kb)
    while (question := interview.next_question()) is not None and question.question_id != until:
        if interview.early_stop() is not None:
            break
        default: object = [] if question.kind in ("multi", "procedures") else None
        if question.kind == "boolean":
            default = False
        interview.answer(question, answers.get(question.field, default))
    return interview


def result_url(kb: KnowledgeBase, profile: str) -> str:
    return f"/result/?s={state_token(finish(kb, PROFILES[profile]))}"


def escaped(text: str) -> str:
    """``text`` as the templates write it into the page."""
    return str(escape(text))


def text_of(page: str) -> str:
    """The page's visible words, roughly: tags and hidden form values removed, entities decoded."""
    page = re.sub(r"<input[^>]*>", " ", page)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def token_of(location: str) -> str:
    return parse_qs(urlsplit(location).query)["s"][0]


def state_of(page: str) -> str:
    match = STATE.search(page)
    assert match, page[:300]
    return html.unescape(match.group(1))


# -- Back and reload: every question and the result have their own address ----------------------------


def test_answering_redirects_to_the_next_question_s_own_address(client: Client) -> None:
    first = client.get("/assess/")
    assert first.status_code == 200
    assert "X-Robots-Tag" not in first  # no answers yet
    response = client.post("/assess/", {"state": state_of(first.content.decode()), "answer": "home"})
    assert response.status_code == 303
    location = response["Location"]
    assert location.startswith("/assess/?s=")
    # The address alone (a reload, or Back to it) shows that question again, with the answers so far.
    for _ in range(2):
        page = client.get(location)
        assert page.status_code == 200
        assert 'data-question="age"' in page.content.decode()
        assert page["X-Robots-Tag"] == "noindex, nofollow"
    interview = questionnaire_view.interview_from_token(token_of(location))
    assert interview.document["setting"] == "home"
    assert interview.answered == ["setting"]


def test_the_page_s_own_back_button_redirects_to_the_earlier_question(client: Client, kb: KnowledgeBase) -> None:
    interview = finish(kb, GLOW, until="skin-now")
    state = orjson.dumps(interview.to_state()).decode()
    response = client.post("/assess/", {"state": state, "action": "back"})
    assert response.status_code == 303
    back = client.get(response["Location"]).content.decode()
    assert 'data-question="age"' in back
    assert 'value="30"' in back  # the answer gone back over is filled in


def test_the_last_answer_redirects_to_the_result_and_a_reload_keeps_it(client: Client, kb: KnowledgeBase) -> None:
    interview = finish(kb, GLOW, until="fitzpatrick")
    state = orjson.dumps(interview.to_state()).decode()
    response = client.post("/assess/", {"state": state, "answer": "2"})
    assert response.status_code == 303
    assert response["Location"].startswith("/result/?s=")
    for _ in range(2):
        page = client.get(response["Location"])
        assert page.status_code == 200
        assert 'data-tier="home_ok"' in page.content.decode()
        assert page["X-Robots-Tag"] == "noindex, nofollow"


def test_a_stop_answer_redirects_to_the_result_at_once(client: Client, kb: KnowledgeBase) -> None:
    interview = finish(kb, GLOW, until="skin-now")
    state = orjson.dumps(interview.to_state()).decode()
    response = client.post("/assess/", {"state": state, "answer": ["cold_sore"]})
    assert response["Location"].startswith("/result/?s=")
    page = client.get(response["Location"]).content.decode()
    assert 'data-tier="stop"' in page
    assert "We stopped early" in page
    # The question page of a state that already means stop leads to the result too.
    assert client.get("/assess/?s=" + token_of(response["Location"]))["Location"].startswith("/result/?s=")


def test_a_complete_state_s_question_address_leads_to_its_result(client: Client, kb: KnowledgeBase) -> None:
    token = state_token(finish(kb, GLOW))
    response = client.get(f"/assess/?s={token}")
    assert response.status_code == 303
    assert response["Location"] == f"/result/?s={token}"


def test_an_unfinished_state_s_result_address_leads_back_to_its_next_question(
    client: Client, kb: KnowledgeBase
) -> None:
    token = state_token(finish(kb, GLOW, until="goals"))
    response = client.get(f"/result/?s={token}")
    assert response.status_code == 303
    assert response["Location"] == f"/assess/?s={token}"
    assert client.get("/result/")["Location"] == "/assess/"


def test_a_refused_answer_stays_on_its_question_and_names_its_own_address(client: Client, kb: KnowledgeBase) -> None:
    interview = finish(kb, GLOW, until="age")
    state = orjson.dumps(interview.to_state()).decode()
    response = client.post("/assess/", {"state": state, "answer": "abc"})
    assert response.status_code == 422
    page = response.content.decode()
    assert 'data-question="age"' in page
    # The script gives the history entry this address, so that a reload is a GET of the question.
    assert f'data-page-url="/assess/?s={state_token(interview)}"' in page


def test_switching_language_on_a_question_redirects_with_the_cookie(client: Client, kb: KnowledgeBase) -> None:
    state = orjson.dumps(finish(kb, GLOW, until="age").to_state()).decode()
    response = client.post("/assess/", {"state": state, "action": "stay", "language": "es"})
    assert response.status_code == 303
    assert response.cookies["django_language"].value == "es"
    assert '<html lang="es">' in client.get(response["Location"]).content.decode()


def test_the_result_s_language_switch_redirects_to_its_address(client: Client, kb: KnowledgeBase) -> None:
    state = orjson.dumps(finish(kb, PROFILES["stop"]).to_state()).decode()
    response = client.post("/result/", {"state": state, "language": "es"})
    assert response.status_code == 303
    assert response["Location"].startswith("/result/?s=")
    assert response.cookies["django_language"].value == "es"


def _token(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.mark.parametrize(
    "token",
    [
        "not base64!",  # the characters outside the alphabet are dropped, and the rest is not zlib
        _token(b"plain bytes, not compressed"),
        _token(zlib.compress(b"{not json")),
        _token(zlib.compress(b'{"document": {}}')),  # JSON, but not a state
        _token(zlib.compress(b"[" + b" " * 40_000 + b"]")),  # more than a state can be
        _token(zlib.compress(b"{}")[:-4]),  # cut short
    ],
)
def test_a_damaged_address_is_refused_plainly(client: Client, token: str) -> None:
    for path in ("/assess/", "/result/", "/result/pdf/"):
        response = client.get(path, {"s": token})
        assert response.status_code == 400, path
        assert "please start again" in response.content.decode()
    assert client.post("/result/", {"state": "[]"}).status_code == 400


def test_head_is_answered_like_get(client: Client, kb: KnowledgeBase) -> None:
    for path in ("/", "/sources/", "/claims/", "/docs", "/assess/", result_url(kb, "home_ok")):
        response = client.head(path)
        assert response.status_code == 200, path
        assert response.content == b""


# -- The first screen: the verdict says what to do next, the next action right under it ------------------


@pytest.mark.parametrize("tier", list(PROFILES))
def test_the_verdict_box_says_what_to_do_next(client: Client, kb: KnowledgeBase, tier: str) -> None:
    page = client.get(result_url(kb, tier)).content.decode()
    verdict = page[page.index('class="verdict') : page.index("</section>", page.index('class="verdict'))]
    assert "What to do next:" in verdict
    expected = {
        "home_ok": "Follow your plan below",
        "home_caution": "Make the changes below, then follow your plan",
        "clinic": "Choose a clinic whose trained practitioners",
        "medical_review": "Talk to a doctor before any microneedling",
        "stop": "Do not microneedle now",
    }
    assert expected[tier] in verdict


@pytest.mark.django_db
@pytest.mark.parametrize("tier", ["clinic", "medical_review"])
def test_choosing_a_clinic_sits_right_under_the_verdict(client: Client, kb: KnowledgeBase, tier: str) -> None:
    page = client.get(result_url(kb, tier)).content.decode()
    verdict_end = page.index("</section>", page.index('class="verdict'))
    choose = page.index("Choose a clinic</button>")
    assert verdict_end < choose < page.index('id="reasons-title"')
    assert page.index('action="/clinics/send/"') < page.index('id="reasons-title"')
    assert page.count("Choose a clinic</button>") == 1
    assert ("PDF for your doctor" in page) is (tier == "medical_review")
    # The form sends the result on: the clinic list opens with it.
    response = client.post("/clinics/send/", {"state": state_of(page)})
    assert response.status_code == 200


@pytest.mark.parametrize(("tier", "link"), [("home_ok", "#plan-title"), ("stop", "#reasons-title")])
def test_other_verdicts_point_to_what_to_read(client: Client, kb: KnowledgeBase, tier: str, link: str) -> None:
    page = client.get(result_url(kb, tier)).content.decode()
    assert page.index(f'href="{link}"') < page.index('id="reasons-title"')
    assert "Choose a clinic" not in page


def test_a_stop_result_keeps_its_plan_for_later_folded(client: Client, kb: KnowledgeBase) -> None:
    page = client.get(result_url(kb, "stop")).content.decode()
    assert "Your plan, for later" in page
    assert '<details class="later-plan">' in page
    assert "Your plan, for later" not in client.get(result_url(kb, "home_ok")).content.decode()


def test_the_open_questions_of_the_evidence_are_folded_away(client: Client, kb: KnowledgeBase) -> None:
    page = client.get(result_url(kb, "home_ok")).content.decode()
    shown = re.search(r"Show the (\d+) open questions", page)
    assert shown
    assert page.index('<details class="gaps">') < page.index('<ul class="gaps">')
    listed = page[page.index('<ul class="gaps">') : page.index("</ul>", page.index('<ul class="gaps">'))]
    assert listed.count("<li>") == int(shown.group(1))


def test_a_home_plan_folds_its_sections_but_keeps_the_needle_length_and_how_often_open(
    client: Client, kb: KnowledgeBase
) -> None:
    interview = finish(kb, PROFILES["home_ok"])
    assessment = interview.result()
    page = client.get(f"/result/?s={state_token(interview)}").content.decode()
    plan = page[page.index('id="plan-title"') : page.index('id="gaps-title"')]
    assert plan.index("Needle length at home") < plan.index('<details class="plan-section fold')
    assert plan.index("How often and how many sessions") < plan.index('<details class="plan-section fold')
    for section in assessment.plan.sections:
        fold = rf'<details class="plan-section fold[^"]*" data-section="{section.section_id}">'
        fold += r"\s*<summary>([^<]*)</summary>"
        folded = re.search(fold, plan)
        assert folded, section.section_id
        assert html.unescape(folded.group(1)) == section.title
        for step in section.steps:  # folded, not removed
            assert escaped(step) in plan, step
    assert '<details class="plan-section fold red-flags" data-section="red-flags">' in plan


def test_a_reason_keeps_its_advice_open_and_its_evidence_with_its_sources(client: Client, kb: KnowledgeBase) -> None:
    interview = finish(kb, PROFILES["home_caution"])
    page = client.get(f"/result/?s={state_token(interview)}").content.decode()
    for finding in interview.result().findings:
        card = page[page.index(escaped(finding.title)) :]
        card = card[: card.index("</article>")]
        folded = card.index('<details class="evidence">')
        assert card.index(escaped(finding.advice)) < folded
        if finding.seek_care_if:
            assert card.index(escaped(finding.seek_care_if)) < folded
        assert card.index(escaped(finding.evidence_note)) > folded
        assert card.count('<ul class="citations">') == 1


def test_the_result_page_ends_with_each_cited_source_once(client: Client, kb: KnowledgeBase) -> None:
    interview = finish(kb, PROFILES["home_ok"])
    assessment = interview.result()
    page = client.get(f"/result/?s={state_token(interview)}").content.decode()
    cited = list(assessment.to_json()["sources"])  # type: ignore[arg-type]
    section = page[page.index('id="sources-title"') : page.index("</section>", page.index('id="sources-title"'))]
    assert f"Show the {len(cited)} sources of this result" in section
    links = re.findall(r'<a href="([^"]+)" rel="noreferrer noopener">', section)
    originals = [kb.sources[source_id].url for source_id in cited]
    assert (
        None in originals
    )  # a source with no public original is named, not linked (tests/web/test_sources_without_original.py)
    assert links == [escaped(url) for url in originals if url is not None]
    # After the gaps, before the buttons that keep the result.
    assert page.index('id="gaps-title"') < page.index('id="sources-title"') < page.index('class="result-actions"')


def test_the_disclaimer_shows_once_on_the_page_and_stays_in_the_pdf(
    client: Client, kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = client.get(result_url(kb, "home_ok")).content.decode()
    disclaimer = escaped(kb.disclaimer.en)
    assert page.count(disclaimer) == 1
    assert page.index(disclaimer) > page.index('<footer class="site-footer">')
    pages = _pdf_html(monkeypatch)
    client.get(result_url(kb, "home_ok").replace("/result/", "/result/pdf/"))
    assert '<p class="disclaimer">' in pages[0]
    # On paper nothing is folded: the plan's sections and the evidence notes are open.
    assert '<div class="plan-section red-flags" data-section="red-flags">' in pages[0]
    assert 'class="plan-section fold' not in pages[0]
    assert '<details class="evidence">' not in pages[0]


# -- Card colours follow seriousness -------------------------------------------------------------------


@pytest.mark.parametrize("tier", list(PROFILES))
def test_each_card_takes_the_colour_of_its_seriousness(client: Client, kb: KnowledgeBase, tier: str) -> None:
    interview = finish(kb, PROFILES[tier])
    assessment = interview.result()
    page = client.get(f"/result/?s={state_token(interview)}").content.decode()
    levels = re.findall(r'<article class="finding level-(\w+)" data-level="\w+">', page)
    assert levels == [card_level(f.tier, f.severity).value for f in assessment.findings]
    assert 'class="finding tier-' not in page  # no card is coloured by its tier alone: none is green
    words = {"note": "good to know", "caution": "take care", "clinic": "clinic only"}
    for level in set(levels) & set(words):
        assert f'<p class="level-label">{words[level]}</p>' in page


# -- Date, knowledge base and the answers in words --------------------------------------------------------


def test_the_result_page_offers_the_answers_in_words(client: Client, kb: KnowledgeBase) -> None:
    page = client.get(result_url(kb, "medical_review")).content.decode()
    answers = page[page.index('<details class="your-answers">') : page.index("</details>", page.index("your-answers"))]
    text = text_of(answers)
    assert "Your answers (" in text
    assert f"Assessed on {timezone.localdate().day} " in text
    assert f"with knowledge base {kb.version.version}." in text
    assert "Where would the microneedling happen? At home, on myself" in text
    assert "How old are you? 30" in text
    assert "Glow / brighter skin" in text or "Glow" in text
    assert "0.25" in text
    assert "acne_scars" not in text
    assert "not on our server" in text


def test_the_answers_are_in_spanish_with_a_decimal_comma(kb: KnowledgeBase) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    page = client.get(result_url(kb, "home_ok")).content.decode()
    text = text_of(page)
    assert "Tus respuestas" in text
    assert "¿Dónde se haría el microneedling?" in text
    assert " 0,25" in text
    assert "0.25 mm" not in text
    assert "0.3 mm" not in text
    assert "Qué hacer ahora:" in text


def _pdf_html(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make the PDF step hand back its HTML, to read what the PDF says."""
    pages: list[str] = []

    def fake_pdf(page: str) -> bytes:
        pages.append(page)
        return b"%PDF-fake"

    monkeypatch.setattr(questionnaire_view, "render_pdf", fake_pdf)
    return pages


def test_the_pdf_says_when_with_which_knowledge_and_on_which_answers(
    client: Client, kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    pages = _pdf_html(monkeypatch)
    response = client.get(result_url(kb, "clinic").replace("/result/", "/result/pdf/"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="needlewise-result.pdf"'
    text = text_of(pages[0])
    assert f"Assessed on {timezone.localdate().day} " in text
    assert f"knowledge base {kb.version.version}" in text
    assert "Your answers" in text
    assert "Where would the microneedling happen? At home, on myself" in text
    assert "What to do next:" in text
    assert "Show the plan" not in text  # nothing folded away on paper
    # The verdict, then the answers, then the reasons.
    assert text.index("What to do next:") < text.index("Your answers") < text.index("Why")


def test_the_pdf_of_posted_answers_still_works(client: Client, kb: KnowledgeBase) -> None:
    state = orjson.dumps(finish(kb, PROFILES["stop"]).to_state()).decode()
    response = client.post("/result/pdf/", {"state": state})
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


# -- Saved results: date, answers, a clinic, deleting only after asking ---------------------------------


def _save(client: Client, kb: KnowledgeBase, profile: str) -> str:
    state = orjson.dumps(finish(kb, PROFILES[profile]).to_state()).decode()
    return client.post("/save/", {"state": state})["Location"]


@pytest.mark.django_db
def test_a_saved_result_shows_its_date_and_answers(
    client: Client, kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    link = _save(client, kb, "clinic")
    page = client.get(link).content.decode()
    text = text_of(page)
    assert f"Saved on {timezone.localdate().day} " in text
    assert "Assessed again on" in text
    assert "Where would the microneedling happen? At home, on myself" in text
    assert "not on our server" not in text  # this one is on the server, by the person's choice
    # Its answers can still go to a clinic.
    assert "Choose a clinic</button>" in page
    assert client.post("/clinics/send/", {"state": state_of(page)}).status_code == 200
    pages = _pdf_html(monkeypatch)
    assert client.get(link + "pdf/").status_code == 200
    assert f"Saved on {timezone.localdate().day} " in text_of(pages[0])
    SavedResult.objects.update(created_at=dt.datetime(2026, 3, 4, 12, tzinfo=dt.UTC))
    assert "Saved on 4 March 2026." in text_of(client.get(link).content.decode())


@pytest.mark.django_db
def test_a_saved_result_whose_answers_no_longer_replay_offers_the_clinic_list(
    client: Client, kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    link = _save(client, kb, "medical_review")

    def refuse(*_: object) -> Interview:
        raise ProfileError([])

    monkeypatch.setattr(Interview, "from_state", refuse)
    page = client.get(link).content.decode()
    assert 'href="/clinics/">Find a clinic</a>' in page
    assert "Choose a clinic" not in page


@pytest.mark.django_db
def test_deleting_a_saved_result_asks_first(client: Client, kb: KnowledgeBase) -> None:
    link = _save(client, kb, "home_caution")
    page = client.get(link).content.decode()
    assert f'<form method="get" action="{link}delete/">' in page
    confirm = client.get(link + "delete/")
    assert confirm.status_code == 200
    assert confirm["X-Robots-Tag"] == "noindex, nofollow"
    text = text_of(confirm.content.decode())
    assert "Delete this saved result?" in text
    assert "This cannot be undone." in text
    assert f'href="{link}">No, keep it</a>' in confirm.content.decode()
    assert client.get(link).status_code == 200  # asking deleted nothing
    assert "has been deleted" in client.post(link + "delete/").content.decode()
    assert client.get(link + "delete/").status_code == 404


def test_a_saved_record_without_a_date_shows_none(kb: KnowledgeBase) -> None:
    record = SavedResultRecord("digest", "en", {}, "1.0.0", "sha256:x", "home_ok", {}, created_at=None)
    assert saved_view._saved_on(SavedResultView(record, finish(kb, GLOW).result())) is None


# -- Start again asks first ---------------------------------------------------------------------------


def test_start_again_asks_first_and_leads_back_to_the_result(client: Client, kb: KnowledgeBase) -> None:
    url = result_url(kb, "clinic")
    page = client.get(url).content.decode()
    start = f'href="/assess/start-again/?s={token_of(url)}"'
    assert start in page
    confirm = client.get(html.unescape(start[6:-1]))
    assert confirm.status_code == 200
    body = confirm.content.decode()
    assert "Start again?" in body
    assert 'href="/assess/">Yes, start again</a>' in body
    assert f'href="{url}">No, back to my result</a>' in body
    # The language switcher comes back to the same question, answers included.
    assert f'name="next" value="{html.escape(html.unescape(start[6:-1]))}"' in body
    for damaged in ("/assess/start-again/", "/assess/start-again/?s=xyz"):
        other = client.get(damaged).content.decode()
        assert "Yes, start again" in other
        assert "No, back to my result" not in other


# -- Smaller: print button, long addresses, "See a doctor if" ---------------------------------------------


def test_the_print_button_is_hidden_until_the_script_shows_it(client: Client, kb: KnowledgeBase) -> None:
    page = client.get(result_url(kb, "home_ok")).content.decode()
    assert re.search(r'<button type="button" class="secondary print-button" hidden>', page)
    css = client.get("/static/needlewise/app.css")
    stylesheet = b"".join(css.streaming_content).decode()  # type: ignore[attr-defined]
    assert "[hidden] { display: none !important; }" in stylesheet
    assert ".consent-text, .citations" in stylesheet


def test_see_a_doctor_if_reads_as_one_sentence(kb: KnowledgeBase) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    page = client.get(result_url(kb, "stop")).content.decode()
    lines = re.findall(r'<p class="seek-care"><strong>([^<]+)</strong> ([^<]+)</p>', page)
    assert lines
    for words, text in lines:
        assert words == "Consulta a un médico si"
        assert text[0].islower(), text
        assert not text.startswith(":")


def test_the_clinic_screening_names_seek_medical_care_if(kb: KnowledgeBase) -> None:
    document = {
        "tier": "stop",
        "tier_title": "Stop",
        "tier_summary": "Not now.",
        "findings": [
            {
                "tier": "stop",
                "title": "Cold sore",
                "advice": "Wait.",
                "seek_care_if": "the sores spread.",
                "confidence": "high",
                "evidence_note": "",
                "citations": [],
                "facts": [],
            }
        ],
        "sources": {},
        "disclaimer": "",
    }
    template = engines["jinja2"].from_string(
        '{% from "clinic/_assessment.html" import assessment with context %}{{ assessment(d) }}'
    )
    with translation.override("en"):
        page = template.render({"d": staff_screening(document, kb, Lang.EN), "lang": Lang.EN})
    assert '<p class="seek-care"><strong>Seek medical care if:</strong> the sores spread.</p>' in page
    assert "Do not treat now" in page


def test_spanish_pages_write_decimals_with_a_comma(kb: KnowledgeBase) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    for path in ("/", "/claims/"):
        text = text_of(client.get(path).content.decode())
        assert not re.search(r"\d\.\d+ mm", text), (path, re.findall(r".{30}\d\.\d+ mm", text))
    question = finish(kb, GLOW, until="needle-length")
    page = client.get(f"/assess/?s={state_token(question)}").content.decode()
    assert "0.25)" not in text_of(page)
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get(result_url(kb, "home_caution")).content.decode()
    assert "0.3 mm" in text_of(english)


def test_a_number_answer_gone_back_over_is_shown_as_the_person_types_it(kb: KnowledgeBase) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    interview = finish(kb, {**GLOW, "device.needle_mm": 0.25}, until="device-uses")
    response = client.post("/assess/", {"state": orjson.dumps(interview.to_state()).decode(), "action": "back"})
    page = client.get(response["Location"]).content.decode()
    assert 'value="0,25"' in page
