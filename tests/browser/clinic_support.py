"""The clinic workspace on the browser tests' server: a clinic, its staff, signing in, clients, screenings.

The clinic and its owner are made with ``needlewise clinic create``, colleagues with a short Django
script, both in subprocesses pointed at the running server's data folder (SQLite in WAL mode lets
them write while the server runs). Imported by ``test_clinic.py`` as ``browser.clinic_support``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pyotp
import pytest
from playwright.sync_api import Locator, Page, expect

from browser.app_support import NOTHING_TO_REPORT

PASSWORD = "correct horse battery staple 42"  # noqa: S105 - the test accounts' password
TOTP_STEP_SECONDS = 30
SUBPROCESS_SECONDS = 60

# Signs in as the clinic's owner and gives each colleague (e-mail, name, role) the test password.
ADD_STAFF_SCRIPT = """
import sys

import django
import orjson

django.setup()

from needlewise.clinic.accounts import staff
from needlewise.clinic.access.actor import Actor
from needlewise.domain.permissions import Role
from needlewise.storage.models import StaffMember

spec = orjson.loads(sys.stdin.buffer.read())
owner = StaffMember.objects.get(user__username=spec["owner"])
actor = Actor.staff(owner.user_id, owner.clinic_id, Role.OWNER)
for email, name, role in spec["staff"]:
    member = staff.add_staff(actor, staff.NewStaff(email, name, Role(role)))
    member.user.set_password(spec["password"])
    member.user.save(update_fields=["password"])
"""

# The clinic screening's answers by question id (the setting is answered "clinic" already).
CLINIC_TIER_ANSWERS: dict[str, Any] = {
    **NOTHING_TO_REPORT,
    "goals": ["acne_scars"],
    "areas": ["cheeks"],
    "device-kind": "pen",
    "needle-length": "1.0",
    "device-sterile": "yes",
    "fitzpatrick": "2",
}
STOP_ANSWERS: dict[str, Any] = {
    **NOTHING_TO_REPORT,
    "pregnant": "yes",
    "goals": ["none"],
    "areas": ["none"],
    "device-kind": "undecided",
}

SIGNED_IN = re.compile(r"/clinic/(\?.*)?$")
SECOND_FACTOR = re.compile(r"/clinic/sign-in/(second-factor|code)/")
CLIENT_PAGE = re.compile(r"/clinic/clients/(\d+)/(#current)?$")


@dataclass
class Person:
    """A staff account; its TOTP secret once set up, and the last TOTP step used (each works once)."""

    email: str
    name: str
    role: str
    password: str = PASSWORD
    secret: str | None = None
    last_step: int = -1
    recovery_codes: list[str] = field(default_factory=list)

    def code(self) -> str:
        """A code the server has not accepted yet: this step's, else the next one's (one step of clock
        drift is allowed either way), else wait for the next step."""
        assert self.secret, f"{self.email} has not set up two-step sign-in"
        totp = pyotp.TOTP(self.secret)
        while True:
            now = time.time()
            current = int(now // TOTP_STEP_SECONDS)
            for step in (current, current + 1):
                if step > self.last_step:
                    self.last_step = step
                    return totp.at(step * TOTP_STEP_SECONDS)
            time.sleep((current + 1) * TOTP_STEP_SECONDS - now + 0.2)


@dataclass
class Clinic:
    """The test clinic: its public address, its staff (by a short key), the server's URL and data folder."""

    name: str
    city: str
    slug: str
    base_url: str
    data_dir: Path
    staff: dict[str, Person] = field(default_factory=dict)


def server_data_dir(basetemp: Path) -> Path:
    """The running test server's NEEDLEWISE_DATA_DIR (the ``server`` fixture's ``needlewise-data*``)."""
    # mktemp() makes needlewise-data0 and a needlewise-datacurrent link to it.
    found = sorted({path.resolve() for path in basetemp.glob("needlewise-data*") if (path / "server.log").exists()})
    assert len(found) == 1, f"expected one server data folder under {basetemp}, found {found}"
    return found[0]


def server_env(data_dir: Path) -> dict[str, str]:
    """The environment the ``server`` fixture gives the server, for commands on its data."""
    kept = {k: v for k, v in os.environ.items() if not k.startswith("NEEDLEWISE_") or k == "NEEDLEWISE_KNOWLEDGE_DIR"}
    return {
        **kept,
        "NEEDLEWISE_DATA_DIR": str(data_dir),
        "NEEDLEWISE_SECRET_KEY": "test",
        "DJANGO_SETTINGS_MODULE": "needlewise.web.settings",
    }


