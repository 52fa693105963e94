"""The clinic treatment path on the browser tests' server: consent, plans, sessions, check-ins, recall.

The moves a nurse (or the client, on their own phone) makes on the treatment pages, built on
``clinic_support`` (the clinic, its staff, signing in, screening). Imported by ``test_treatment.py``
as ``browser.treatment_support``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from PIL import Image, ImageDraw
from playwright.sync_api import Browser, Page, expect

from browser.app_support import App
from browser.clinic_support import (
    CLIENT_PAGE,
    CLINIC_TIER_ANSWERS,
    Clinic,
    add_client,
    fill_client,
    save_client,
    screen,
    sign_in,
)

LOT = "LOT-BROWSER-1"
PLAN_PAGE = re.compile(r"/clinic/plans/(\d+)/$")
SESSION_PAGE = re.compile(r"/clinic/sessions/(\d+)/\?recorded=1$")
CONSENT_DONE = re.compile(r"/clinic/clients/(\d+)/#consent$")
CONSENT_INTRO_EN = "Lumen Treatment Rooms offers professional microneedling with sterile single-use cartridges."
CONSENT_INTRO_ES = "Lumen Treatment Rooms ofrece microneedling profesional con cartuchos estériles de un solo uso."


def today() -> date:
    """The server's today (its time zone is UTC)."""
    return datetime.now(tz=UTC).date()


@dataclass(frozen=True)
class Cartridge:
    """What the practitioner reads off the device and the cartridge's pack."""

    lot: str
    serial: str
    expiry: date
    device_model: str = "Pen P4"
    device_kind: str = "pen"
    device_serial: str = "DEV-BROWSER-9"


def add_client_with_contact(  # noqa: PLR0913 - a client's details
    app: Any, page: Page, given: str, family: str, *, phone: str, email: str
) -> int:
    """Add a client with a phone number and e-mail (a recall lists both); their id."""
    page.goto("/clinic/clients/new/")
    fill_client(page, given_name=given, family_name=family, birth_date="1987-05-14", phone=phone, email=email)
    save_client(app, page)
    expect(page).to_have_url(CLIENT_PAGE)
    expect(page.locator("h1")).to_have_text(f"{given} {family}")
    found = CLIENT_PAGE.search(page.url)
    assert found, page.url
    return int(found.group(1))


def write_consent_version(app: Any, page: Page) -> None:
    """On the Consent page, save the clinic's first consent version (owners and providers)."""
    page.goto("/clinic/consent/")
    expect(page.locator("h1")).to_have_text("Consent versions")
    expect(page.locator(".notice.warning[role=status]")).to_contain_text("No consent version yet")
    app.axe(page, "consent versions, none yet")
    page.fill("#f-intro_en", CONSENT_INTRO_EN)
    page.fill("#f-intro_es", CONSENT_INTRO_ES)
    app.after(page, lambda: page.get_by_role("button", name="Save as a new version").click())
    expect(page).to_have_url(re.compile(r"/clinic/consent/\d+/$"))
    expect(page.locator("main")).to_contain_text(CONSENT_INTRO_EN)
    app.axe(page, "consent version")


def owner_writes_consent(browser: Browser, clinic: Clinic) -> list[str]:
    """The clinic's owner signs in (with two steps) and writes the first consent version; requests to other hosts."""
    owner = App(browser, clinic.base_url)
    try:
        page = owner.page(axe=True)
        sign_in(owner, page, clinic.staff["owner"])
        write_consent_version(owner, page)
    finally:
        owner.close()
    return owner.foreign_requests()


def draw_signature(page: Page) -> None:
    """Sign on the pad with the mouse: two strokes across the canvas."""
    canvas = page.locator("canvas[data-signature-canvas]")
    expect(canvas).to_be_visible()  # the pad's script shows it
    canvas.scroll_into_view_if_needed()  # the mouse works in the viewport only
    box = canvas.bounding_box()
    assert box is not None, "the signature canvas has no box"
    left, top, width, height = box["x"], box["y"], box["width"], box["height"]
    for stroke in ([(0.1, 0.6), (0.25, 0.3), (0.4, 0.7), (0.55, 0.35)], [(0.6, 0.5), (0.75, 0.65), (0.9, 0.4)]):
        x, y = stroke[0]
        page.mouse.move(left + x * width, top + y * height)
        page.mouse.down()
        for x, y in stroke[1:]:
            page.mouse.move(left + x * width, top + y * height, steps=8)
        page.mouse.up()
    data = page.locator("input[name=signature_data]").input_value()
    assert data.startswith("data:image/png;base64,"), f"the pad wrote no PNG: {data[:40]!r}"


def signed_paper_png() -> bytes:
    """A phone photo of a signed paper form, as small as one can be: a white page with a scrawl."""
    image = Image.new("RGB", (400, 300), "white")
    ImageDraw.Draw(image).line([(40, 220), (120, 180), (200, 240), (320, 190)], fill="black", width=4)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def write_plan(  # noqa: PLR0913 - the plan's facts
    app: Any, page: Page, client: int, *, goal: str, zones: dict[str, str], sessions: int, scan: bool = True
) -> int:
    """The new-plan form: one goal, a needle length per zone, the sessions planned; the plan's id."""
    page.goto(f"/clinic/clients/{client}/plans/new/")
    expect(page.locator("h1")).to_contain_text("New treatment plan for")
    if scan:
        app.axe(page, "new treatment plan form")
    page.check(f"#goal-{goal}")
    for zone, length in zones.items():
        page.fill(f"#f-zone-{zone}", length)
    page.fill("#f-sessions_planned", str(sessions))
    app.after(page, lambda: page.get_by_role("button", name="Save the plan").click())
    expect(page).to_have_url(PLAN_PAGE)
    found = PLAN_PAGE.search(page.url)
    assert found, page.url
    return int(found.group(1))


