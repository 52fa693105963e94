"""The home journal's history in a real browser (issue 15): on a phone, in Spanish, from the keyboard only.

A person logs a session, checks the skin the day after (nothing answered is refused; each question
answered with radio buttons from the keyboard, one "not sure") and answers yes to a red flag: "seek medical
care now" is first on the page and stays there after another session; the check and a "things
changed" are listed in the history, whose "what to do" opens from the keyboard. axe-core on each
page, no sideways scrolling at 390 px, no request to another site.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from browser.app_support import App
from browser.clinic_support import tab_to
from web.journal_support import PROFILE

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
FAR = 200  # tab presses: the page's forms have many boxes


def _press(app: App, page: Page, selector: str) -> None:
    tab_to(page, selector, FAR)
    app.after(page, lambda: page.keyboard.press("Enter"))


def _tick(page: Page, selector: str) -> None:
    tab_to(page, selector, FAR)
    page.keyboard.press("Space")


def _log_a_session(app: App, page: Page) -> None:
    tab_to(page, "#f-needle_mm", FAR)
    page.keyboard.type("0,25")
    _tick(page, "#f-areas-cheeks")
    _press(app, page, "form[action$='/session/'] button[type=submit]")


def _answer(page: Page, ids: list[str], said: dict[str, str]) -> None:
    """Each question answered from the keyboard: Tab to its group's first radio (yes), arrows to the answer."""
    for key in ids:
        tab_to(page, f"#q-{key}-yes", FAR)
        answer = said.get(key, "no")
        if answer == "yes":
            page.keyboard.press("Space")
        for _ in range(["yes", "no", "not_sure"].index(answer)):
            page.keyboard.press("ArrowDown")
        expect(page.locator(f"#q-{key}-{answer}")).to_be_checked()


def test_a_seek_care_now_check_stays_first_and_the_history_is_kept(app: App) -> None:
    page = app.page(locale="es-ES", axe=True, **PHONE)
    started = page.request.post("/api/v1/journals", data={"profile": PROFILE})
    assert started.status == 201
    page.goto(f"/journal/{started.json()['key']}/")
    expect(page.locator("h1")).to_have_text("Tu diario en casa")
    _log_a_session(app, page)

    ids = [q["id"] for q in page.request.get(f"/api/v1/journals/{started.json()['key']}/checks").json()["questions"]]
    _press(app, page, "form[action$='/skin/'] button[type=submit]")  # nothing answered: refused, never "no"
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator("#error-summary li")).to_have_count(len(ids))
    expect(page.locator("#error-summary")).to_contain_text("Responde a esta pregunta: sí, no o no estoy seguro/a.")
    app.axe(page, "journal skin check refused (es, phone)")
    _answer(page, ids, {"fever_chills": "yes", "pus": "not_sure"})
    _press(app, page, "form[action$='/skin/'] button[type=submit]")
    first = page.locator("section[aria-labelledby='next-title'] [data-attention='seek_care_now']")
    expect(first).to_contain_text("Busca atención médica ahora")
    expect(first).to_contain_text("se trató como si fuera un sí, porque no se sabía")
    expect(page.locator("section.verdict")).to_have_count(1)  # said once, in the first box; nothing else to do
    expect(page.locator("section[aria-labelledby='next-title']")).to_be_focused()
    assert first.bounding_box()["y"] < PHONE["height"]  # type: ignore[index]  # on the first screen
    expect(page.locator("#history-title")).to_have_text("Tu historial")
    expect(page.locator("li[data-triage='seek_care_now']")).to_have_count(1)
    app.axe(page, "journal after a seek-care-now check (es, phone)")
    app.no_horizontal_scroll(page, "journal after a seek-care-now check (es, phone)")

    _log_a_session(app, page)  # a session since: what the check said still applies
    expect(first).to_contain_text("Se registró 1 sesión después de esa revisión")

    _tick(page, "#f-pregnant")
    _press(app, page, "form[action$='/changed/'] button[type=submit]")
    expect(page.locator("li[data-paused='yes']")).to_contain_text("el diario quedó en pausa")
    expect(first).to_be_visible()  # the pause never hides the check's outcome
    what = page.locator("li[data-triage='seek_care_now'] details")
    tab_to(page, "li[data-triage='seek_care_now'] summary", FAR)
    page.keyboard.press("Enter")
    expect(what).to_have_attribute("open", "")
    expect(what).to_contain_text("Busca atención médica ahora")
    app.axe(page, "journal history (es, phone)")
    app.no_horizontal_scroll(page, "journal history (es, phone)")
    assert app.foreign_requests() == []
