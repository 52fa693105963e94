"""The Messages page in a real browser: an owner sees what the clinic sent, finds a failed message and resends it.

One clinic of its own (an owner, a nurse and a front desk) and two invitation e-mails asked for through the
message queue, as the Staff page asks when a mail server is set up (the test server has none, so its
worker hands them to the log and marks them sent). The owner
opens the Messages page, in English at 1280 px and in Spanish on a phone: addresses masked, no message
text, the table within the screen, axe-core on each page. One invitation is then marked failed in the
database (as the worker marks a message after its last attempt): the banner on every workspace page
tells the owner, the filter finds it from the keyboard, and "Resend" queues it again. Nurses and the
front desk never see the page.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from browser.app_support import App
from browser.clinic_support import Clinic, Person, own_clinic, run, sign_in, sign_in_in_any_language

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
QUEUE_INVITATIONS = """
import sys
import django
django.setup()
from needlewise import bootstrap
from needlewise.services.ports import OutboundMessage
from needlewise.storage.models import Clinic
clinic = Clinic.objects.get(slug=sys.stdin.read().strip())
for address in ("nurse@quillon.example.org", "desk@quillon.example.org"):
    bootstrap.message_sender().send(
        OutboundMessage((address,), "Quillon Skin invited you", "Choose your password: https://example.org/x",
                        purpose="invitation", key=f"browser-invitation:{address}", clinic_id=clinic.pk)
    )
"""


@pytest.fixture(scope="module")
def clinic(server: str, tmp_path_factory: pytest.TempPathFactory, browser: Browser) -> Clinic:
    """A clinic of its own: its messages are only this module's."""
    del browser
    founder = Person("founder@quillon.example.org", "Quentin Founder", "owner")
    staff = {
        "owner": founder,
        "nurse": Person("nurse@quillon.example.org", "Nadia Nurse", "nurse"),
        "front_desk": Person("desk@quillon.example.org", "Dario Desk", "front_desk"),
    }
    made = own_clinic(server, Path(tmp_path_factory.getbasetemp()), ("Quillon Skin", "Braga"), staff, founder)
    run([sys.executable, "-c", QUEUE_INVITATIONS], made.data_dir, made.slug.encode())
    return made


def _fail_one(clinic: Clinic, address: str) -> int:
    """Mark the clinic's message to ``address`` as failed for good, as the worker does after its last try."""
    with contextlib.closing(sqlite3.connect(clinic.data_dir / "needlewise.sqlite3")) as db:
        rows = db.execute("SELECT id, recipients FROM queued_message ORDER BY id").fetchall()
        found = [row_id for row_id, recipients in rows if address in recipients]
        assert found, rows
        db.execute(
            "UPDATE queued_message SET status = 'failed', attempts = 7, last_error = 'SMTPRecipientsRefused 550' "
            "WHERE id = ?",
            [found[-1]],
        )
        db.commit()
    return found[-1]


def _open_messages(app: App, page: Page, label: str) -> None:
    page.goto("/clinic/messages/")
    app.axe(page, label)
    app.no_horizontal_scroll(page, label)


def test_an_owner_sees_the_messages_finds_a_failed_one_and_resends_it(app: App, clinic: Clinic, tmp_path: Path):
    owner = app.page(axe=True)
    sign_in(app, owner, clinic.staff["owner"])
    _open_messages(app, owner, "messages (en)")
    table = owner.locator("table")
    expect(table).to_contain_text("n…@quillon.example.org")  # masked: first letter and domain
    expect(table).to_contain_text("d…@quillon.example.org")
    expect(table).not_to_contain_text("nurse@quillon.example.org")
    expect(owner.locator(".failed-messages-banner, .message-banner")).to_have_count(0)

    failed = _fail_one(clinic, "nurse@quillon.example.org")
    owner.goto("/clinic/")
    banner = owner.get_by_role("link", name=re.compile("Messages", re.IGNORECASE)).first
    expect(banner).to_be_visible()
    expect(owner.locator("body")).to_contain_text(re.compile("could not be sent|failed", re.IGNORECASE))

    owner.goto("/clinic/messages/")  # the filter, from the keyboard
    owner.locator("#f-status").focus()
    owner.keyboard.press("End")  # the last status listed: failed
    owner.locator("#f-status").select_option("failed")
    owner.locator("#f-status").press("Tab")
    owner.keyboard.press("Enter")
    expect(owner).to_have_url(re.compile(r"status=failed"))
    rows = owner.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("the mail server refused the address (code 550)")
    owner.screenshot(path=tmp_path / "messages-failed-en.png", full_page=True)
    owner.get_by_role("button", name="Resend").click()
    expect(owner).to_have_url(re.compile(rf"resent={failed}"))
    expect(owner.get_by_role("status")).to_contain_text("queued again")
    expect(owner.locator("tbody tr[data-status=failed]")).to_have_count(0)


def test_the_messages_page_on_a_phone_in_spanish(app: App, clinic: Clinic, tmp_path: Path):
    owner = app.page(locale="es-ES", axe=True, **PHONE)
    sign_in_in_any_language(owner, clinic.staff["owner"])
    _open_messages(app, owner, "messages (es, phone)")
    expect(owner.get_by_role("heading", level=1)).to_have_text("Mensajes")
    body = owner.locator("main")
    expect(body).to_contain_text("invitación")
    for english in ("invitation", "queued", "Status", "Resend"):
        expect(body).not_to_contain_text(english)
    owner.screenshot(path=tmp_path / "messages-es-phone.png", full_page=True)


@pytest.mark.parametrize("role", ["nurse", "front_desk"])
def test_only_owners_open_the_messages_page(app: App, clinic: Clinic, role: str):
    page = app.page()
    sign_in(app, page, clinic.staff[role])
    response = page.goto("/clinic/messages/")
    assert response is not None
    assert response.status == 403
    expect(page.locator("nav")).not_to_contain_text("Messages")
