"""Spanish: from the browser's language, and from the switcher in the middle of the questionnaire."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from needlewise.domain.tier import Tier
from needlewise.domain.vocabulary import Lang
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.reports.numbers import local_decimals

pytestmark = pytest.mark.browser


def title(kb: KnowledgeBase, tier: str, lang: Lang) -> str:
    return kb.tier_texts[Tier(tier)].title.in_(lang)


def texts(kb: KnowledgeBase, lang: Lang) -> dict[str, str]:
    return {q.question_id: local_decimals(q.text.in_(lang), lang) for q in kb.questions}


def switch(app, page, code: str) -> None:
    app.after(page, lambda: page.click(f"header form.language button[lang={code}]"))


@pytest.mark.parametrize(("profile", "question_count"), [("home_ok", 16), ("stop", 3)])
def test_the_whole_questionnaire_in_spanish(app, kb, profile, question_count) -> None:
    page = app.page(locale="es-ES")
    spanish = texts(kb, Lang.ES)
    app.start(page)
    expect(page.locator("html")).to_have_attribute("lang", "es")
    asked = []
    while app.position(page).startswith("question:"):
        question_id = app.question(page)
        asked.append(question_id)
        expect(page.locator("form.step legend h1")).to_have_text(spanish[question_id])
        app.fill(page, app.profiles[profile].get(question_id))
        app.submit(page)
    assert len(asked) == question_count
    assert app.tier(page) == profile
    expect(page.locator("#verdict-title")).to_have_text(title(kb, profile, Lang.ES))
    expect(page).to_have_title(f"{title(kb, profile, Lang.ES)} · needlewise")


def test_the_stop_verdict_in_spanish(app) -> None:
    page = app.page(locale="es-ES")
    app.start(page)
    app.complete(page, "stop")
    expect(page.locator("#verdict-title")).to_have_text("No te hagas microneedling ahora")


def test_switching_language_mid_questionnaire_keeps_the_answers(app, kb) -> None:
    page = app.page()
    english, spanish = texts(kb, Lang.EN), texts(kb, Lang.ES)
    app.start(page)
    expect(page.locator("form.step legend h1")).to_have_text(english["setting"])
    app.answer(page, "setting", "home")
    app.answer(page, "age", "30")
    app.answer(page, "skin-now", ["none"])
    assert app.position(page) == "question:pregnant:3"

    switch(app, page, "es")
    assert app.position(page) == "question:pregnant:3"
    expect(page.locator("form.step legend h1")).to_have_text(spanish["pregnant"])
    expect(page.locator("header form.language button[lang=es]")).to_have_attribute("aria-current", "true")
    assert app.submit(page, "back") == "question:skin-now:2"
    expect(page.locator("form.step legend h1")).to_have_text(spanish["skin-now"])
    assert app.submit(page, "back") == "question:age:1"
    expect(page.locator("#answer-value")).to_have_value("30")
    assert app.submit(page, "back") == "question:setting:0"
    expect(page.locator("input[value=home]")).to_be_checked()

    # The language sticks for the rest of the questionnaire and the result.
    app.complete(page, "home_ok")
    expect(page.locator("#verdict-title")).to_have_text(title(kb, "home_ok", Lang.ES))

    # On the result page the switcher re-renders the same result in the other language.
    switch(app, page, "en")
    assert app.tier(page) == "home_ok"
    expect(page.locator("#verdict-title")).to_have_text(title(kb, "home_ok", Lang.EN))

    # A later page loaded in full keeps the choice (the language cookie).
    page.goto("/assess/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("form.step legend h1")).to_have_text(english["setting"])


def test_the_page_language_follows_the_switcher(app) -> None:
    page = app.page()
    app.start(page)
    switch(app, page, "es")
    expect(page.locator("form.step legend h1")).to_have_text("¿Dónde se haría el microneedling?")
    expect(page.locator("html")).to_have_attribute("lang", "es", timeout=1000)