def run(command: list[str], data_dir: Path, stdin: bytes) -> str:
    done = subprocess.run(  # noqa: S603 - fixed commands, our own interpreter
        command, input=stdin, env=server_env(data_dir), capture_output=True, timeout=SUBPROCESS_SECONDS, check=False
    )
    output = (done.stdout + done.stderr).decode(errors="replace")
    assert done.returncode == 0, f"{command[:4]} failed ({done.returncode}):\n{output}"
    return output


#: The phone every browser-test clinic has (a clinic without one cannot record sessions).
CLINIC_PHONE = "+351 21 000 0000"


def create_clinic(data_dir: Path, name: str, city: str, owner: Person, owner_role: str = "") -> str:
    """``needlewise clinic create`` with the password on stdin (``owner_role``: a clinical role as well); the slug."""
    command = [sys.executable, "-m", "needlewise", "clinic", "create", "--name", name, "--city", city]
    command += ["--owner-email", owner.email, "--owner-name", owner.name, "--password-stdin"]
    command += ["--services", "Microneedling for acne scars and texture."]
    command += ["--phone", CLINIC_PHONE, "--address", f"1 Harbour Road, {city}", "--time-zone", "Europe/Lisbon"]
    command += ["--owner-role", owner_role] if owner_role else []
    output = run(command, data_dir, f"{PASSWORD}\n".encode())
    found = re.search(r"/clinics/([\w-]+)/", output)
    assert found, f"no public page address in: {output}"
    return found.group(1)


def add_staff(data_dir: Path, owner: Person, people: list[Person]) -> None:
    """Add colleagues as the owner would, each with the test password already chosen."""
    spec = {"owner": owner.email, "password": PASSWORD, "staff": [[p.email, p.name, p.role] for p in people]}
    run([sys.executable, "-c", ADD_STAFF_SCRIPT], data_dir, orjson.dumps(spec))


def own_clinic(
    server: str, basetemp: Path, place: tuple[str, str], staff: dict[str, Person], founder: Person
) -> Clinic:
    """A test module's own clinic (``place``: name, city); ``founder`` creates it and adds the rest of ``staff``."""
    name, city = place
    data_dir = server_data_dir(basetemp)
    slug = create_clinic(data_dir, name, city, founder)
    add_staff(data_dir, founder, [person for person in staff.values() if person is not founder])
    return Clinic(name, city, slug, server, data_dir, staff)


# -- signing in ----------------------------------------------------------------------------------------


def sign_in_in_any_language(page: Page, person: Person) -> None:
    """E-mail and password, then the code if asked, each sent with Enter (whatever the buttons say)."""
    page.goto("/clinic/sign-in/")
    page.fill("#f-email", person.email)
    page.fill("#f-password", person.password)
    page.press("#f-password", "Enter")
    expect(page).to_have_url(re.compile(f"{SIGNED_IN.pattern}|{SECOND_FACTOR.pattern}"))
    if SECOND_FACTOR.search(page.url):
        page.fill("#f-code", person.code())
        page.press("#f-code", "Enter")
    expect(page).to_have_url(SIGNED_IN)


def sign_in(app: Any, page: Page, person: Person, *, scan: bool = False) -> None:
    """E-mail and password, then (owners, providers) the second factor, set up the first time."""
    page.goto("/clinic/sign-in/")
    if scan:
        app.axe(page, "sign-in page")
    page.fill("#f-email", person.email)
    page.fill("#f-password", person.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(f"{SIGNED_IN.pattern}|{SECOND_FACTOR.pattern}"))
    if SECOND_FACTOR.search(page.url):
        second_factor(app, page, person, scan=scan)
    expect(page).to_have_url(SIGNED_IN)
    expect(page.locator("h1")).to_have_text("Workspace")


def second_factor(app: Any, page: Page, person: Person, *, scan: bool = False) -> None:
    """On the set-up page (QR code and key) or the code page: enter a fresh code."""
    if "/second-factor/" in page.url:
        expect(page.locator(".qr svg")).to_be_visible()
        person.secret = read_secret(page)
        person.last_step = -1
        if scan:
            app.axe(page, "two-step sign-in set-up")
        page.fill("#f-code", person.code())
        page.get_by_role("button", name="Turn on and continue").click()
        keep_recovery_codes(app, page, person, scan=scan)
    else:
        if scan:
            app.axe(page, "code page")
        page.fill("#f-code", person.code())
        page.get_by_role("button", name="Sign in").click()


