"""Recording a session as a nurse does it: check, treat, record, by keyboard alone, on a phone and in Spanish.

One clinic of its own (Lisbon's time zone) with an owner and a nurse; the owner writes the consent version.
The nurse records a session start to finish with the keyboard only on a phone-size screen; a session set
in the future is refused at its field, and the error summary's links take the keyboard to each field (in
Spanish, with and without JavaScript). axe-core runs on each step. Screenshots of each step are written
to ``NEEDLEWISE_SHOTS`` when it is set (to look at the pages as a user would).
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from browser.app_support import App
from browser.clinic_support import (
    CLINIC_TIER_ANSWERS,
    Clinic,
    Person,
    add_client,
    own_clinic,
    screen,
    sign_in,
    sign_in_in_any_language,
    tab_to,
)
from browser.treatment_support import (
    SESSION_PAGE,
    owner_writes_consent,
    sign_consent_drawn,
    today,
    write_plan,
)

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def shot(page: Page, name: str) -> None:
    """A full-page screenshot under ``NEEDLEWISE_SHOTS``, when set."""
    folder = os.environ.get("NEEDLEWISE_SHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.fixture(scope="module")
def clinic(server: str, tmp_path_factory: pytest.TempPathFactory) -> Clinic:
    founder = Person("founder@sessions.example.org", "Sara Founder", "owner")
    staff = {
        "owner": Person("owner@sessions.example.org", "Olga Owner", "owner"),
        "nurse": Person("nurse@sessions.example.org", "Nuno Nurse", "nurse"),
    }
    return own_clinic(server, Path(tmp_path_factory.getbasetemp()), ("Session Rooms", "Porto"), staff, founder)


@pytest.fixture(scope="module")
def consent_version(browser: Browser, clinic: Clinic) -> None:
    owner_writes_consent(browser, clinic)


def ready_client(app: App, page: Page, given: str, family: str) -> int:
    """A client screened (clinic tier), who signed the consent, with a plan (texture, cheeks at 1.0 mm)."""
    client = add_client(app, page, given, family)
    screen(app, page, CLINIC_TIER_ANSWERS)
    sign_consent_drawn(page, client, f"{given} {family}")
    write_plan(app, page, client, goal="texture", zones={"cheeks": "1.0"}, sessions=3, scan=False)
    return client


def focused(page: Page) -> str:
    return str(page.evaluate("() => document.activeElement?.id ?? ''"))


@pytest.mark.usefixtures("consent_version")
def test_a_nurse_checks_treats_and_records_with_the_keyboard_alone_on_a_phone(app, clinic) -> None:
    nurse = app.page(axe=True, **PHONE)
    sign_in(app, nurse, clinic.staff["nurse"])
    client = ready_client(app, nurse, "Tiago", "Teclado")
    nurse.goto(f"/clinic/clients/{client}/sessions/new/")
    expect(nurse.locator(".step-title")).to_have_text("Step 1 of 2: today's checks")
    expect(nurse.locator("#f-performed_date")).to_have_value(today().isoformat())
    expect(nurse.locator("#f-performed_time")).to_have_value(re.compile(r"^\d\d:\d\d$"))
    expect(nurse.locator("#f-passes")).to_have_count(0)
    app.axe(nurse, "session form, step 1, phone")
    app.no_horizontal_scroll(nurse, "session form, step 1, phone")
    shot(nurse, "session-step1-phone-en")

    tab_to(nurse, "#f-device_model")
    nurse.keyboard.type("Pen P4")
    nurse.keyboard.press("Tab")  # the device kind: the first, a roller, is kept
    nurse.keyboard.press("Tab")
    nurse.keyboard.type("DEV-KEYS")
    nurse.keyboard.press("Tab")
    nurse.keyboard.type("LOT-KEYS")
    nurse.keyboard.press("Tab")
    nurse.keyboard.type("SN-KEYS-1")
    nurse.keyboard.press("Tab")
    expiry = today() + timedelta(days=300)
    nurse.keyboard.type(expiry.strftime("%m%d%Y"))  # en-US: month, day, year
    expect(nurse.locator("#f-cartridge_expiry")).to_have_value(expiry.isoformat())
    tab_to(nurse, "button[value=check]")
    app.after(nurse, lambda: nurse.keyboard.press("Enter"))

    expect(nurse.locator(".step-title")).to_have_text("Step 2 of 2: the treatment")
    expect(nurse.locator("#checks")).to_be_focused()
    expect(nurse.locator("#checks li.failed")).to_have_count(0)
    expect(nurse.locator("#checked")).to_contain_text("lot LOT-KEYS, serial SN-KEYS-1")
    app.axe(nurse, "session form, step 2, phone")
    app.no_horizontal_scroll(nurse, "session form, step 2, phone")
    shot(nurse, "session-step2-phone-en")
    nurse.keyboard.press("Tab")
    assert focused(nurse) == "f-passes"
    nurse.keyboard.type("3")
    nurse.keyboard.press("Tab")
    nurse.keyboard.type("uniform erythema")
    tab_to(nurse, "button[value=record]")
    app.after(nurse, lambda: nurse.keyboard.press("Enter"))
    expect(nurse).to_have_url(SESSION_PAGE)
    expect(nurse.locator("dl.details")).to_contain_text("lot LOT-KEYS, serial SN-KEYS-1")
    shot(nurse, "session-recorded-phone-en")


@pytest.mark.usefixtures("consent_version")
@pytest.mark.parametrize("javascript", [pytest.param(True, id="javascript"), pytest.param(False, id="no-javascript")])
def test_a_future_session_is_refused_and_the_summary_links_lead_to_the_fields_in_spanish(
    app, clinic, javascript: bool
) -> None:
    setup = app.page()
    sign_in(app, setup, clinic.staff["nurse"])
    client = ready_client(app, setup, *(("Flora", "Futura") if javascript else ("Fausto", "Fechado")))
    nurse = app.page(axe=True, js=javascript, locale="es-ES")
    sign_in_in_any_language(nurse, clinic.staff["nurse"])
    nurse.goto(f"/clinic/clients/{client}/sessions/new/")
    expect(nurse.locator(".step-title")).to_have_text("Paso 1 de 2: las comprobaciones de hoy")
    tomorrow = today() + timedelta(days=1)
    nurse.fill("#f-performed_date", tomorrow.isoformat())
    nurse.fill("#f-device_model", "")  # offered from the nurse's last session, if any: left out here
    nurse.fill("#f-cartridge_lot", "LOT-FUTURE")
    nurse.fill("#f-cartridge_expiry", (today() + timedelta(days=90)).isoformat())
    app.after(nurse, lambda: nurse.get_by_role("button", name="Hacer las comprobaciones de hoy").click())

    summary = nurse.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary.locator("h2")).to_have_text("Hay un problema")
    links = summary.locator("a")
    expect(links.first).to_have_text(
        f"Fecha de la sesión: una sesión no puede estar en el futuro: hoy es {today().isoformat()}"
    )
    hrefs = links.evaluate_all("(links) => links.map((a) => a.getAttribute('href'))")
    assert hrefs == ["#f-performed_date", "#f-device_model", "#f-cartridge_serial"], hrefs
    expect(nurse.locator("#f-passes")).to_have_count(0)
    if javascript:  # axe-core is a script: it runs where scripts do
        app.axe(nurse, "session form with errors, Spanish")
    shot(nurse, f"session-errors-es-{'js' if javascript else 'nojs'}")
    for href in hrefs:  # from the summary, Tab to the link, Enter: the keyboard is at the field
        summary.focus()
        tab_to(nurse, f"#error-summary a[href='{href}']")
        nurse.keyboard.press("Enter")
        expect(nurse.locator(href)).to_be_focused()
    expect(nurse.locator("#f-performed_date")).to_have_value(tomorrow.isoformat())
    expect(nurse.locator("#f-cartridge_lot")).to_have_value("LOT-FUTURE")
