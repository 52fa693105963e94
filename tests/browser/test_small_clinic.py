"""A one-person clinic in a real browser: an owner who is also a nurse works with one account.

Made with ``needlewise clinic create --owner-role nurse``: the owner finds the staff sign-in link in
the public site's footer, sets up two-step sign-in and keeps the recovery codes, writes the consent
wording as the owner, then screens, plans and treats a client as a nurse (the session recorded),
signs in again with a recovery code, invites a nurse (no mail server: the link is on the Staff
page, made again once), and the nurse must set up two-step sign-in. English and Spanish, a desktop
and a phone, axe-core on every page; screenshots are kept in the test's temporary folder.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from browser.clinic_support import (
    SIGNED_IN,
    Person,
    choose_password,
    create_clinic,
    second_factor,
    server_data_dir,
    sign_in,
    sign_out,
)
from browser.treatment_support import Cartridge, today, treated_client, write_consent_version

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
ACCOUNT_AFTER_RECOVERY = re.compile(r"/clinic/account/\?recovery_used=1$")


def shot(page: Page, folder: Path, name: str) -> None:
    page.screenshot(path=folder / f"{name}.png", full_page=True)


def password_step(page: Page, person: Person) -> None:
    """E-mail and password, in any language (the form's own submit button)."""
    page.goto("/clinic/sign-in/")
    page.fill("#f-email", person.email)
    page.fill("#f-password", person.password)
    page.locator("main form button[type=submit]").click()


def test_a_nurse_owner_runs_a_one_person_clinic(app, server, tmp_path_factory, tmp_path) -> None:  # noqa: PLR0915 - one story
    del server
    data_dir = server_data_dir(Path(tmp_path_factory.getbasetemp()))
    solo = Person("solo@sol.example.org", "Sofía Solo", "owner")
    create_clinic(data_dir, "Clínica Sol", "Madrid", solo, owner_role="nurse")

    # The public site's footer leads to the staff sign-in.
    page = app.page(axe=True)
    page.goto("/")
    app.after(page, lambda: page.get_by_role("link", name="Staff sign-in").click())
    expect(page).to_have_url(re.compile(r"/clinic/sign-in/$"))

    # First sign-in: two-step sign-in, then the ten recovery codes, shown once (axe on each page).
    sign_in(app, page, solo, scan=True)
    nav = page.get_by_role("navigation", name="Clinic")
    expect(nav.get_by_role("link", name="Staff")).to_be_visible()  # the owner's pages
    expect(nav.get_by_role("link", name="Alerts")).to_be_visible()  # and the nurse's

    # The owner's work (the clinic's consent wording), then the nurse's with the same account: a client
    # screened, consented, planned and treated, the session recorded.
    write_consent_version(app, page)
    cartridge = Cartridge("LOT-SOLO", "SN-SOLO-1", today() + timedelta(days=90))
    links = treated_client(app, page, "Lucía", "Prieto", cartridge)
    assert links, "the recorded session has its check-in links"
    expect(page.locator("main")).to_contain_text("Sofía Solo")

    page.goto("/clinic/staff/")
    expect(page.locator("tr", has_text=solo.email)).to_contain_text("owner + nurse")
    expect(page.locator("#f-clinical_role")).to_have_value("nurse")
    app.axe(page, "staff page (owner and nurse)")
    shot(page, tmp_path, "staff-en")

    # Signing in again with a recovery code in place of the app's code.
    sign_out(page)
    password_step(page, solo)
    page.locator("summary", has_text="Lost your phone? Use a recovery code").click()
    app.axe(page, "code page with the recovery code form open")
    page.fill("#f-recovery", solo.recovery_codes[0].upper())
    page.get_by_role("button", name="Sign in with a recovery code").click()
    expect(page).to_have_url(ACCOUNT_AFTER_RECOVERY)
    expect(page.locator(".notice[role=status]")).to_contain_text("9 codes are left")
    expect(page.locator("main")).to_contain_text("9 unused recovery codes.")
    app.axe(page, "account page after a recovery code")
    shot(page, tmp_path, "account-after-recovery-en")

    # No mail server: the Staff page shows the invitation link, with a copy button; resending voids it.
    page.goto("/clinic/staff/")
    page.fill("#f-display_name", "Nuria Nurse")
    page.fill("#f-email", "nuria@sol.example.org")
    page.select_option("#f-role", "nurse")
    app.after(page, lambda: page.get_by_role("button", name="Add", exact=True).click())
    notice = page.locator(".notice[role=status]")
    expect(notice).to_contain_text("Nuria Nurse was added. No mail server is set up")
    expect(page.get_by_role("button", name="Copy the link")).to_be_visible()
    first = page.locator("#invite-link").input_value()
    assert "/clinic/password-reset/" in first, first
    app.axe(page, "staff page with an invitation link")
    shot(page, tmp_path, "staff-invitation-en")
    row = page.locator("tr", has_text="nuria@sol.example.org")
    expect(row).to_contain_text("invited: no password yet")
    app.after(page, lambda: row.get_by_role("button", name="Send a new link").click())
    expect(notice).to_contain_text("A new link was made for Nuria Nurse. Earlier links no longer work.")
    link = page.locator("#invite-link").input_value()
    assert link != first

    stale = app.page(axe=True)
    stale.goto(first)
    expect(stale.locator(".error[role=alert]")).to_contain_text("not valid any more")

    # The nurse chooses a password on a page naming the clinic, then must set up two-step sign-in.
    nurse_page = app.page(axe=True)
    nuria = Person("nuria@sol.example.org", "Nuria Nurse", "nurse", password="a long walk by the river 9")  # noqa: S106
    nurse_page.goto(link)
    shot(nurse_page, tmp_path, "invitation-en")
    choose_password(app, nurse_page, link, nuria.password, clinic_name="Clínica Sol")
    password_step(nurse_page, nuria)
    expect(nurse_page).to_have_url(re.compile(r"/clinic/sign-in/second-factor/"))
    expect(nurse_page.locator("main")).to_contain_text("a code from an authenticator app is required at every sign-in")
    nurse_page.goto("/clinic/")  # no way round it: not signed in until it is set up
    expect(nurse_page).to_have_url(re.compile(r"/clinic/sign-in/\?next="))
    password_step(nurse_page, nuria)
    second_factor(app, nurse_page, nuria, scan=True)
    expect(nurse_page).to_have_url(SIGNED_IN)
    expect(nurse_page.get_by_role("navigation", name="Clinic").get_by_role("link", name="Staff")).to_have_count(0)

    # Spanish, on a phone: the owner's Staff page, account page and the codes page.
    phone = app.page(axe=True, locale="es-ES", **PHONE)
    password_step(phone, solo)
    expect(phone.locator("h1")).to_have_text("Introduce tu código")
    phone.locator("summary").click()
    expect(phone.locator("details.recovery")).to_contain_text("Código de recuperación")
    phone.fill("#f-code", solo.code())
    phone.locator("main > form button[type=submit]").click()
    expect(phone).to_have_url(SIGNED_IN)
    phone.goto("/clinic/staff/")
    expect(phone.locator("h2#own-role-title")).to_have_text("Tu propio rol clínico")
    expect(phone.locator("tr", has_text=solo.email)).to_contain_text("propietario/a + enfermero/a")
    app.axe(phone, "staff page in Spanish on a phone")
    app.no_horizontal_scroll(phone, "staff page on a phone")
    shot(phone, tmp_path, "staff-es-phone")
    phone.goto("/clinic/account/")
    app.axe(phone, "account page in Spanish on a phone")
    # Ten Argon2id hashes (as passwords are) take a few seconds on a loaded machine: up to 30 s here.
    app.after(phone, lambda: phone.get_by_role("button", name="Crear códigos de recuperación nuevos").click())
    expect(phone.locator("h1")).to_have_text("Tus códigos de recuperación")
    expect(phone.locator("#recovery-codes li")).to_have_count(10)
    expect(phone.get_by_role("navigation", name="Clínica")).to_be_visible()  # still in the workspace
    app.axe(phone, "recovery codes in Spanish on a phone")
    app.no_horizontal_scroll(phone, "recovery codes on a phone")
    shot(phone, tmp_path, "recovery-codes-es-phone")
    phone.goto("/")
    expect(phone.locator("footer")).to_contain_text("Acceso del personal")
    app.no_horizontal_scroll(phone, "landing page on a phone")