RECOVERY_CODE = re.compile(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}")


def keep_recovery_codes(app: Any, page: Page, person: Person, *, scan: bool = False) -> None:
    """On the page shown once after setting up the second factor: note the ten codes, then continue."""
    expect(page.locator("h1")).to_have_text("Your recovery codes")
    person.recovery_codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(person.recovery_codes) == 10, person.recovery_codes
    assert all(RECOVERY_CODE.fullmatch(code) for code in person.recovery_codes), person.recovery_codes
    if scan:
        app.axe(page, "recovery codes")
    page.get_by_role("link", name="I have kept them: continue").click()


def read_secret(page: Page) -> str:
    """The TOTP key shown on the set-up page (in groups of four)."""
    grouped = page.locator("#totp-secret").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{4}( [A-Z2-7]{1,4})+", grouped), grouped
    return grouped.replace(" ", "")


def choose_password(app: Any, page: Page, link: str, password: str, clinic_name: str = "Lumen Skin") -> None:
    """Open a new colleague's set-password link, try a password that is too short, then choose ``password``."""
    page.goto(link)
    expect(page.locator("h1")).to_have_text("Choose your password")
    expect(page.locator("main")).to_contain_text(f"Welcome to {clinic_name}.")
    app.axe(page, "choose a password")
    for attempt in ("short", password):
        page.fill("#f-password", attempt)
        page.fill("#f-password-again", attempt)
        page.get_by_role("button", name="Save the password").click()
        if attempt != password:
            expect(page.locator(".error[role=alert]").first).to_contain_text("too short")
            app.axe(page, "choose a password with an error")
    expect(page).to_have_url(re.compile(r"/clinic/sign-in/\?reset=1$"))
    expect(page.locator(".notice[role=status]")).to_contain_text("Your password is changed.")


def sign_out(page: Page) -> None:
    page.locator("form.sign-out button").click()
    expect(page).to_have_url(re.compile(r"/clinic/sign-in/\?signed_out=1$"))


def tab_to(page: Page, selector: str, limit: int = 40) -> None:
    """Press Tab until the focused element matches ``selector``."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement?.matches(s) ?? false", selector):
            return
        page.keyboard.press("Tab")
    pytest.fail(f"Tab never reached {selector}")


# -- clients and screenings ------------------------------------------------------------------------------


def fill_client(page: Page, **values: str) -> None:
    """Type into the client form's fields by name (given_name, family_name, birth_date, phone...)."""
    for name, value in values.items():
        page.fill(f"#f-{name}", value)


def save_client(app: Any, page: Page) -> None:
    app.after(page, lambda: page.get_by_role("button", name="Save").click())


def add_client(app: Any, page: Page, given: str, family: str, birth: str = "1990-04-02") -> int:
    """Add a client through the form; their id (the client page is then shown)."""
    page.goto("/clinic/clients/new/")
    fill_client(page, given_name=given, family_name=family, birth_date=birth)
    save_client(app, page)
    expect(page).to_have_url(CLIENT_PAGE)
    expect(page.locator("h1")).to_have_text(f"{given} {family}")
    return client_id(page)


def client_id(page: Page) -> int:
    found = CLIENT_PAGE.search(page.url)
    assert found, f"not a client page: {page.url}"
    return int(found.group(1))


def fill_question(fieldset: Locator, value: Any) -> None:
    """Give ``value`` as the answer to one question of a staff screening page (see ``app.fill``)."""
    question_id = fieldset.get_attribute("data-question")
    if isinstance(value, dict):
        for kind, weeks in value.items():
            fieldset.locator(f"#{question_id}-weeks-{kind}").fill(str(weeks))
    elif isinstance(value, list):
        boxes = fieldset.locator("input[type=checkbox]")
        for box_value, checked in boxes.evaluate_all("(boxes) => boxes.map((b) => [b.value, b.checked])"):
            if checked != (box_value in value):
                fieldset.locator(f'input[type=checkbox][value="{box_value}"]').set_checked(not checked)
    elif fieldset.locator(f"#{question_id}-value").count():
        fieldset.locator(f"#{question_id}-value").fill(str(value))
    else:
        fieldset.locator(f'input[type=radio][value="{value}"]').check()


