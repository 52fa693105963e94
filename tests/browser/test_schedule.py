"""Booking on the clinic's clock in a real browser: the front desk books a nurse in a Lisbon clinic.

Lisbon is on UTC+0 in winter and UTC+1 in summer; on 30 March 2031 its clocks go from 01:00 to
02:00. A time typed into the booking form is the clinic's wall-clock time: 10:00 on a July day is
stored, and written to the ``.ics`` file, as 09:00 UTC, and a time the clocks skip is refused with a
sentence that says so, in English and Spanish. axe-core runs on each page, also on a phone-size
screen. With ``NEEDLEWISE_SHOTS=<folder>`` the pages are also saved as PNG files there, to look at.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from browser.app_support import App
from browser.clinic_support import Clinic, Person, add_client, own_clinic, sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
SCHEDULE = re.compile(r"/clinic/schedule/\?day=2031-07-15$")


@pytest.fixture(scope="module")
def clinic(server: str, tmp_path_factory: pytest.TempPathFactory) -> Clinic:
    """A Lisbon clinic of its own, with a nurse to book and a receptionist who books."""
    founder = Person("founder@reloj.example.org", "Lia Founder", "owner")
    staff = {
        "nurse": Person("nurse@reloj.example.org", "Nuno Nurse", "nurse"),
        "desk": Person("desk@reloj.example.org", "Rita Reception", "front_desk"),
    }
    return own_clinic(server, Path(tmp_path_factory.getbasetemp()), ("Reloj Skin", "Porto"), staff, founder)


def shot(page: Page, name: str) -> None:
    """Save the page as a PNG when ``NEEDLEWISE_SHOTS`` names a folder (for a person to look at)."""
    folder = os.environ.get("NEEDLEWISE_SHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def fill_booking(page: Page, day: str, at: str) -> None:
    page.select_option("#f-practitioner", label="Nuno Nurse (nurse)")
    page.fill("#f-date", day)
    page.fill("#f-time", at)


def test_the_front_desk_books_on_the_clinic_s_clock(app: App, clinic: Clinic) -> None:
    page = app.page(axe=True)
    sign_in(app, page, clinic.staff["desk"])
    client = add_client(app, page, "Beatriz", "Horas")
    page.goto(f"/clinic/clients/{client}/book/")
    expect(page.locator("#f-time-hint")).to_have_text("On the clinic's clock (Europe/Lisbon).")
    app.axe(page, "booking form")
    fill_booking(page, "2031-03-30", "01:30")
    app.after(page, lambda: page.get_by_role("button", name="Book").click())
    error = page.locator("#f-starts_at-error-1")
    expect(error).to_have_text(
        "There is no 01:30 on 2031-03-30 in Europe/Lisbon: the clocks go forward that night. Choose another time."
    )
    expect(page.locator("#f-time")).to_have_attribute("aria-invalid", "true")
    app.axe(page, "booking form with a time the clocks skip")
    shot(page, "booking-skipped-time-en")
    fill_booking(page, "2031-07-15", "10:00")
    app.after(page, lambda: page.get_by_role("button", name="Book").click())
    expect(page).to_have_url(SCHEDULE)
    row = page.locator("tr[data-appointment]")
    expect(row).to_contain_text("10:00\u201311:00")
    expect(row).to_contain_text("Beatriz Horas")
    expect(page.get_by_text("Times are on the clinic's clock (Europe/Lisbon).")).to_be_visible()
    app.axe(page, "schedule with the booking")
    shot(page, "schedule-en")
    with page.expect_download() as download:
        page.get_by_role("link", name="Calendar file").click()
    ics = Path(download.value.path()).read_text(encoding="utf-8")
    assert "DTSTART;TZID=Europe/Lisbon:20310715T100000" in ics
    assert "DTEND;TZID=Europe/Lisbon:20310715T110000" in ics
    assert "TZID:Europe/Lisbon" in ics


def test_on_a_phone_in_spanish_the_refusal_and_the_day_read_as_the_clinic_s(app: App, clinic: Clinic) -> None:
    page = app.page(axe=True, locale="es-ES", **PHONE)
    sign_in_spanish(app, page, clinic.staff["desk"])
    page.goto("/clinic/clients/?q=Horas")
    page.get_by_role("link", name="Horas, Beatriz").click()
    page.get_by_role("link", name="Reservar una sesión").click()
    expect(page.locator("#f-time-hint")).to_have_text("En la hora de la clínica (Europe/Lisbon).")
    fill_booking_es(page, "2031-03-30", "01:45")
    app.after(page, lambda: page.get_by_role("button", name="Reservar").click())
    expect(page.locator("#f-starts_at-error-1")).to_have_text(
        "No existe la hora 01:45 el 2031-03-30 en Europe/Lisbon: esa noche se adelantan los relojes. Elige otra hora."
    )
    app.axe(page, "booking form with a skipped time (Spanish, phone)")
    app.no_horizontal_scroll(page, "booking form (Spanish, phone)")
    shot(page, "booking-skipped-time-es-phone")
    page.goto("/clinic/schedule/?day=2031-07-15")
    expect(page.locator("tr[data-appointment]")).to_contain_text("10:00\u201311:00")
    expect(page.get_by_text("Las horas son las de la clínica (Europe/Lisbon).")).to_be_visible()
    app.axe(page, "schedule (Spanish, phone)")
    app.no_horizontal_scroll(page, "schedule (Spanish, phone)")
    shot(page, "schedule-es-phone")


def sign_in_spanish(app: App, page: Page, person: Person) -> None:
    """The password, then a code from the second factor the first test set up, on Spanish pages."""
    page.goto("/clinic/sign-in/")
    page.fill("#f-email", person.email)
    page.fill("#f-password", person.password)
    app.after(page, page.locator("form button[type=submit]").first.click)
    expect(page).to_have_url(re.compile(r"/clinic/sign-in/code/"))  # set up in the first test
    page.fill("#f-code", person.code())
    app.after(page, page.locator("form button[type=submit]").first.click)
    expect(page).to_have_url(re.compile(r"/clinic/(\?.*)?$"))


def fill_booking_es(page: Page, day: str, at: str) -> None:
    page.select_option("#f-practitioner", label="Nuno Nurse (enfermero/a)")
    page.fill("#f-date", day)
    page.fill("#f-time", at)
