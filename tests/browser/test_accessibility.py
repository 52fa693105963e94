"""axe-core (WCAG 2.0/2.1/2.2 A and AA rules) on every page: no serious or critical violation."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize("path", ["/", "/sources/", "/sources/?grade=SR&grade=GL", "/claims/", "/no-such-page/"])
def test_pages(app, path) -> None:
    page = app.page(axe=True)
    page.goto(path)
    app.axe(page, path)


def test_every_question_step(app) -> None:
    """Radio, checkbox, yes/no, text, procedures and scale questions, and one with Back."""
    page = app.page(axe=True)
    app.start(page)
    answers = app.profiles["home_ok"]
    checked = []
    while app.position(page).startswith("question:"):
        question_id = app.question(page)
        app.axe(page, f"question {question_id}")
        checked.append(question_id)
        app.fill(page, answers.get(question_id))
        app.submit(page)
    assert {"setting", "age", "skin-now", "pregnant", "recent-procedures", "fitzpatrick"} <= set(checked)


def test_a_question_showing_an_error(app) -> None:
    page = app.page(axe=True)
    app.start(page)
    app.answer(page, "setting", "home")
    page.fill("#answer-value", "abc")
    app.after(page, lambda: page.click("form.step button[value=next]"))
    expect(page.locator(".error")).to_be_visible()
    app.axe(page, "question age with an error")


@pytest.mark.parametrize("tier", ["home_ok", "home_caution", "clinic", "medical_review", "stop"])
def test_result_pages(app, tier) -> None:
    page = app.page(axe=True)
    app.start(page)
    app.complete(page, tier)
    assert app.tier(page) == tier
    app.axe(page, f"result {tier}")


def test_spanish_question_and_result(app) -> None:
    page = app.page(axe=True, locale="es-ES")
    app.start(page)
    app.axe(page, "Spanish question")
    app.complete(page, "clinic")
    app.axe(page, "Spanish result")


def test_saved_and_deleted_result(app) -> None:
    page = app.page(axe=True)
    app.start(page)
    app.complete(page, "home_caution")
    app.after(page, lambda: page.get_by_role("button", name="Save my result (private link)").click())
    expect(page.locator("[data-tier=home_caution]")).to_have_count(1)
    saved_url = page.url
    page.goto(saved_url)  # loaded in full too, not only swapped in
    app.axe(page, "saved result")
    app.after(page, lambda: page.get_by_role("button", name="Delete this saved result").click())
    app.axe(page, "asking before deleting")
    app.after(page, lambda: page.get_by_role("button", name="Yes, delete it for good").click())
    app.axe(page, "deleted result")
    page.goto(saved_url)
    app.axe(page, "saved result after deletion (404)")


def test_phone_sized_pages(app) -> None:
    page = app.page(axe=True, **PHONE)
    page.goto("/")
    app.axe(page, "landing on a phone")
    app.start(page)
    app.axe(page, "question on a phone")
    app.complete(page, "stop")
    app.axe(page, "result on a phone")


def test_api_docs(app) -> None:
    page = app.page(axe=True)
    page.goto("/docs")
    expect(page.locator("h1")).to_contain_text("needlewise API")
    paths = page.request.get("/openapi.json").json()["paths"]
    operations = sum(len(methods) for methods in paths.values())
    assert operations >= 9
    expect(page.locator("section.operation")).to_have_count(operations)  # every operation of /openapi.json
    page.locator("#schema-ProfileV1 summary").click()
    app.axe(page, "/docs (API reference)")
