"""A home journal's reminder e-mails in a real browser (issue 15): on a phone, in Spanish, from the keyboard.

The person opens "Reminders by e-mail" from the journal, types a wrong address (the error summary
takes the focus and links to the field), then a right one; a browser in California finds its own time
zone preselected, kept through an error, and another zone is chosen by typing its name on the select
(and without JavaScript, where the select starts at UTC); then follows the stop link of a reminder
is asked first, and stops them (and again without JavaScript). axe-core on each page, no sideways scrolling at
390 px, no request to another site.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from browser.app_support import App
from browser.clinic_support import run, server_data_dir, tab_to

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
PROFILE = {"profile_version": 2, "setting": "home", "age": 30, "goals": ["glow"], "areas": ["cheeks"]}
STOP_SCRIPT = """
import sys
import django
django.setup()
from needlewise.messaging.journal_reminders import stop_token
from needlewise.services.saved_results import digest
print(stop_token(digest(sys.stdin.read().strip())))
"""


def _press(app: App, page: Page, selector: str, limit: int = 40) -> None:
    tab_to(page, selector, limit)
    app.after(page, lambda: page.keyboard.press("Enter"))


def _journal(page: Page) -> str:
    """A Spanish journal without an address, with a session logged today; its key."""
    started = page.request.post("/api/v1/journals?lang=es", data={"profile": PROFILE})
    assert started.status == 201, started.text()
    key = str(started.json()["key"])
    today = (datetime.now(UTC) + timedelta(hours=14)).date().isoformat()
    logged = page.request.post(
        f"/api/v1/journals/{key}/sessions", data={"on": today, "needle_mm": 0.25, "areas": ["cheeks"]}
    )
    assert logged.status == 201, logged.text()
    return key


def _checked(app: App, page: Page, label: str) -> None:
    app.axe(page, label)
    app.no_horizontal_scroll(page, label)


def test_a_person_sets_reminders_from_the_keyboard_then_stops_them_by_their_link(
    app: App, tmp_path_factory: pytest.TempPathFactory
) -> None:
    page = app.page(locale="es-ES", axe=True, **PHONE)
    key = _journal(page)
    page.goto(f"/journal/{key}/")
    _press(app, page, f"a[href='/journal/{key}/reminders/']", limit=200)  # after the journal's forms
    expect(page.locator("h1")).to_have_text("Recordatorios por correo")
    expect(page.locator(".notice")).to_have_text("Los recordatorios están desactivados.")
    _checked(app, page, "reminders (es, phone)")

    tab_to(page, "#f-email")
    page.keyboard.type("no es un correo")
    _press(app, page, "main form button.primary")
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary.locator("a[href='#f-email']")).to_be_visible()
    _checked(app, page, "reminders with an error (es, phone)")
    tab_to(page, "#f-email")
    page.keyboard.press("Control+A")
    page.keyboard.type("yo@example.org")
    _press(app, page, "main form button.primary")
    expect(page.locator(".notice")).to_contain_text("Guardado")
    _checked(app, page, "reminders saved (es, phone)")

    data_dir = server_data_dir(Path(tmp_path_factory.getbasetemp()))
    token = run([sys.executable, "-c", STOP_SCRIPT], data_dir, key.encode()).strip().splitlines()[-1]
    mail_link = app.page(locale="en-US", axe=True, **PHONE)  # the journal speaks Spanish, whatever the browser
    mail_link.goto(f"/reminders/stop/{token}/")
    expect(mail_link.locator("h1")).to_have_text("¿Dejar de recibir recordatorios de tu diario?")
    _checked(app, mail_link, "stop reminders (es, phone)")
    _press(app, mail_link, "main form button[type=submit]")
    expect(mail_link.locator("h1")).to_have_text("Recordatorios detenidos")
    _checked(app, mail_link, "reminders stopped (es, phone)")

    again = page.request.put(f"/api/v1/journals/{key}/reminders", data={"email": "yo@example.org"})
    assert again.json()["reminders"] is True
    plain = app.page(js=False, **PHONE)
    plain.goto(f"/reminders/stop/{token}/")
    tab_to(plain, "main form button[type=submit]")
    plain.keyboard.press("Enter")
    plain.wait_for_load_state("load")
    expect(plain.locator("h1")).to_have_text("Recordatorios detenidos")
    page.goto(f"/journal/{key}/reminders/")
    expect(page.locator(".notice")).to_have_text("Los recordatorios están desactivados.")
    assert app.foreign_requests() == []


def test_a_person_chooses_their_time_zone_from_the_keyboard_and_without_javascript(app: App) -> None:
    page = app.page(locale="es-ES", axe=True, timezone_id="America/Los_Angeles", **PHONE)
    key = _journal(page)
    page.goto(f"/journal/{key}/reminders/")
    expect(page.locator("#reminder-zone")).to_contain_text("09:00 UTC")  # none chosen yet
    expect(page.locator("#f-time_zone")).to_have_value("America/Los_Angeles")  # the browser's own, preselected
    tab_to(page, "#f-email")
    page.keyboard.type("no es un correo")
    _press(app, page, "main form button.primary")
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator("#f-time_zone")).to_have_value("America/Los_Angeles")  # kept through the error
    tab_to(page, "#f-email")
    page.keyboard.press("Control+A")
    page.keyboard.type("yo@example.org")
    _press(app, page, "main form button.primary")
    expect(page.locator("#reminder-zone")).to_have_text(
        "Los recordatorios llegan a las 09:00 en la zona horaria America/Los_Angeles."
    )
    _checked(app, page, "reminders in a chosen time zone (es, phone)")
    tab_to(page, "#f-time_zone")
    page.keyboard.type("Madrid")  # a closed select: typing a place's name chooses it
    expect(page.locator("#f-time_zone")).to_have_value("Europe/Madrid")
    tab_to(page, "#f-email")
    page.keyboard.type("yo@example.org")
    _press(app, page, "main form button.primary")
    expect(page.locator("#reminder-zone")).to_contain_text("Europe/Madrid")
    expect(page.locator("#f-time_zone")).to_have_value("Europe/Madrid")  # a choice: never the browser's again

    plain = app.page(js=False, timezone_id="America/Los_Angeles", **PHONE)
    other = _journal(plain)
    plain.goto(f"/journal/{other}/reminders/")
    expect(plain.locator("#f-time_zone")).to_have_value("UTC")  # no script: the default stays until chosen
    plain.locator("#f-email").fill("yo@example.org")
    plain.locator("#f-time_zone").select_option("Pacific/Kiritimati")
    plain.locator("main form button.primary").click()
    expect(plain.locator("#reminder-zone")).to_contain_text("Pacific/Kiritimati")
    assert app.foreign_requests() == []
