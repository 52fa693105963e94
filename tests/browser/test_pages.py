"""The other pages, requests to other origins, and a phone-sized screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_the_sources_filter_by_grade_shows_only_that_grade(app) -> None:
    page = app.page()
    page.goto("/sources/")
    grades = page.locator("ol.bibliography > li > .grade")
    total = grades.count()
    assert total > 0
    assert len(set(grades.all_inner_texts())) > 1
    page.check("#grade-SR")
    app.after(page, lambda: page.get_by_role("button", name="Filter").click())
    expect(page).to_have_url(f"{app.base_url}/sources/?grade=SR")
    shown = grades.all_inner_texts()
    assert shown, "no systematic review listed"
    assert set(shown) == {"SR"}
    assert len(shown) < total
    expect(page.locator("#grade-SR")).to_be_checked()
    expect(page.get_by_text(f"{len(shown)} sources")).to_be_visible()


def test_the_landing_page_leads_to_the_questions(app) -> None:
    page = app.page()
    page.goto("/")
    expect(page.locator("h1")).to_have_text("Is microneedling at home safe for me?")
    app.after(page, lambda: page.get_by_role("link", name="Start the questions").click())
    assert app.position(page) == "question:setting:0"
    expect(page).to_have_url(f"{app.base_url}/assess/")


def test_an_unknown_page_is_a_friendly_404(app) -> None:
    page = app.page()
    response = page.goto("/no-such-page/")
    assert response is not None
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Page not found")


def test_no_page_scrolls_sideways_on_a_phone(app) -> None:
    page = app.page(**PHONE)
    for path in ("/", "/sources/", "/claims/"):
        page.goto(path)
        app.no_horizontal_scroll(page, path)
    app.start(page)
    for question_id, answer in (("setting", "home"), ("age", "30"), ("skin-now", ["none"]), ("pregnant", "no")):
        app.no_horizontal_scroll(page, f"question {question_id}")
        app.answer(page, question_id, answer)
    for question_id, answer in (("history", ["none"]), ("medications", ["none"]), ("isotretinoin", "never")):
        app.answer(page, question_id, answer)
    assert app.position(page) == "question:recent-procedures:7"
    app.no_horizontal_scroll(page, "question recent-procedures")
    app.complete(page, "home_ok")
    app.no_horizontal_scroll(page, "result home_ok")
    page.goto("/assess/")
    app.complete(page, "stop")
    app.no_horizontal_scroll(page, "result stop")


def test_requests_to_other_origins_are_caught(app) -> None:
    """The check every test ends with is not vacuous: a request elsewhere is recorded."""
    page = app.page()
    page.route("http://elsewhere.invalid/**", lambda route: route.abort())
    page.goto("/")
    page.evaluate("() => { const img = new Image(); img.src = 'http://elsewhere.invalid/pixel.png'; }")
    page.wait_for_timeout(200)
    assert app.foreign_requests() == ["http://elsewhere.invalid/pixel.png"]
    for _, requests in app.contexts:
        requests.clear()


def test_link_buttons_are_as_tall_as_buttons(app) -> None:
    page = app.page()
    app.start(page)
    app.complete(page, "home_ok")
    heights = page.evaluate(
        """() => ({
          link: document.querySelector('.result-actions a.button').getBoundingClientRect().height,
          button: document.querySelector('.result-actions button').getBoundingClientRect().height,
        })"""
    )
    assert abs(heights["link"] - heights["button"]) <= 2, heights
