"""The client's check-in in a real browser, on a phone, in Spanish, from the keyboard only (Tab and arrows).

Nothing answered is refused, each question named in the error summary (focused); every question is then
answered with its radio buttons (yes / no / not sure), one red flag "not sure": the outcome is what a
"yes" gives and says the "not sure" was treated as a yes; the clinic's alert list shows it so. axe-core on
each page, no sideways scrolling at 390 px.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from browser.app_support import App
from browser.clinic_support import Clinic, Person, own_clinic, sign_in, tab_to
from browser.treatment_support import Cartridge, owner_writes_consent, today, treated_client

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
FEVER = "fever_chills"  # knowledge/treatment.yaml: seek care now, from day 1
ORDER = ["yes", "no", "not_sure"]  # the radio buttons of each question, in the page's order


@pytest.fixture(scope="module")
def clinic(server: str, tmp_path_factory: pytest.TempPathFactory, browser: Browser) -> Clinic:
    """A clinic of its own (its alerts are only this module's), a nurse and its first consent version."""
    founder = Person("founder@dubita.example.org", "Dora Founder", "owner")
    staff = {
        "owner": Person("owner@dubita.example.org", "Otto Owner", "owner"),
        "nurse": Person("nurse@dubita.example.org", "Nela Nurse", "nurse"),
    }
    made = own_clinic(server, Path(tmp_path_factory.getbasetemp()), ("Dubita Skin", "Vigo"), staff, founder)
    owner_writes_consent(browser, made)
    return made


def _press(app: App, page: Page, selector: str) -> None:
    tab_to(page, selector, 200)
    app.after(page, lambda: page.keyboard.press("Enter"))


def _answer(page: Page, ids: list[str], said: dict[str, str]) -> None:
    """Each question answered from the keyboard: Tab to its first radio button (yes), arrows to the answer."""
    for key in ids:
        tab_to(page, f"#q-{key}-yes", 200)
        answer = said.get(key, "no")
        if answer == "yes":
            page.keyboard.press("Space")
        for _ in range(ORDER.index(answer)):
            page.keyboard.press("ArrowDown")
        expect(page.locator(f"#q-{key}-{answer}")).to_be_checked()


def test_the_client_answers_every_question_from_the_keyboard_and_not_sure_is_a_yes(app, clinic, tmp_path) -> None:
    nurse = app.page()
    sign_in(app, nurse, clinic.staff["nurse"])
    cartridge = Cartridge("LOT-UNSURE", "SN-UNSURE", today() + timedelta(days=90))
    links = treated_client(app, nurse, "Irene", "Dudosa", cartridge, phone="+34 600 777 888")

    phone = app.page(locale="es-ES", axe=True, **PHONE)
    phone.goto(links[1] + "?lang=es")
    expect(phone.locator("h1")).to_have_text("Control: día 1 después de tu sesión")
    ids = [
        (phone.locator(f"form fieldset.choices >> nth={i}").get_attribute("id") or "").removeprefix("f-answer-")
        for i in range(phone.locator("form fieldset.choices").count())
    ]
    assert FEVER in ids
    app.axe(phone, "check-in (es, phone)")
    app.no_horizontal_scroll(phone, "check-in (es, phone)")

    _press(app, phone, "form button[type=submit]")  # nothing answered: refused, never "no"
    expect(phone.locator("#error-summary")).to_be_focused()
    expect(phone.locator("#error-summary li")).to_have_count(len(ids))
    expect(phone.locator("#error-summary")).to_contain_text("Responde a esta pregunta: sí, no o no estoy seguro/a.")
    expect(phone.locator(f"#f-answer-{FEVER}-error")).to_be_visible()
    app.axe(phone, "check-in refused (es, phone)")
    phone.screenshot(path=tmp_path / "checkin-refused-es-phone.png", full_page=True)

    _answer(phone, ids, {FEVER: "not_sure"})
    _press(app, phone, "form button[type=submit]")
    outcome = phone.locator("section.verdict[data-triage=seek_care_now]")  # what a "yes" to fever gives
    expect(outcome).to_be_visible()
    expect(outcome).to_contain_text("se trató como si fuera un sí, porque no se sabía")
    app.axe(phone, "check-in answered, not sure (es, phone)")
    app.no_horizontal_scroll(phone, "check-in answered (es, phone)")
    phone.screenshot(path=tmp_path / "checkin-not-sure-es-phone.png", full_page=True)

    nurse.goto("/clinic/alerts/")
    row = nurse.locator("tr[data-checkin]", has_text="Irene Dudosa")
    expect(row.locator("li.not-sure")).to_contain_text("Not sure (treated as yes):")