def screen(app: Any, page: Page, answers: dict[str, Any], *, scan: bool = False) -> list[str]:
    """From the client page: Screen now, answer every question of each page; the question ids, in order."""
    app.after(page, lambda: page.locator("a.button", has_text=re.compile("Screen now|Evaluar ahora")).click())
    asked: list[str] = []
    pages = 0
    while page.locator("form.screening-page").count():
        assert page.locator(".error").count() == 0, page.locator(".error").first.inner_text()
        assert pages < 4, f"no end after {pages} pages: {asked}"
        pages += 1
        if scan:
            app.axe(page, f"screening page {pages}")
        for fieldset in page.locator("form.screening-page fieldset.question").all():
            question_id = fieldset.get_attribute("data-question") or ""
            asked.append(question_id)
            if answers.get(question_id) is not None:
                fill_question(fieldset, answers[question_id])
        app.after(page, lambda: page.click("form.screening-page button[value=next]"))
    expect(page).to_have_url(CLIENT_PAGE)
    return asked


def screening_id(page: Page) -> int:
    """The latest screening's id, from the client page's history (newest first)."""
    href = page.locator("section[aria-labelledby=history-title] tbody a").first.get_attribute("href") or ""
    found = re.search(r"/clinic/screenings/(\d+)/", href)
    assert found, f"no screening link: {href!r}"
    return int(found.group(1))


# -- consultation requests ---------------------------------------------------------------------------------


def send_clinic_result(app: Any, clinic: Clinic, given: str, family: str, *, scan: bool = False) -> None:
    """A person gets a "clinic" result at home and sends it to the clinic, consenting the second time."""
    person = app.page(axe=scan)
    person.goto("/clinics/")
    card = person.locator(".clinic-list li", has_text=clinic.name)
    expect(card).to_contain_text(clinic.city)
    if scan:
        app.axe(person, "clinic directory")
    app.after(person, lambda: card.get_by_role("link", name=clinic.name).click())
    expect(person).to_have_url(re.compile(rf"/clinics/{clinic.slug}/$"))
    expect(person.locator("main")).to_contain_text("provider: 2")
    if scan:
        app.axe(person, "clinic's public page")

    app.start(person)
    app.complete(person, "clinic")
    assert app.tier(person) == "clinic"
    person.get_by_role("button", name="Choose a clinic").click()
    expect(person.locator("h1")).to_have_text("Send your result to a clinic")
    if scan:
        app.axe(person, "choose a clinic")
    person.get_by_role("button", name=f"Send to {clinic.name}").click()
    expect(person.locator("h1")).to_have_text(f"Send your result to {clinic.name}")
    expect(person.locator("#f-consent")).not_to_be_checked()
    if scan:
        app.axe(person, "consent page")
    person.fill("#f-given_name", given)
    person.fill("#f-family_name", family)
    person.fill("#f-birth_date", "1991-07-08")
    person.fill("#f-email", f"{given.lower()}@example.org")
    person.fill("#f-message", "Acne scars on both cheeks.")
    person.get_by_role("button", name="Send", exact=True).click()
    expect(person.locator("#consent-error")).to_contain_text("tick the box")
    expect(person.locator("#f-consent")).to_have_attribute("aria-invalid", "true")
    expect(person.locator("#f-given_name")).to_have_value(given)
    if scan:
        app.axe(person, "consent page with an error")
    person.check("#f-consent")
    person.get_by_role("button", name="Send", exact=True).click()
    expect(person.locator("h1")).to_have_text(f"Your result was sent to {clinic.name}")
    if scan:
        app.axe(person, "sent page")


def accept_request(app: Any, page: Page, name: str, *, scan: bool = False) -> None:
    """From the intake queue, open the request from ``name`` and make them a client."""
    page.goto("/clinic/intake/")
    expect(page.locator("h1")).to_have_text("Consultation requests")
    row = page.locator("table.records tbody tr", has_text=name)
    expect(row.locator(".badge")).to_have_text("Treat with these precautions")
    if scan:
        app.axe(page, "intake queue")
    app.after(page, lambda: row.get_by_role("link").click())
    expect(page.locator("h1")).to_have_text(f"Consultation request from {name}")
    expect(page.locator("dl.details")).to_contain_text("Acne scars on both cheeks.")
    expect(page.locator(".verdict.disposition-treat_with_precautions")).to_be_visible()
    if scan:
        app.axe(page, "intake request")
    app.after(page, lambda: page.get_by_role("button", name="Make them a client").click())
    expect(page).to_have_url(CLIENT_PAGE)
    expect(page.locator("h1")).to_have_text(name)
    expect(page.locator("#current")).to_contain_text("from the client's own request")
