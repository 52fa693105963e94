"""Keeping and acting on a result: the next step on the first screen, Back and reload, the PDF, the
private link, and asking before "Start again" or "Delete"."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

SAVED_URL = re.compile(r"/r/[^/]+/$")
PHONE = {"width": 390, "height": 844}


def history(page: Page, move: str) -> None:
    """Press the browser's Back or Forward, or reload; wait for the page shown.

    A page the browser keeps in its back/forward cache comes back as it was left, with the mark
    :meth:`App.after` put on it: the mark is cleared so that the next move can be awaited.
    """
    getattr(page, move)(wait_until="load")
    page.wait_for_load_state("load")
    page.evaluate("() => { const main = document.querySelector('main'); if (main) delete main.dataset.stale; }")


def download(page: Page, name: str) -> bytes:
    with page.expect_download() as info:
        page.locator(".result-actions").get_by_text("Download PDF", exact=True).click()
    pdf = info.value
    assert pdf.suggested_filename == "needlewise-result.pdf"
    data = Path(pdf.path()).read_bytes()
    assert data.startswith(b"%PDF"), f"{name}: not a PDF: {data[:20]!r}"
    assert len(data) > 5_000, f"{name}: only {len(data)} bytes"
    return data


@pytest.mark.parametrize("profile", ["home_ok", "stop"])
def test_the_result_downloads_as_a_pdf(app, profile) -> None:
    page = app.page()
    app.start(page)
    app.complete(page, profile)
    download(page, profile)
    # The page is still there after the download.
    assert app.tier(page) == profile


def test_save_open_download_and_delete_a_result(app) -> None:
    page = app.page()
    app.start(page)
    app.complete(page, "clinic")
    app.after(page, lambda: page.get_by_role("button", name="Save my result (private link)").click())
    expect(page).to_have_url(SAVED_URL)
    saved_url = page.url
    assert app.tier(page) == "clinic"
    expect(page.locator(".notice")).to_contain_text("This is your saved result")
    expect(page.locator(".your-answers .result-meta")).to_contain_text("Saved on")

    # The private link opens in a new browser, with no cookies: it is all it takes.
    other = app.page()
    response = other.goto(saved_url)
    assert response is not None
    assert response.status == 200
    assert response.headers["x-robots-tag"] == "noindex, nofollow"
    assert response.headers["cache-control"] == "no-store"
    assert app.tier(other) == "clinic"
    download(other, "saved result")

    # Deleting asks first; "keep it" keeps it.
    app.after(other, lambda: other.get_by_role("button", name="Delete this saved result").click())
    expect(other.locator("h1")).to_have_text("Delete this saved result?")
    app.after(other, lambda: other.get_by_role("link", name="No, keep it").click())
    assert app.tier(other) == "clinic"
    app.after(other, lambda: other.get_by_role("button", name="Delete this saved result").click())
    app.after(other, lambda: other.get_by_role("button", name="Yes, delete it for good").click())
    expect(other.locator("h1")).to_have_text("Your saved result has been deleted")

    for url in (saved_url, f"{saved_url}pdf/"):
        response = page.goto(url)
        assert response is not None
        assert response.status == 404, url
        expect(page.locator("h1")).to_have_text("Page not found")
        expect(page.locator("[data-tier]")).to_have_count(0)


@pytest.mark.parametrize("js", [True, False], ids=["javascript", "no-javascript"])
def test_the_browser_s_back_button_steps_back_through_the_questions(app, js) -> None:
    page = app.page(js=js)
    app.start(page)
    assert app.answer(page, "setting", "home") == "question:age:1"
    assert app.answer(page, "age", "30") == "question:skin-now:2"
    assert app.answer(page, "skin-now", ["none"]) == "question:pregnant:3"  # "none of these", where asked
    assert app.answer(page, "pregnant", "no") == "question:history:4"

    history(page, "go_back")
    assert app.position(page) == "question:pregnant:3"
    history(page, "go_back")
    assert app.position(page) == "question:skin-now:2"
    # A reload keeps the answers: the address holds them.
    history(page, "reload")
    assert app.position(page) == "question:skin-now:2"
    history(page, "go_forward")
    assert app.position(page) == "question:pregnant:3"
    for expected in ("question:skin-now:2", "question:age:1", "question:setting:0"):
        history(page, "go_back")
        assert app.position(page) == expected
    # Answering again from an earlier question goes on from there.
    assert app.answer(page, "setting", "clinic") == "question:age:1"


@pytest.mark.parametrize("js", [True, False], ids=["javascript", "no-javascript"])
def test_a_reload_keeps_the_result_and_back_returns_to_the_last_question(app, js) -> None:
    page = app.page(js=js)
    app.start(page)
    asked = app.complete(page, "clinic")
    result_url = page.url
    history(page, "reload")
    assert app.tier(page) == "clinic"
    assert page.url == result_url
    history(page, "go_back")
    assert app.position(page) == f"question:{asked[-1]}:{len(asked) - 1}"


def test_a_refused_answer_then_a_reload_keeps_the_answers(app) -> None:
    page = app.page()
    app.start(page)
    app.answer(page, "setting", "home")
    page.fill("#answer-value", "abc")
    assert app.submit(page) == "question:age:1:error"
    assert "/assess/?s=" in page.url  # the script gave the posted page its question's address
    history(page, "reload")
    assert app.position(page) == "question:age:1"
    # The refused answer was a step of its own, as on any site: Back shows the question before it.
    history(page, "go_back")
    assert app.position(page) == "question:age:1"
    history(page, "go_back")
    assert app.position(page) == "question:setting:0"


@pytest.mark.parametrize("js", [True, False], ids=["javascript", "no-javascript"])
def test_start_again_asks_first(app, js) -> None:
    page = app.page(js=js)
    app.start(page)
    app.complete(page, "home_caution")
    app.after(page, lambda: page.get_by_role("link", name="Start again").click())
    expect(page.locator("h1")).to_have_text("Start again?")
    app.after(page, lambda: page.get_by_role("link", name="No, back to my result").click())
    assert app.tier(page) == "home_caution"
    app.after(page, lambda: page.get_by_role("link", name="Start again").click())
    app.after(page, lambda: page.get_by_role("link", name="Yes, start again").click())
    assert app.position(page) == "question:setting:0"


@pytest.mark.parametrize("js", [True, False], ids=["javascript", "no-javascript"])
def test_the_print_button_shows_only_with_javascript(app, js) -> None:
    page = app.page(js=js)
    app.start(page)
    app.complete(page, "home_ok")
    expect(page.locator(".print-button")).to_be_visible(visible=js)


def _in_first_screen(page: Page, selector: str) -> None:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    assert box["y"] >= 0
    assert box["y"] + box["height"] <= PHONE["height"], f"{selector} ends at {box['y'] + box['height']:.0f} px"


@pytest.mark.parametrize(
    ("profile", "locale", "action"),
    [
        ("clinic", "en-US", "Choose a clinic"),
        ("medical_review", "en-US", "Choose a clinic"),
        ("clinic", "es-ES", "Elegir una clínica"),
        ("home_ok", "en-US", "Go to your plan"),
        ("home_ok", "es-ES", "Ir a tu plan"),
        ("stop", "es-ES", "Leer por qué"),
    ],
)
def test_a_phone_s_first_screen_shows_the_verdict_and_the_next_action(app, profile, locale, action) -> None:
    page = app.page(locale=locale, **PHONE)
    app.start(page)
    app.complete(page, profile)
    page.evaluate("() => window.scrollTo(0, 0)")
    _in_first_screen(page, ".verdict .next-step")
    _in_first_screen(page, f".next-action :text-is('{action}')")
    app.no_horizontal_scroll(page, f"{profile} result on a phone ({locale})")
    # Every source opened, the long addresses wrap instead of widening the page.
    page.evaluate("() => document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    app.no_horizontal_scroll(page, f"{profile} result with every detail open ({locale})")


@pytest.mark.parametrize(
    ("profile", "locale", "action"),
    [
        ("home_ok", "en-US", "Go to your plan"),
        ("home_ok", "es-ES", "Ir a tu plan"),
        ("home_caution", "en-US", "Go to your plan"),
        ("home_caution", "es-ES", "Ir a tu plan"),
    ],
)
def test_the_healthy_glow_result_fits_two_phone_screens_above_its_sources(app, profile, locale, action) -> None:
    """Healthy, at home, goal glow: with the usual needle (home_ok), and with a 0.5 mm one (home_caution)."""
    page = app.page(locale=locale, axe=True, **PHONE)
    app.start(page)
    app.complete(page, profile)
    assert app.tier(page) == profile
    page.evaluate("() => window.scrollTo(0, 0)")
    _in_first_screen(page, f".next-action :text-is('{action}')")
    sources = page.locator("#sources-title").bounding_box()
    assert sources is not None
    assert sources["y"] <= 2 * PHONE["height"], f"{profile}: the sources start at {sources['y']:.0f} px ({locale})"

    # Folded, not gone: the red flags open from the keyboard, and so does every other fold.
    red_flags = page.locator("details.red-flags")
    expect(red_flags.locator(":scope > ul > li").first).to_be_hidden()
    red_flags.locator(":scope > summary").focus()
    page.keyboard.press("Enter")
    expect(red_flags).to_have_attribute("open", "")
    expect(red_flags.locator(":scope > ul > li").first).to_be_visible()
    # The everyday sections fold together, each under its own title inside.
    everyday = page.locator("details.plan-group")
    everyday.locator(":scope > summary").focus()
    page.keyboard.press("Enter")
    expect(everyday).to_have_attribute("open", "")
    aftercare = everyday.locator("details[data-section=aftercare]")
    aftercare.locator(":scope > summary").focus()
    page.keyboard.press("Space")
    expect(aftercare).to_have_attribute("open", "")
    # "Go to your plan" from the keyboard lands on the plan.
    page.evaluate("() => window.scrollTo(0, 0)")
    page.locator(f".next-action :text-is('{action}')").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#plan-title")).to_be_in_viewport()
    page.evaluate("() => document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    app.axe(page, f"glow result on a phone, every fold open ({locale})")
    app.no_horizontal_scroll(page, f"glow result on a phone, every fold open ({locale})")


def test_long_addresses_in_a_consent_text_wrap_on_a_phone(app) -> None:
    page = app.page(**PHONE)
    page.goto("/clinics/")
    long = "https://www.example.org/" + "a-very-long-path-segment/" * 8 + "?query=" + "x" * 80
    page.evaluate(
        """(long) => {
          const main = document.querySelector('main');
          main.insertAdjacentHTML('beforeend', `<div class="consent-text"><p>Sources: ${long}</p></div>`);
          const choice = `<div class="choice"><input type="checkbox" id="c"><label for="c">${long}</label></div>`;
          main.insertAdjacentHTML('beforeend', choice);
          main.insertAdjacentHTML('beforeend', `<p>${long}</p>`);
        }""",
        long,
    )
    app.no_horizontal_scroll(page, "a consent text with long addresses")
