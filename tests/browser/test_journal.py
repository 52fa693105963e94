"""The home journal in a real browser (issue 15): on a phone, in Spanish, from the keyboard only.

A person whose result allows home use starts a journal from the result page, sees its private link
once (the whole link wrapped on a phone, with a copy button when JavaScript runs), opens it, logs a
session (a mistake first: the error summary links to the field), and reads the next reasonable day;
the same page without JavaScript takes a session too. axe-core on each page, no sideways scrolling
at 390 px, no request to another site.
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
SHOTS = os.environ.get("NEEDLEWISE_JOURNAL_SHOTS", "")  # a folder for screenshots, when asked


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def _press(app: App, page: Page, selector: str, key: str = "Enter") -> None:
    tab_to(page, selector)
    app.after(page, lambda: page.keyboard.press(key))


def _start_from_a_result(app: App, page: Page) -> str:
    """From the result page to the journal, by the keyboard; the private link shown once."""
    app.start(page)
    app.complete(page, "home_ok")
    _press(app, page, "form[action='/journal/new/'] button[type=submit]")
    expect(page.locator("h1")).to_have_text("Empezar un diario en casa")
    app.axe(page, "start a journal (es, phone)")
    app.no_horizontal_scroll(page, "start a journal (es, phone)")
    tab_to(page, "#f-email")
    page.keyboard.type("yo@example.org")
    _press(app, page, "main form button[type=submit]")
    expect(page.locator("h1")).to_have_text("Tu diario en casa")  # the journal itself: its link on top
    expect(page.locator("#link-title")).to_have_text("El enlace privado de tu diario: guárdalo ahora en marcadores")
    expect(page.locator("[data-started]")).to_contain_text("única llave")
    app.axe(page, "the journal's link (es, phone)")
    app.no_horizontal_scroll(page, "the journal's link (es, phone)")
    _shot(page, "journal-link-es")
    link = page.locator("#journal-link").inner_text()
    assert "/journal/" in link
    box = page.locator("#journal-link").bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= PHONE["width"], box  # the whole link, wrapped
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    tab_to(page, "button.copy-button")
    page.keyboard.press("Enter")
    expect(page.locator("button.copy-button")).to_have_text("Copiado")
    assert page.evaluate("() => navigator.clipboard.readText()") == link
    expect(page).to_have_url(f"{link}?started=1")
    return link


def _start_without_javascript(app: App, page: Page) -> None:
    """Without JavaScript the link is there in full to select, and no copy button that would do nothing."""
    app.start(page)
    app.complete(page, "home_ok")
    page.locator("form[action='/journal/new/'] button[type=submit]").click()
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#link-title")).to_have_text("El enlace privado de tu diario: guárdalo ahora en marcadores")
    expect(page.locator("#journal-link")).to_contain_text("/journal/")
    expect(page.locator("button.copy-button")).to_be_hidden()
    app.no_horizontal_scroll(page, "the journal's link without JavaScript (es, phone)")


def test_a_person_starts_a_journal_and_logs_sessions_from_the_keyboard_in_spanish(app: App) -> None:
    page = app.page(locale="es-ES", axe=True, **PHONE)
    link = _start_from_a_result(app, page)
    expect(page.locator("h1")).to_have_text("Tu diario en casa")
    expect(page.locator("#next-title")).to_be_visible()
    app.axe(page, "journal (es, phone)")
    app.no_horizontal_scroll(page, "journal (es, phone)")
    _shot(page, "journal-es-empty")

    _press(app, page, "form[action$='/session/'] button[type=submit]")  # nothing chosen: refused
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary.locator("a[href='#f-needle_mm']")).to_be_visible()
    expect(summary.locator("a[href='#f-areas']")).to_be_visible()
    app.axe(page, "journal with errors (es, phone)")
    tab_to(page, "#f-needle_mm")
    page.keyboard.type("0,25")
    tab_to(page, "#f-areas-cheeks")
    page.keyboard.press("Space")
    tab_to(page, "#f-products-vitamin_c_serum")
    page.keyboard.press("Space")
    _press(app, page, "form[action$='/session/'] button[type=submit]")
    expect(page.locator(".next-date")).to_contain_text("Próxima sesión: no antes")
    expect(page.locator("article.finding").first).to_be_visible()
    app.axe(page, "journal after a session (es, phone)")
    app.no_horizontal_scroll(page, "journal after a session (es, phone)")
    _shot(page, "journal-es")

    no_js = app.page(locale="es-ES", js=False, **PHONE)
    _start_without_javascript(app, no_js)
    no_js.goto(link)
    expect(no_js.locator("#journal-link")).to_have_count(0)  # the link panel only right after starting
    tab_to(no_js, "#f-needle_mm")
    no_js.keyboard.type("0,25")
    tab_to(no_js, "#f-areas-forehead")
    no_js.keyboard.press("Space")
    tab_to(no_js, "form[action$='/session/'] button[type=submit]")
    no_js.keyboard.press("Enter")
    no_js.wait_for_load_state("load")
    expect(no_js.locator("ul.sessions > li")).to_have_count(2)

    english = app.page(axe=True, **PHONE)
    english.goto(link)
    expect(english.locator("h1")).to_have_text("Your home journal")
    app.axe(english, "journal (en, phone)")
    app.no_horizontal_scroll(english, "journal (en, phone)")
    _shot(english, "journal-en")
    assert app.foreign_requests() == []


@pytest.mark.parametrize("width", [PHONE["width"], 1280])
def test_take_it_along_has_its_heading_above_its_buttons_and_delete_stands_apart(app: App, width: int) -> None:
    """At 390 and 1280 px: 'Take it along' on its own line, 'Delete this journal' below the rest and set apart."""
    page = app.page(locale="es-ES", axe=True, width=width, height=900)
    started = page.request.post("/api/v1/journals", data={"profile": PROFILE})
    assert started.status == 201
    page.goto(f"/journal/{started.json()['key']}/")
    heading = page.locator("#take-title").bounding_box()
    buttons = page.locator(".take-along .result-actions a")
    first = buttons.first.bounding_box()
    last = buttons.last.bounding_box()
    delete = page.locator(".journal-delete a.danger")
    gap = delete.bounding_box()
    assert heading is not None
    assert first is not None
    assert last is not None
    assert gap is not None
    assert heading["y"] + heading["height"] <= first["y"]  # never beside the calendar button
    assert gap["y"] >= last["y"] + last["height"] + 16  # a clear gap: 1.5rem padding and a rule
    expect(buttons.last).to_have_text("Recordatorios por correo: desactivados")
    tab_to(page, ".journal-delete a.danger", 200)
    expect(delete).to_be_focused()
    app.after(page, lambda: page.keyboard.press("Enter"))
    expect(page.locator("h1")).to_have_text("¿Borrar este diario?")
    app.axe(page, f"delete a journal (es, {width} px)")
    page.go_back()
    app.axe(page, f"journal (es, {width} px)")
    app.no_horizontal_scroll(page, f"journal (es, {width} px)")
    _shot(page, f"journal-take-along-{width}")


def test_a_session_logged_then_reloaded_and_the_language_switched_is_kept_once(app: App) -> None:
    page = app.page(locale="es-ES", axe=True, **PHONE)
    link = _start_from_a_result(app, page)
    tab_to(page, "#f-needle_mm")
    page.keyboard.type("0,25")
    tab_to(page, "#f-areas-cheeks")
    page.keyboard.press("Space")
    _press(app, page, "form[action$='/session/'] button[type=submit]")
    expect(page).to_have_url(f"{link}?saved=session")  # Post/Redirect/Get: the page after a form is a GET
    expect(page.locator("[data-saved=session]")).to_have_text(
        "Tu sesión se ha guardado. Esto es lo que significa para tu próxima sesión."
    )
    app.axe(page, "journal, a session saved (es, phone)")
    app.no_horizontal_scroll(page, "journal, a session saved (es, phone)")

    app.after(page, page.reload)  # a reload asks for the page again: it does not post the session again
    expect(page.locator("ul.sessions li")).to_have_count(1)
    _press(app, page, "form.language button[value=en]")
    expect(page.locator("h1")).to_have_text("Your home journal")
    expect(page).to_have_url(f"{link}?saved=session")
    expect(page.locator("ul.sessions li")).to_have_count(1)
    app.axe(page, "journal, the language switched after a form (en, phone)")
    assert len(page.request.get(f"{link}export.json").json()["sessions"]) == 1

    page.goto(f"{link}session/")  # an old bookmark of the form's address: the journal, not a 405
    expect(page).to_have_url(link)
    expect(page.locator("h1")).to_have_text("Your home journal")
    assert app.foreign_requests() == []


def test_a_finding_of_earlier_sessions_is_one_folded_card_reached_from_each_session(app: App) -> None:
    """A session's fold names its findings; following one by keyboard opens the earlier findings' fold at its card."""
    page = app.page(locale="es-ES", axe=True, **PHONE)
    key = page.request.post("/api/v1/journals", data={"profile": PROFILE}).json()["key"]
    for on in ("2026-11-01", "2026-11-04"):
        body = {"on": on, "needle_mm": 0.25, "areas": ["cheeks"], "products": ["vitamin_c_serum"]}
        assert page.request.post(f"/api/v1/journals/{key}/sessions", data=body).ok
    body = {"on": "2026-11-08", "needle_mm": 0.25, "areas": ["cheeks"]}
    assert page.request.post(f"/api/v1/journals/{key}/sessions", data=body).ok
    page.goto(f"/journal/{key}/")
    earlier = page.locator("details.earlier-findings")
    expect(earlier).not_to_have_attribute("open", "")
    expect(earlier.locator("article.finding")).to_have_count(1)
    expect(page.locator("details.session-findings")).to_have_count(2)
    tab_to(page, "details.session-findings summary", 200)
    page.keyboard.press("Enter")
    tab_to(page, "details.session-findings[open] a", 200)
    page.keyboard.press("Enter")
    expect(earlier).to_have_attribute("open", "")
    expect(earlier.locator("article.finding")).to_be_visible()
    expect(earlier).to_contain_text("De las sesiones del 4 de noviembre de 2026, 1 de noviembre de 2026.")
    app.axe(page, "journal with earlier findings (es, phone)")
    app.no_horizontal_scroll(page, "journal with earlier findings (es, phone)")
    assert app.foreign_requests() == []
