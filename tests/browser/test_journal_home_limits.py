"""A journal session above home use in a real browser: on a phone, in Spanish, from the keyboard only.

A person logs a session with a 1 mm needle and a retinoid: the first screen says first, in a warning
colour, not to use a 1 mm needle at home again and the length home use allows, with the sources; the
next session is one with a needle within it; the card below that says "clinic only" is filled in its
tier's colour, not calmer than a caution. axe-core, no sideways scrolling at 390 px, no request to
another site.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from browser.app_support import App
from browser.clinic_support import tab_to
from web.journal_support import PROFILE

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
FAR = 200  # tab presses: the page's forms have many boxes
SHOTS = os.environ.get("NEEDLEWISE_JOURNAL_SHOTS", "")  # a folder for screenshots, when asked


def _tick(page: Page, selector: str) -> None:
    tab_to(page, selector, FAR)
    page.keyboard.press("Space")


def _background(page: Page, selector: str) -> str:
    return str(page.locator(selector).first.evaluate("e => getComputedStyle(e).backgroundColor"))


def test_a_needle_over_the_home_cap_is_on_the_first_screen_before_the_next_day(app: App) -> None:
    page = app.page(locale="es-ES", axe=True, **PHONE)
    started = page.request.post("/api/v1/journals", data={"profile": PROFILE})
    assert started.status == 201
    page.goto(f"/journal/{started.json()['key']}/")
    tab_to(page, "#f-needle_mm", FAR)
    page.keyboard.type("1")
    _tick(page, "#f-areas-cheeks")
    _tick(page, "#f-products-retinoid_serum")
    tab_to(page, "form[action$='/session/'] button[type=submit]", FAR)
    app.after(page, lambda: page.keyboard.press("Enter"))

    box = page.locator("section[aria-labelledby='next-title']")
    warning = box.locator(".home-limit")
    expect(warning).to_contain_text("No vuelvas a usar en casa una aguja de 1 mm: en casa, 0,3 mm o menos.")
    expect(box.locator(".next-date")).to_contain_text("Próxima sesión, con una aguja de 0,3 mm o menos")
    top = warning.locator("p strong").first.bounding_box()
    assert top is not None
    assert top["y"] + top["height"] < PHONE["height"]  # what not to do again: on the first screen
    assert top["y"] < box.locator(".next-date").bounding_box()["y"]  # type: ignore[index]  # said first
    assert "tier-home_caution" in str(box.get_attribute("class"))
    warm = _background(page, "section[aria-labelledby='next-title']")
    assert warm == "rgb(255, 244, 214)"  # the caution colour, not the green of "fine at home"
    clinic_card = "article.finding.level-clinic"
    expect(page.locator(clinic_card)).to_be_visible()
    assert _background(page, clinic_card) == "rgb(228, 239, 255)"  # filled, unlike a caution card's border
    assert _background(page, "article.finding.level-caution") == "rgba(0, 0, 0, 0)"

    sources = warning.locator("details summary")
    tab_to(page, ".home-limit details summary", FAR)
    page.keyboard.press("Enter")
    expect(warning.locator("ul.citations li").first).to_be_visible()
    expect(sources).to_have_text("Fuentes")
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / "journal-over-cap-es.png"), full_page=True)
    app.axe(page, "journal after a session over the home cap (es, phone)")
    app.no_horizontal_scroll(page, "journal after a session over the home cap (es, phone)")
    assert app.foreign_requests() == []
