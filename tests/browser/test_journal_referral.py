"""Sending a home journal to a clinic in a real browser (issue 15): on a phone, in Spanish, keyboard only.

A person keeping a journal chooses a clinic from the journal page, reads what would be sent and the
consent, fills the form by keyboard and presses send without agreeing or giving a way to reply (the
error summary takes the focus and links to the fields), then agrees and sends. axe-core on each
page, no sideways scrolling at 390 px, no request to another site; the same form without JavaScript
sends too; the clinic's owner then reads the journal as sent on the request's page (axe-core too).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from browser.app_support import App
from browser.clinic_support import Clinic, Person, own_clinic, sign_in, tab_to

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
FAR = 300  # tabs: the journal page has many choices before "Take it along"


@pytest.fixture(scope="module")
def clinic(server: str, tmp_path_factory: pytest.TempPathFactory) -> Clinic:
    founder = Person("owner@sol.example.org", "Sara Owner", "owner")
    staff = {"owner": founder}
    return own_clinic(server, Path(tmp_path_factory.getbasetemp()), ("Clínica Sol", "Sevilla"), staff, founder)


def _press(app: App, page: Page, selector: str, limit: int = 40) -> None:
    tab_to(page, selector, limit)
    app.after(page, lambda: page.keyboard.press("Enter"))


def _type(page: Page, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.type(text)


def _checked(app: App, page: Page, label: str) -> None:
    app.axe(page, label)
    app.no_horizontal_scroll(page, label)


def _journal(app: App, page: Page) -> str:
    """A journal started from a home result; its link."""
    app.start(page)
    app.complete(page, "home_ok")
    _press(app, page, "form[action='/journal/new/'] button[type=submit]")
    _press(app, page, "main form button[type=submit]")
    return page.locator("#journal-link").inner_text()  # the journal's page, its link shown first


def test_a_person_sends_their_journal_to_a_clinic_from_the_keyboard_in_spanish(app: App, clinic: Clinic) -> None:
    page = app.page(locale="es-ES", axe=True, **PHONE)
    link = _journal(app, page)
    expect(page.locator("h1")).to_have_text("Tu diario en casa")
    _press(app, page, "a[href$='/referral/']", FAR)
    expect(page.locator("h1")).to_have_text("Envía tu diario a una clínica")
    _checked(app, page, "journal referral: clinics (es, phone)")
    _press(app, page, f"a[href$='/referral/{clinic.slug}/']")
    expect(page.locator("h1")).to_have_text(f"Envía tu diario a {clinic.name}")
    expect(page.locator("label[for=f-consent]")).to_contain_text("mi diario en casa")
    _checked(app, page, "journal referral: form (es, phone)")

    _type(page, "#f-given_name", "Lucía")
    _type(page, "#f-family_name", "Ortega")
    _type(page, "#f-birth_date", "02041990")  # the date field in Spanish: day, month, year
    _type(page, "#f-message", "Me gustaría una consulta.")
    _press(app, page, "main form button[type=submit]")  # no e-mail or phone, no consent: refused
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary.locator("a[href='#f-consent']")).to_be_visible()
    expect(summary.locator("a[href='#f-email']")).to_be_visible()
    expect(summary.locator("li")).to_have_count(2)
    expect(page.locator("#f-given_name")).to_have_value("Lucía")
    _checked(app, page, "journal referral: form with errors (es, phone)")

    _type(page, "#f-email", "lucia@example.org")
    tab_to(page, "#f-consent")
    page.keyboard.press("Space")
    _press(app, page, "main form button[type=submit]")
    expect(page.locator("h1")).to_have_text(f"Tu diario se ha enviado a {clinic.name}")
    _checked(app, page, "journal referral: sent (es, phone)")
    app.after(page, page.reload)  # a reload asks for the "sent" page again: nothing is sent twice
    expect(page.locator("h1")).to_have_text(f"Tu diario se ha enviado a {clinic.name}")

    no_js = app.page(locale="es-ES", js=False, **PHONE)
    no_js.goto(re.sub(r"/$", f"/referral/{clinic.slug}/", link))
    for field, value in (("#f-given_name", "Lucía"), ("#f-family_name", "Ortega"), ("#f-birth_date", "1990-04-02")):
        no_js.fill(field, value)
    no_js.fill("#f-phone", "+34 600 000 000")
    no_js.check("#f-consent")
    no_js.locator("main form button[type=submit]").click()
    expect(no_js.locator("h1")).to_have_text(f"Tu diario se ha enviado a {clinic.name}")

    staff = app.page(axe=True, **PHONE)  # the clinic reads it: the journal as sent, on the request's page
    sign_in(app, staff, clinic.staff["owner"])
    staff.goto("/clinic/intake/")
    expect(staff.locator("table.records tbody tr", has_text="Lucía Ortega")).to_have_count(2)  # one per form sent
    row = staff.locator("table.records tbody tr", has_text="Lucía Ortega").first
    expect(row.locator(".badge").first).to_have_text("Home journal")
    app.after(staff, lambda: row.get_by_role("link").click())
    expect(staff.locator("#journal-title")).to_have_text("Their home journal (as sent)")
    expect(staff.locator("dl.details").first).to_contain_text("1990-04-02")
    _checked(app, staff, "journal referral: the clinic's request page (en, phone)")
    assert app.foreign_requests() == []
