"""The questionnaire in a real browser: the main paths, going back, errors, keyboard and no JavaScript."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from needlewise.domain.tier import Tier
from needlewise.domain.vocabulary import Lang
from needlewise.engine.knowledge import KnowledgeBase

pytestmark = pytest.mark.browser

ALL_QUESTIONS_AT_HOME = [
    "setting",
    "age",
    "skin-now",
    "pregnant",
    "history",
    "medications",
    "isotretinoin",
    "recent-procedures",
    "goals",
    "areas",
    "device-kind",
    "needle-length",
    "device-uses",
    "device-shared",
    "products",
    "fitzpatrick",
]


def title(kb: KnowledgeBase, tier: str, lang: Lang = Lang.EN) -> str:
    return kb.tier_texts[Tier(tier)].title.in_(lang)


def test_a_healthy_person_may_use_a_short_roller_at_home(app, kb) -> None:
    page = app.page()
    app.start(page)
    asked = app.complete(page, "home_ok")
    assert asked == ALL_QUESTIONS_AT_HOME
    assert app.tier(page) == "home_ok"
    expect(page.locator("#verdict-title")).to_have_text(title(kb, "home_ok"))
    expect(page.locator(".needle")).to_contain_text("0.25 mm")
    expect(page.locator(".notice")).to_have_count(0)


def test_an_active_cold_sore_stops_the_questions_early(app, kb) -> None:
    page = app.page()
    app.start(page)
    asked = app.complete(page, "stop")
    assert asked == ["setting", "age", "skin-now"]
    assert app.tier(page) == "stop"
    expect(page.locator("#verdict-title")).to_have_text(title(kb, "stop"))
    expect(page.locator(".notice[role=status]")).to_contain_text("stopped early")
    expect(page.locator(".finding").first).to_contain_text("cold sore")


def test_acne_scars_need_a_clinic(app, kb) -> None:
    page = app.page()
    app.start(page)
    app.complete(page, "clinic")
    assert app.tier(page) == "clinic"
    expect(page.locator("#verdict-title")).to_have_text(title(kb, "clinic"))


def test_going_back_keeps_the_earlier_answers(app) -> None:
    page = app.page()
    app.start(page)
    assert app.answer(page, "setting", "clinic") == "question:age:1"
    assert app.answer(page, "age", "42") == "question:skin-now:2"
    assert app.answer(page, "skin-now", ["none"]) == "question:pregnant:3"
    assert app.answer(page, "pregnant", "no") == "question:history:4"
    assert app.answer(page, "history", ["pih", "metal_allergy"]) == "question:medications:5"
    assert app.submit(page, "back") == "question:history:4"
    expect(page.locator("input[value=pih]")).to_be_checked()
    expect(page.locator("input[value=metal_allergy]")).to_be_checked()
    expect(page.locator("input[value=keloid]")).not_to_be_checked()
    for _ in range(3):
        app.submit(page, "back")
    assert app.position(page) == "question:age:1"
    expect(page.locator("#answer-value")).to_have_value("42")
    assert app.submit(page, "back") == "question:setting:0"
    expect(page.locator("input[value=clinic]")).to_be_checked()
    expect(page.locator("button[value=back]")).to_have_count(0)

    # Forward again: the answers gone back over are still filled in.
    assert app.submit(page) == "question:age:1"
    expect(page.locator("#answer-value")).to_have_value("42")
    for _ in range(3):
        app.submit(page)
    assert app.position(page) == "question:history:4"
    expect(page.locator("input[value=pih]")).to_be_checked()
    assert app.answer(page, "history", ["pih"]) == "question:medications:5"
    app.answer(page, "medications", ["none"])
    app.answer(page, "isotretinoin", "never")
    assert app.answer(page, "recent-procedures", {"filler": "8", "laser": "30"}) == "question:goals:8"
    assert app.submit(page, "back") == "question:recent-procedures:7"
    expect(page.locator("#weeks-filler")).to_have_value(re.compile(r"^8(\.0)?$"))
    expect(page.locator("#weeks-laser")).to_have_value(re.compile(r"^30(\.0)?$"))
    expect(page.locator("#weeks-chemical_peel")).to_have_value("")


@pytest.mark.parametrize("js", [True, False], ids=["javascript", "no-javascript"])
def test_an_invalid_answer_shows_an_error_and_keeps_the_question(app, js) -> None:
    page = app.page(js=js)
    app.start(page)
    app.answer(page, "setting", "home")
    page.fill("#answer-value", "abc")
    assert app.submit(page) == "question:age:1:error"
    expect(page.locator(".error")).to_be_visible()
    expect(page.locator(".error")).to_contain_text("not a number")
    expect(page.locator("#answer-value")).to_be_focused()
    # A second wrong answer replaces the message; a right one moves on.
    page.fill("#answer-value", "-5")
    assert app.submit(page) == "question:age:1:error"
    expect(page.locator(".error[role=alert]")).to_contain_text("outside the range")
    expect(page.locator("fieldset")).to_have_attribute("aria-describedby", "answer-error")
    assert app.answer(page, "age", "30") == "question:skin-now:2"
    expect(page.locator(".error")).to_have_count(0)


def test_the_questionnaire_works_without_javascript(app, kb) -> None:
    page = app.page(js=False)
    app.start(page)
    asked = app.complete(page, "home_ok")
    assert asked == ALL_QUESTIONS_AT_HOME
    expect(page.locator("#verdict-title")).to_have_text(title(kb, "home_ok"))
    # Going back works too, with the answer kept.
    page.goto("/assess/")
    app.answer(page, "setting", "home")
    app.answer(page, "age", "55")
    assert app.submit(page, "back") == "question:age:1"
    expect(page.locator("#answer-value")).to_have_value("55")


def tab_to(page, selector: str, limit: int = 60) -> None:
    """Press Tab until the focused element matches ``selector``."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement?.matches(s) ?? false", selector):
            return
        page.keyboard.press("Tab")
    pytest.fail(f"Tab never reached {selector}")