def fill_checks(page: Page, cartridge: Cartridge, *, cheeks: str = "1.0") -> None:
    """Step 1 of the session form, what the day's checks need: device, cartridge, needle length (the date
    and time stay as offered: now)."""
    page.fill("#f-device_model", cartridge.device_model)
    page.select_option("#f-device_kind", cartridge.device_kind)
    page.fill("#f-device_serial", cartridge.device_serial)
    page.fill("#f-cartridge_lot", cartridge.lot)
    page.fill("#f-cartridge_serial", cartridge.serial)
    page.fill("#f-cartridge_expiry", cartridge.expiry.isoformat())
    page.fill("#f-zone_cheeks", cheeks)


def fill_treatment(page: Page) -> None:
    """Step 2 of the session form, shown once the checks pass: passes and end-point."""
    page.fill("#f-passes", "3")
    page.fill("#f-end_point", "uniform erythema")


def record_session(app: Any, page: Page) -> None:
    """Press "Record the session" and wait for the answer (the session, or the form again)."""
    app.after(page, lambda: page.get_by_role("button", name="Record the session").click())


def check_session(app: Any, page: Page) -> list[str]:
    """Press "Run today's checks": the day's checks are listed; the explanations of those that failed."""
    app.after(page, lambda: page.get_by_role("button", name="Run today's checks").click())
    expect(page.locator("#checks-title")).to_have_text("Today's checks")
    return [text.removeprefix("✗").strip() for text in page.locator("#checks li.failed").all_inner_texts()]


def blocked_messages(page: Page) -> list[str]:
    """The reasons listed under "Do not treat: the session cannot go ahead"."""
    blocked = page.locator("#blocked[role=alert]")
    expect(blocked.locator("h2")).to_have_text("Do not treat: the session cannot go ahead")
    return [text.strip() for text in blocked.locator("li").all_inner_texts()]


def record_checked_session(app: Any, page: Page, cartridge: Cartridge) -> None:
    """Check, treat, record: step 1, the day's checks (they must pass), step 2, then "Record the session"."""
    fill_checks(page, cartridge)
    assert check_session(app, page) == []
    fill_treatment(page)
    record_session(app, page)


def checkin_links(page: Page) -> dict[int, str]:
    """The private check-in links of a session page, by day after the session, each shown on asking."""
    came_from = page.url
    days = [int(text) for text in page.locator("#checkins tbody tr td:first-child").all_inner_texts()]
    expect(page.locator("#checkins input[readonly]")).to_have_count(0)  # no link shown unless asked
    links: dict[int, str] = {}
    for day in days:
        page.locator(f"#checkin-{day}").get_by_role("link", name=f"Show link for day {day}").click()
        expect(page.locator("#checkins input[readonly]")).to_have_count(1)
        links[day] = page.locator(f"#checkin-{day} input[readonly]").input_value()
    page.goto(came_from)
    return links


def aftercare_short_links(page: Page) -> dict[int, str]:
    """The short check-in links printed on an aftercare sheet under their QR codes, by day."""
    links: dict[int, str] = {}
    for item in page.locator(".checkin-links li").all():
        day = int(item.locator("strong").inner_text().split()[-1])
        links[day] = item.locator("code.short-link").inner_text()
    return links


def sign_consent_drawn(page: Page, client: int, name: str) -> None:
    """The client signs the current consent version on the pad."""
    page.goto(f"/clinic/clients/{client}/consent/")
    page.fill("#f-typed_name", name)
    draw_signature(page)
    page.get_by_role("button", name="Record the signed consent").click()
    expect(page).to_have_url(CONSENT_DONE)


def treated_client(  # noqa: PLR0913 - a client's details and the cartridge
    app: Any, page: Page, given: str, family: str, cartridge: Cartridge, *, phone: str = ""
) -> dict[int, str]:
    """A client (with ``phone``, if given) screened, consented, planned (texture, cheeks 1.0 mm) and treated.

    Returns the session's check-in links by day.
    """
    if phone:
        client = add_client_with_contact(app, page, given, family, phone=phone, email="")
    else:
        client = add_client(app, page, given, family)
    screen(app, page, CLINIC_TIER_ANSWERS)
    sign_consent_drawn(page, client, f"{given} {family}")
    write_plan(app, page, client, goal="texture", zones={"cheeks": "1.0"}, sessions=3, scan=False)
    page.goto(f"/clinic/clients/{client}/sessions/new/")
    record_checked_session(app, page, cartridge)
    expect(page).to_have_url(SESSION_PAGE)
    return checkin_links(page)


def answer_checkin(page: Page, yes: Iterable[str] = (), not_sure: Iterable[str] = ()) -> None:
    """Every question on a check-in page answered: those in ``yes`` yes, ``not_sure`` not sure, the others no."""
    said = dict.fromkeys(yes, "yes") | dict.fromkeys(not_sure, "not_sure")
    for fieldset in page.locator("form fieldset.choices").all():
        key = (fieldset.get_attribute("id") or "").removeprefix("f-answer-")
        page.check(f"#q-{key}-{said.get(key, 'no')}")
