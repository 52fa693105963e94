"""Open check-in alerts in a real browser: the banner on each workspace page, the phone to call, closing one.

One clinic serves the module (an owner, a nurse, a front desk). A client is treated, answers their day-1
check-in "fever or chills" from their own phone, and the nurse sees the banner on every page, the alerts
list (which fits a 1280 px screen without scrolling sideways) and closes the alert saying what was done;
the front desk never sees the banner. English at 1280 px and Spanish on a phone, with axe-core on each
page; screenshots are kept in the test's temporary folder.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from browser.app_support import App
from browser.clinic_support import Clinic, Person, own_clinic, sign_in
from browser.treatment_support import (
    SESSION_PAGE,
    Cartridge,
    answer_checkin,
    owner_writes_consent,
    today,
    treated_client,
)

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
FEVER = "fever_chills"  # knowledge/treatment.yaml: seek care now, from day 1
WORKSPACE = ("/clinic/", "/clinic/clients/", "/clinic/rescreen/", "/clinic/account/")
TABLE_FITS_JS = "() => { const s = document.querySelector('.table-scroll'); return [s.scrollWidth, s.clientWidth]; }"


@pytest.fixture(scope="module")
def clinic(server: str, tmp_path_factory: pytest.TempPathFactory, browser: Browser) -> Clinic:
    """A clinic of its own (its alerts are only this module's), its staff and its first consent version."""
    founder = Person("founder@nimbus.example.org", "Nora Founder", "owner")
    staff = {
        "owner": Person("owner@nimbus.example.org", "Olga Owner", "owner"),
        "nurse": Person("nurse@nimbus.example.org", "Nuno Nurse", "nurse"),
        "front_desk": Person("desk@nimbus.example.org", "Fabio Desk", "front_desk"),
    }
    made = own_clinic(server, Path(tmp_path_factory.getbasetemp()), ("Nimbus Skin", "Porto"), staff, founder)
    owner_writes_consent(browser, made)
    return made


def red_flag(app: App, nurse: Page, name: tuple[str, str], phone: str, lot: str) -> str:
    """The nurse treats a client; the client answers day 1 "fever or chills" on their own phone; the session's page."""
    links = treated_client(app, nurse, *name, Cartridge(lot, f"SN-{lot}", today() + timedelta(days=90)), phone=phone)
    client_phone = app.page(**PHONE)
    client_phone.goto(links[1])
    answer_checkin(client_phone, yes=[FEVER])
    client_phone.get_by_role("button", name=re.compile("Send my answers|Enviar mis respuestas")).click()
    expect(client_phone.locator("section.verdict[data-triage=seek_care_now]")).to_be_visible()
    found = SESSION_PAGE.search(nurse.url)
    assert found, nurse.url
    return f"/clinic/sessions/{found.group(1)}/"


def test_a_red_flag_gets_the_nurses_attention_until_closed(app, clinic, tmp_path: Path) -> None:
    nurse = app.page(axe=True)
    sign_in(app, nurse, clinic.staff["nurse"])
    nurse.goto("/clinic/")
    expect(nurse.locator(".alert-banner")).to_have_count(0)
    red_flag(app, nurse, ("Beatriz", "Febre"), "+351 912 000 111", "LOT-ALERT-EN")

    for path in WORKSPACE:  # the banner on every workspace page, with a link to the alerts
        nurse.goto(path)
        banner = nurse.locator(".alert-banner")
        expect(banner).to_contain_text("1 check-in alert is open")
        expect(banner.get_by_role("link", name="See the alerts")).to_have_attribute("href", "/clinic/alerts/")
        app.axe(nurse, f"{path} with the alert banner")
    nurse.screenshot(path=tmp_path / "account-with-banner-en.png", full_page=True)

    desk = app.page()
    sign_in(app, desk, clinic.staff["front_desk"])
    for path in ("/clinic/", "/clinic/clients/", "/clinic/account/"):
        desk.goto(path)
        expect(desk.locator("h1")).to_be_visible()
        expect(desk.locator(".alert-banner")).to_have_count(0)

    nurse.goto("/clinic/")
    app.after(nurse, nurse.locator(".alert-banner").get_by_role("link", name="See the alerts").click)
    expect(nurse).to_have_url(re.compile(r"/clinic/alerts/$"))
    row = nurse.locator("tr[data-checkin]")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Beatriz Febre")
    expect(row.get_by_role("link", name="+351 912 000 111")).to_have_attribute("href", "tel:+351912000111")
    app.no_horizontal_scroll(nurse, "alerts at 1280 px")
    scroll, visible = nurse.evaluate(TABLE_FITS_JS)
    assert scroll <= visible, f"the alerts table scrolls sideways at 1280 px: {scroll} > {visible}"
    box = row.get_by_role("link", name="Close the alert…").bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= 1280
    app.axe(nurse, "check-in alerts")
    nurse.screenshot(path=tmp_path / "alerts-1280-en.png", full_page=True)

    app.after(nurse, row.get_by_role("link", name="Close the alert…").click)
    expect(nurse.locator("h1")).to_have_text("Close the alert")
    expect(nurse.locator("dl.details").get_by_role("link", name="+351 912 000 111")).to_be_visible()
    app.axe(nurse, "close the alert")
    nurse.check("#f-action-called_client")
    nurse.fill("#f-note", "Called at 10:40: fever 38.2 °C. Told her to go to urgent care now.")
    nurse.screenshot(path=tmp_path / "close-alert-en.png", full_page=True)
    app.after(nurse, nurse.get_by_role("button", name="Close the alert").click)
    expect(nurse).to_have_url(re.compile(r"/clinic/alerts/\?closed=1$"))
    expect(nurse.locator("main")).to_contain_text("The alert is closed; what was done is recorded.")
    expect(nurse.locator(".alert-banner")).to_have_count(0)
    nurse.goto("/clinic/clients/")
    expect(nurse.locator(".alert-banner")).to_have_count(0)


def test_the_alert_in_spanish_on_a_phone(app, clinic, tmp_path: Path) -> None:
    nurse = app.page(axe=True)
    sign_in(app, nurse, clinic.staff["nurse"])
    red_flag(app, nurse, ("Carmen", "Escalofríos"), "+34 600 123 456", "LOT-ALERT-ES")
    phone = app.page(axe=True, **PHONE)
    sign_in(app, phone, clinic.staff["nurse"])
    phone.goto("/")
    app.after(phone, phone.get_by_role("button", name="Español").click)  # the language cookie
    phone.goto("/clinic/clients/")
    banner = phone.locator(".alert-banner")
    expect(banner).to_contain_text("1 alerta de control abierta")
    app.axe(phone, "clients with the banner, Spanish, phone")
    app.no_horizontal_scroll(phone, "clients with the banner on a phone")
    phone.screenshot(path=tmp_path / "clients-banner-es-phone.png", full_page=True)
    app.after(phone, banner.get_by_role("link", name="Ver las alertas").click)
    row = phone.locator("tr[data-checkin]", has_text="Carmen Escalofríos")
    expect(row.get_by_role("link", name="+34 600 123 456")).to_have_attribute("href", "tel:+34600123456")
    app.axe(phone, "alerts, Spanish, phone")
    app.no_horizontal_scroll(phone, "alerts on a phone")
    scroll, visible = phone.evaluate(TABLE_FITS_JS)
    assert scroll <= visible, f"the alerts table scrolls sideways on a phone: {scroll} > {visible}"
    phone.screenshot(path=tmp_path / "alerts-es-phone.png", full_page=True)
    app.after(phone, row.get_by_role("link", name="Cerrar la alerta…").click)
    expect(phone.locator("h1")).to_have_text("Cerrar la alerta")
    app.axe(phone, "close the alert, Spanish, phone")
    app.no_horizontal_scroll(phone, "close the alert on a phone")
    phone.check("#f-action-booked_review")
    phone.fill("#f-note", "Llamé a las 11:05; viene mañana a las 9:00.")
    phone.screenshot(path=tmp_path / "close-alert-es-phone.png", full_page=True)
    app.after(phone, phone.get_by_role("button", name="Cerrar la alerta").click)
    expect(phone.locator("main")).to_contain_text("La alerta está cerrada; lo que se hizo queda registrado.")
    expect(phone.locator("tr[data-checkin]", has_text="Carmen Escalofríos")).to_have_count(0)


def test_an_adverse_event_from_the_session_page_closes_its_alert(app, clinic, tmp_path: Path) -> None:
    nurse = app.page(axe=True)
    sign_in(app, nurse, clinic.staff["nurse"])
    session = red_flag(app, nurse, ("Dora", "Ferida"), "+351 913 000 222", "LOT-ALERT-AE")
    nurse.goto(session)
    app.after(nurse, nurse.get_by_role("link", name="Record an adverse event").click)
    expect(nurse.locator("#f-checkin option:checked")).to_contain_text("open alert")
    expect(nurse.locator("#f-close_alert")).to_be_checked()
    nurse.select_option("#f-kind", "infection_bacterial")
    nurse.check("#f-severity-moderate")
    nurse.fill("#f-onset_on", today().isoformat())
    nurse.fill("#f-description", "Fever 38.5 °C and warm cheeks on day 1.")
    nurse.fill("#f-alert_note", "Called her at 09:10; referred to urgent care.")
    app.axe(nurse, "adverse event form with the open alert")
    nurse.screenshot(path=tmp_path / "adverse-event-closes-alert-en.png", full_page=True)
    app.after(nurse, nurse.get_by_role("button", name="Record the adverse event").click)
    expect(nurse).to_have_url(re.compile(r"/clinic/adverse-events/\d+/$"))
    nurse.goto("/clinic/alerts/")
    expect(nurse.locator("tr[data-checkin]", has_text="Dora Ferida")).to_have_count(0)


@pytest.mark.parametrize(("lang", "reused"), [("en", "re-used needles"), ("es", "agujas reutilizadas")])
def test_the_clinics_aftercare_sheet_has_no_re_used_needles_advice(app, clinic, tmp_path: Path, lang, reused) -> None:
    nurse = app.page(axe=True)
    sign_in(app, nurse, clinic.staff["nurse"])
    name, phone = {"en": (("Eva", "Lisboa"), "+351 914 000 333"), "es": (("Inés", "Marques"), "+34 611 222 333")}[lang]
    session = red_flag(app, nurse, name, phone, f"LOT-SHEET-{lang.upper()}")
    nurse.goto(f"{session}aftercare/?lang={lang}")
    sheet = nurse.locator(".aftercare-sheet")
    expect(sheet.locator(".plan-section.red-flags li").first).to_be_visible()
    assert reused not in sheet.inner_text()
    app.axe(nurse, f"aftercare sheet ({lang})")
    nurse.screenshot(path=tmp_path / f"aftercare-{lang}.png", full_page=True)