def test_the_questionnaire_can_be_completed_with_the_keyboard_alone(app, kb) -> None:
    page = app.page()
    page.goto("/")
    tab_to(page, "main a[href='/assess/']")
    app.after(page, lambda: page.keyboard.press("Enter"))
    # Each question's first field has the focus when the question appears.
    # Nothing chosen is no answer: "None of these" is ticked, "No" chosen with an arrow key, "never" typed.
    answers = {
        "setting": "Space",  # home, the first option
        "age": "30",
        "skin-now": "None",
        "pregnant": "ArrowDown",  # from Yes (focused first) to No
        "history": "None",
        "medications": "None",
        "isotretinoin": "never",
        "recent-procedures": "None",
        "goals": "Space",  # glow, the first option
        "areas": "Space",  # forehead, the first option
        "device-kind": "Space",  # roller, the first option
        "needle-length": "0.25",
        "device-uses": "0",
        "device-shared": "ArrowDown",
        "products": "None",
        "fitzpatrick": "Space",  # I, the first option
    }
    asked = []
    while app.position(page).startswith("question:"):
        question_id = app.question(page)
        asked.append(question_id)
        focused = page.evaluate("() => document.activeElement?.closest('form.step') !== null")
        assert focused, f"the focus is not in the form at {question_id}"
        answer = answers.get(question_id)
        if answer is not None and answer not in ("Space", "None", "ArrowDown"):
            page.keyboard.type(answer)
            app.after(page, lambda: page.keyboard.press("Enter"))
            continue
        if answer == "None":
            tab_to(page, "#answer-none")
            page.keyboard.press("Space")
        elif answer is not None:
            page.keyboard.press(answer)
        tab_to(page, "form.step button[value=next]")
        app.after(page, lambda: page.keyboard.press("Enter"))
        assert len(asked) < 30
    assert asked == ALL_QUESTIONS_AT_HOME
    assert app.tier(page) == "home_ok"
    expect(page.locator("#verdict-title")).to_have_text(title(kb, "home_ok"))
