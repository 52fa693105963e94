"""Consent to be contacted and the unsubscribe link in a real browser (issue 14).

The front desk adds a client who agrees to e-mails (the new-client form's box, from the keyboard),
reads the answer on the client's page, records from the keyboard that the client does not want SMS
(told by phone), and the page is read again on a phone in Spanish; axe-core on each page. The client
then follows the unsubscribe link of an e-mail, without JavaScript, and the client's page shows the
withdrawal as the client's own.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from browser.app_support import App
from browser.clinic_support import Clinic, Person, own_clinic, run, sign_in, sign_in_in_any_language, tab_to

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
LINK_SCRIPT = """
import sys
import django
django.setup()
from needlewise.clinic.contact.unsubscribe import token
from needlewise.domain.statuses import Channel
print(token(int(sys.stdin.read()), Channel.EMAIL))
"""


@pytest.fixture(scope="module")
def clinic(server: str, tmp_path_factory: pytest.TempPathFactory, browser: Browser) -> Clinic:
    """A clinic of its own: an owner and a front desk."""
    del browser
    founder = Person("founder@contacta.example.org", "Celia Founder", "owner")
    staff = {"owner": founder, "front_desk": Person("desk@contacta.example.org", "Dora Desk", "front_desk")}
    return own_clinic(server, Path(tmp_path_factory.getbasetemp()), ("Contacta Skin", "Porto"), staff, founder)


def _row(page: Page, channel: str) -> Locator:
    return page.locator(f'tr[data-channel="{channel}"]')


def _add_client_who_agrees_to_e_mails(app: App, desk: Page) -> int:
    """The new-client form, its e-mail box ticked from the keyboard; the client's id."""
    desk.goto("/clinic/clients/new/")
    desk.fill("#f-given_name", "Olga")
    desk.fill("#f-family_name", "Mensajera")
    desk.fill("#f-birth_date", "1991-02-03")
    desk.fill("#f-email", "olga@example.org")
    desk.fill("#f-phone", "+351 912 345 678")
    app.axe(desk, "new client form")
    tab_to(desk, "#f-agrees_email")
    desk.keyboard.press("Space")
    expect(desk.locator("#f-agrees_email")).to_be_checked()
    desk.get_by_role("button", name="Save").click()
    expect(desk).to_have_url(re.compile(r"/clinic/clients/(\d+)/$"))
    client_id = int(re.search(r"/clinic/clients/(\d+)/", desk.url).group(1))  # type: ignore[union-attr]
    expect(_row(desk, "email")).to_contain_text("Yes")
    expect(_row(desk, "email")).to_contain_text("in person")
    expect(_row(desk, "email")).to_contain_text("Dora Desk")
    expect(_row(desk, "sms")).to_contain_text("not asked yet")
    app.axe(desk, "client page with consent to contact")
    return client_id


def _record_no_sms_by_phone(desk: Page, client_id: int) -> None:
    """The client's answer recorded from the keyboard: no SMS, told by phone."""
    tab_to(desk, "#f-contact-channel-email")  # the radio group: arrows move within it
    desk.keyboard.press("ArrowRight")
    expect(desk.locator("#f-contact-channel-sms")).to_be_checked()
    tab_to(desk, "#f-contact-granted-1")
    desk.keyboard.press("ArrowRight")
    expect(desk.locator("#f-contact-granted-0")).to_be_checked()
    tab_to(desk, "#f-contact-method")
    desk.locator("#f-contact-method").select_option("by_phone")
    tab_to(desk, "#contact button[type=submit]")
    desk.keyboard.press("Enter")
    expect(desk).to_have_url(re.compile(rf"/clinic/clients/{client_id}/#contact$"))
    expect(_row(desk, "sms")).to_contain_text("No")
    expect(_row(desk, "sms")).to_contain_text("by phone")


def test_the_front_desk_records_what_the_client_says_and_the_client_unsubscribes(app: App, clinic: Clinic):
    desk = app.page(axe=True)
    sign_in(app, desk, clinic.staff["front_desk"])
    client_id = _add_client_who_agrees_to_e_mails(app, desk)
    _record_no_sms_by_phone(desk, client_id)

    spanish = app.page(locale="es-ES", axe=True, **PHONE)
    sign_in_in_any_language(spanish, clinic.staff["front_desk"])
    spanish.goto(f"/clinic/clients/{client_id}/")
    expect(spanish.locator("#contact-title")).to_have_text("Mensajes al cliente")
    expect(_row(spanish, "sms")).to_contain_text("por teléfono")
    app.axe(spanish, "client page (es, phone)")
    app.no_horizontal_scroll(spanish, "client page (es, phone)")

    token = run([sys.executable, "-c", LINK_SCRIPT], clinic.data_dir, str(client_id).encode()).strip().splitlines()[-1]
    reader = app.page(axe=True)
    reader.goto(f"/unsubscribe/{token}/")
    expect(reader.locator("h1")).to_have_text("Stop e-mails from Contacta Skin?")
    app.axe(reader, "unsubscribe page")
    no_js = app.page(js=False)
    no_js.goto(f"/unsubscribe/{token}/")
    tab_to(no_js, "main button[type=submit]")
    no_js.keyboard.press("Enter")
    expect(no_js.locator("h1")).to_have_text("You will get no more e-mails from Contacta Skin")
    expect(no_js.locator("main a[href^='tel:']")).to_be_visible()

    desk.goto(f"/clinic/clients/{client_id}/")
    expect(_row(desk, "email")).to_contain_text("No")
    expect(_row(desk, "email")).to_contain_text("the client")
    expect(_row(desk, "email")).to_contain_text("by the unsubscribe link of an e-mail")
    assert app.foreign_requests() == []
