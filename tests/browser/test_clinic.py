"""The clinic workspace in a real browser: signing in with two steps, clients, screenings, clearances,
roles, consultation requests from the public site, and axe-core on every clinic page on the way.

One clinic (made with ``needlewise clinic create``) and its staff serve the whole module; each test
adds the clients it needs, so the tests do not depend on one another's order.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from browser.clinic_support import (
    CLINIC_TIER_ANSWERS,
    PASSWORD,
    SIGNED_IN,
    STOP_ANSWERS,
    Clinic,
    Person,
    accept_request,
    add_client,
    choose_password,
    client_id,
    fill_client,
    keep_recovery_codes,
    own_clinic,
    read_secret,
    save_client,
    screen,
    screening_id,
    send_clinic_result,
    sign_in,
    sign_out,
    tab_to,
)

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def today():
    """The server's today (its time zone is UTC)."""
    return datetime.now(tz=UTC).date()


@pytest.fixture(scope="module")
def clinic(server: str, tmp_path_factory: pytest.TempPathFactory) -> Clinic:
    """A clinic on the test server: the owner who made it, and colleagues with their password chosen.

    Each test that checks a first sign-in (the set-up of the second factor) has its own account, so
    the tests pass in any order; the others sign in however far their account is.
    """
    founder = Person("founder@lumen.example.org", "Olivia Founder", "owner")
    staff = {
        "founder": founder,  # test_the_owner_sets_up_two_step_sign_in_then_signs_in_with_a_code only
        "owner": Person("owner@lumen.example.org", "Omar Owner", "owner"),
        "provider": Person("provider@lumen.example.org", "Dr Paula Provider", "provider"),
        "keyboard": Person("keys@lumen.example.org", "Dr Kim Keys", "provider"),  # the keyboard test only
        "nurse": Person("nurse@lumen.example.org", "Nora Nurse", "nurse"),
        "front_desk": Person("desk@lumen.example.org", "Frank Desk", "front_desk"),
    }
    return own_clinic(server, Path(tmp_path_factory.getbasetemp()), ("Lumen Skin", "Porto"), staff, founder)


def test_the_owner_sets_up_two_step_sign_in_then_signs_in_with_a_code(app, clinic) -> None:
    owner = clinic.staff["founder"]
    page = app.page(axe=True)
    page.goto("/clinic/sign-in/")
    app.axe(page, "sign-in page")
    page.fill("#f-email", owner.email)
    page.fill("#f-password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # First sign-in: the set-up page, with a QR code and the key typed out.
    expect(page).to_have_url(re.compile(r"/clinic/sign-in/second-factor/"))
    expect(page.locator("h1")).to_have_text("Set up two-step sign-in")
    expect(page.locator(".qr svg")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{4}( [A-Z2-7]{4})+", secret), secret
    owner.secret, owner.last_step = secret.replace(" ", ""), -1
    app.axe(page, "two-step sign-in set-up")
    page.fill("#f-code", "12345")
    page.get_by_role("button", name="Turn on and continue").click()
    expect(page.locator(".error[role=alert]")).to_contain_text("does not match")
    expect(page.locator("#totp-secret")).to_have_text(secret)  # the same key, to try again
    app.axe(page, "two-step sign-in set-up with an error")
    page.fill("#f-code", owner.code())
    page.get_by_role("button", name="Turn on and continue").click()
    keep_recovery_codes(app, page, owner, scan=True)
    expect(page).to_have_url(SIGNED_IN)
    expect(page.locator("h1")).to_have_text("Workspace")
    app.axe(page, "workspace home (owner)")

    sign_out(page)
    expect(page.locator(".notice[role=status]")).to_have_text("You are signed out.")
    app.axe(page, "sign-in page after signing out")

    # Later sign-ins ask for the code only.
    page.fill("#f-email", owner.email)
    page.fill("#f-password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/clinic/sign-in/code/"))
    expect(page.locator("#totp-secret")).to_have_count(0)
    app.axe(page, "code page")
    page.fill("#f-code", "12345")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".error[role=alert]")).to_contain_text("not right")
    app.axe(page, "code page with an error")
    page.fill("#f-code", owner.code())
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(SIGNED_IN)
    expect(page.locator("h1")).to_have_text("Workspace")


def test_adding_a_client_shows_errors_then_saves(app, clinic) -> None:
    page = app.page(axe=True)
    sign_in(app, page, clinic.staff["nurse"], scan=True)
    app.axe(page, "workspace home (nurse)")
    app.after(page, lambda: page.get_by_role("link", name="Add a client").click())
    expect(page.locator("h1")).to_have_text("Add a client")
    app.axe(page, "client form")
    # A blank family name (spaces pass the browser's check) and a birth date in the future.
    fill_client(
        page,
        given_name="Maria",
        family_name="  ",
        birth_date="2999-01-01",
        phone="+351 912 345 678",
        email="maria@example.org",
    )
    save_client(app, page)
    expect(page.locator("p.error[role=alert]")).to_have_text("Please correct the fields marked below.")
    expect(page.locator("#f-family_name")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#f-family_name-error-1")).to_have_text("this field is required")
    expect(page.locator("#f-birth_date")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#f-birth_date")).to_have_attribute("aria-describedby", re.compile("f-birth_date-error-1"))
    expect(page.locator("#f-given_name")).to_have_value("Maria")  # what was typed is kept
    expect(page.locator("#f-phone")).to_have_value("+351 912 345 678")
    app.axe(page, "client form with errors")

    page.fill("#f-family_name", "Sousa")
    page.fill("#f-birth_date", "1988-11-23")
    save_client(app, page)
    expect(page).to_have_url(re.compile(r"/clinic/clients/\d+/$"))
    expect(page.locator("h1")).to_have_text("Maria Sousa")
    expect(page.locator("dl.details")).to_contain_text("1988-11-23")
    expect(page.locator("#current .notice[role=status]")).to_contain_text("Not screened yet.")
    app.axe(page, "client page, not screened")

    # Found by the client search.
    page.goto("/clinic/clients/?q=sou")
    expect(page.locator("table.records")).to_contain_text("Sousa, Maria")
    app.axe(page, "clients list with results")
    response = page.goto("/clinic/clients/?birth_date=1988-02-31")
    assert response is not None
    assert response.status == 422
    expect(page.locator("#f-birth-error")).to_have_text("Enter the date as YYYY-MM-DD.")
    app.axe(page, "clients list with a date error")
    page.goto("/clinic/clients/?q=nobody-like-this")
    expect(page.locator("main")).to_contain_text("No clients found.")
    app.axe(page, "clients list, nothing found")


def test_a_nurse_screens_a_client_and_the_client_page_shows_the_tier(app, clinic) -> None:
    page = app.page(axe=True)
    sign_in(app, page, clinic.staff["nurse"])
    add_client(app, page, "Ana", "Costa")
    asked = screen(app, page, CLINIC_TIER_ANSWERS, scan=True)
    assert asked[0] == "skin-now", f"the setting and the age (date of birth) are known already: {asked}"
    assert "setting" not in asked
    assert "age" not in asked
    assert "device-sterile" in asked
    assert "device-uses" not in asked  # a home-only question
    expect(page.locator("h1")).to_have_text("Ana Costa")
    expect(page.locator("#current .verdict.disposition-treat_with_precautions")).to_be_visible()
    expect(page.locator("#current .tier-label")).to_have_text("Clinic disposition")
    expect(page.locator("#current .verdict h3")).to_have_text("Treat with these precautions")
    expect(page.locator("#current")).to_contain_text("by Nora Nurse")
    expect(page.locator("#current .blocked")).to_have_count(0)
    expect(page.locator("#current .finding").first).to_be_visible()
    history = page.locator("section[aria-labelledby=history-title] tbody tr")
    expect(history).to_have_count(1)
    expect(history.first.locator(".badge")).to_have_text("Treat with these precautions")
    app.axe(page, "client page, screened (clinic)")

    # The stored screening, exactly as assessed.
    client_url = page.url
    page.goto(f"/clinic/screenings/{screening_id(page)}/")
    expect(page.locator(".verdict.disposition-treat_with_precautions")).to_be_visible()
    app.axe(page, "stored screening")

    # A wrong answer while screening: the message is tied to the question.
    page.goto(client_url)
    app.after(page, lambda: page.get_by_role("link", name="Screen now").click())
    page.fill("#isotretinoin-value", "abc")
    app.after(page, lambda: page.click("form.screening-page button[value=next]"))
    expect(page.locator(".error-summary[role=alert]")).to_be_visible()
    expect(page.locator("#isotretinoin-error")).to_be_visible()
    expect(page.locator("#q-isotretinoin")).to_have_attribute("aria-describedby", "isotretinoin-error")
    expect(page.locator("#isotretinoin-value")).to_have_value("abc")
    app.axe(page, "screening page with errors")


def test_a_provider_clears_a_stop_result(app, clinic) -> None:
    page = app.page(axe=True)
    sign_in(app, page, clinic.staff["provider"])
    add_client(app, page, "Beatriz", "Lima")
    asked = screen(app, page, STOP_ANSWERS)
    assert asked[-1] == "device-kind", f"a stop ends the screening after its page: {asked}"
    assert "fitzpatrick" not in asked
    expect(page.locator("#current .verdict.disposition-do_not_treat")).to_be_visible()
    blocked = page.locator("#current .blocked[role=alert]")
    expect(blocked).to_contain_text("Treatment is blocked.")
    app.axe(page, "client page, blocked (stop)")

    app.after(page, lambda: blocked.get_by_role("link", name="Record a clearance").click())
    expect(page).to_have_url(re.compile(r"/clinic/screenings/\d+/clear/$"))
    expect(page.locator("h1")).to_have_text("Record a clearance")
    expect(page.locator("#f-cleared_on")).to_have_value(today().isoformat())
    app.axe(page, "clearance form")
    # Too short a reason, and an expiry before the clearance.
    page.fill("#f-reason", "Looks fine.")
    page.fill("#f-expires_on", (today() - timedelta(days=1)).isoformat())
    app.after(page, lambda: page.get_by_role("button", name="Record the clearance").click())
    expect(page.locator("#f-reason")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#f-reason-error-1")).to_contain_text("at least 20 characters")
    expect(page.locator("#f-expires_on")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#f-reason")).to_have_value("Looks fine.")
    app.axe(page, "clearance form with errors")

    expires = (today() + timedelta(days=60)).isoformat()
    reason = "Delivered in March; not breastfeeding. Discussed risks; cheeks only, 0.5 mm."
    page.fill("#f-reason", reason)
    page.fill("#f-expires_on", expires)
    app.after(page, lambda: page.get_by_role("button", name="Record the clearance").click())
    expect(page).to_have_url(re.compile(r"/clinic/clients/\d+/"))
    cleared = page.locator("#current .notice[role=status]")
    expect(cleared).to_contain_text("Cleared by a provider")
    expect(cleared).to_contain_text("Dr Paula Provider")
    expect(cleared).to_contain_text(expires)
    expect(page.locator("#current .blocked")).to_have_count(0)
    expect(page.locator("section[aria-labelledby=clearances-title] li")).to_contain_text(reason)
    app.axe(page, "client page, cleared")


def test_the_front_desk_sees_no_health_details_and_may_not_clear(app, clinic) -> None:
    # A nurse screens a client to a stop; only a provider may clear it.
    nurse = app.page()
    sign_in(app, nurse, clinic.staff["nurse"])
    client = add_client(app, nurse, "Carla", "Dias")
    screen(app, nurse, STOP_ANSWERS)
    expect(nurse.locator("#current .blocked")).to_contain_text("Only a provider (MD, DO or NP) can record it.")
    expect(nurse.get_by_role("link", name="Record a clearance")).to_have_count(0)
    screening = screening_id(nurse)

    page = app.page(axe=True)
    sign_in(app, page, clinic.staff["front_desk"], scan=True)  # no second factor for the front desk
    app.axe(page, "workspace home (front desk)")
    page.goto(f"/clinic/clients/{client}/")
    expect(page.locator("h1")).to_have_text("Carla Dias")
    expect(page.locator("#current .notice")).to_have_text(
        "Screening results are part of the health record and are shown to clinical staff only."
    )
    for hidden in (".verdict", ".blocked", ".finding", "#history-title", "#clearances-title"):
        expect(page.locator(hidden)).to_have_count(0)
    expect(page.get_by_role("link", name="Screen now")).to_have_count(0)
    expect(page.get_by_role("link", name="Record a clearance")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text("stop")
    expect(page.locator("main")).not_to_contain_text("pregnan")
    app.axe(page, "client page (front desk)")

    for path in (f"/clinic/screenings/{screening}/clear/", f"/clinic/screenings/{screening}/"):
        response = page.goto(path)
        assert response is not None
        assert response.status == 403, f"{path}: {response.status}"
        expect(page.locator("h1")).to_have_text("Your role does not allow this")
        expect(page.locator(".verdict")).to_have_count(0)
        app.axe(page, f"403 page for {path}")
    expect(page.get_by_role("link", name="Back to the workspace")).to_be_visible()


def test_the_owners_pages_and_a_colleague_choosing_a_password_from_the_welcome_link(app, clinic) -> None:
    page = app.page(axe=True)
    sign_in(app, page, clinic.staff["owner"])
    nav = page.get_by_role("navigation", name="Clinic")
    owner_pages = [
        ("Staff", "Staff"),
        ("Requests", "Consultation requests"),
        ("Re-screening", None),
        ("My account", None),
        ("Audit log", "Audit log"),  # its axe scan: test_the_pages_with_wide_tables_pass_axe
    ]
    for link, heading in owner_pages:
        app.after(page, lambda link=link: nav.get_by_role("link", name=link).click())
        if heading:
            expect(page.locator("h1")).to_have_text(heading)
        if link != "Audit log":
            app.axe(page, f"{link} (owner)")
    expect(page.locator("table.records tbody")).to_contain_text("sign_in")
    page.goto("/clinic/settings/")
    app.axe(page, "the clinic's settings")

    page.goto("/clinic/staff/")
    # Spaces for a name (the browser's own check lets them through) and a taken e-mail address.
    page.fill("#f-display_name", "   ")
    page.fill("#f-email", clinic.staff["nurse"].email)
    page.select_option("#f-role", "aesthetician")
    app.after(page, lambda: page.get_by_role("button", name="Add", exact=True).click())
    expect(page.locator("p.error[role=alert]")).to_have_text("Please correct the fields marked below.")
    expect(page.locator("#f-display_name")).to_have_attribute("aria-invalid", "true")
    app.axe(page, "staff page with errors")

    email = "ines@lumen.example.org"
    page.fill("#f-display_name", "Inês Aesthete")
    page.fill("#f-email", email)
    page.select_option("#f-role", "aesthetician")
    app.after(page, lambda: page.get_by_role("button", name="Add", exact=True).click())
    expect(page.locator(".notice[role=status]")).to_contain_text("Inês Aesthete was added")
    expect(page.locator("tr", has_text=email)).to_contain_text("aesthetician")
    two_step = {clinic.staff["owner"].email: "on", email: "off"}
    column = page.locator("thead").first.locator("th").all_inner_texts().index("Two-step sign-in")
    for address, state in two_step.items():
        expect(page.locator("tr", has_text=address).locator("td").nth(column)).to_have_text(state)

    # No mail server is set up: the owner is shown the one-time link to choose a password (never logged).
    link = page.locator("#invite-link").input_value()
    assert link.startswith(f"{clinic.base_url}/clinic/password-reset/"), link
    colleague = app.page(axe=True)
    ines = Person(email, "Inês Aesthete", "aesthetician", password="a quiet harbour at dawn 7")  # noqa: S106
    choose_password(app, colleague, link, ines.password)
    sign_in(app, colleague, ines)  # every role sets up two-step sign-in
    nav = colleague.get_by_role("navigation", name="Clinic")
    expect(nav.get_by_role("link", name="Clients")).to_be_visible()
    expect(nav.get_by_role("link", name="Staff")).to_have_count(0)
    expect(nav.get_by_role("link", name="Requests")).to_have_count(0)
    # The link worked once only.
    expired = app.page()
    expired.goto(link)
    expect(expired.locator(".error[role=alert]")).to_contain_text("not valid any more")


def test_a_consumer_sends_a_clinic_result_and_a_nurse_makes_them_a_client(app, clinic) -> None:
    send_clinic_result(app, clinic, "Diana", "Reis", scan=True)

    page = app.page(axe=True)
    sign_in(app, page, clinic.staff["nurse"])
    expect(page.get_by_role("link", name=re.compile(r"consultation requests? (is|are) waiting"))).to_be_visible()
    nav = page.get_by_role("navigation", name="Clinic")
    app.after(page, lambda: nav.get_by_role("link", name="Requests").click())
    expect(page.locator("table.records tbody tr", has_text="Diana Reis")).to_have_count(1)
    accept_request(app, page, "Diana Reis", scan=True)
    expect(page.locator("dl.details")).to_contain_text("1991-07-08")
    expect(page.locator("dl.details")).to_contain_text("diana@example.org")
    expect(page.locator("#current .verdict")).to_be_visible()
    app.axe(page, "client page from a consultation request")
    accepted = client_id(page)

    page.goto("/clinic/intake/?status=accepted")
    app.after(page, lambda: page.locator("tr", has_text="Diana Reis").get_by_role("link").click())
    expect(page.locator("dd", has_text="accepted")).to_be_visible()
    expect(page.get_by_role("button", name="Make them a client")).to_have_count(0)
    app.after(page, lambda: page.get_by_role("link", name="Open the client").click())
    assert client_id(page) == accepted
    page.goto("/clinic/intake/")
    expect(page.locator("table.records tbody tr", has_text="Diana Reis")).to_have_count(0)


def test_an_accepted_clinic_result_keeps_its_tier(app, clinic) -> None:
    send_clinic_result(app, clinic, "Elena", "Rocha")
    page = app.page()
    sign_in(app, page, clinic.staff["nurse"])
    accept_request(app, page, "Elena Rocha")
    expect(page.locator("#current .finding", has_text="sterile and single-use")).to_have_count(0)
    expect(page.locator("#current .verdict.disposition-treat_with_precautions")).to_be_visible()
    expect(page.locator("#current .blocked")).to_have_count(0)


def test_signing_in_with_the_keyboard_alone(app, clinic) -> None:
    """A provider: password, setting up the second factor, signing out, and the code page."""
    person = clinic.staff["keyboard"]
    page = app.page()
    page.goto("/clinic/sign-in/")

    def password_step() -> None:
        tab_to(page, "#f-email")
        page.keyboard.type(person.email)
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.id") == "f-password"
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Enter")

    password_step()
    expect(page).to_have_url(re.compile(r"/clinic/sign-in/second-factor/"))
    person.secret = read_secret(page)
    person.last_step = -1
    tab_to(page, "#f-code")
    page.keyboard.type(person.code())
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Your recovery codes")
    tab_to(page, "a.button.primary")
    page.keyboard.press("Enter")
    expect(page).to_have_url(SIGNED_IN)
    expect(page.locator("h1")).to_have_text("Workspace")

    tab_to(page, "form.sign-out button")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/clinic/sign-in/\?signed_out=1$"))
    password_step()
    expect(page).to_have_url(re.compile(r"/clinic/sign-in/code/"))
    expect(page.locator("#f-code")).to_be_focused()  # the only field has the focus already
    page.keyboard.type(person.code())
    page.keyboard.press("Enter")
    expect(page).to_have_url(SIGNED_IN)
    expect(page.locator("h1")).to_have_text("Workspace")
    expect(page.locator("#f-q")).to_be_focused()


def test_the_client_page_on_a_phone(app, clinic) -> None:
    page = app.page(axe=True, **PHONE)
    sign_in(app, page, clinic.staff["nurse"])
    app.no_horizontal_scroll(page, "workspace home on a phone")
    add_client(app, page, "Eva", "Marques")
    app.axe(page, "client page on a phone, not screened")
    app.no_horizontal_scroll(page, "client page on a phone, not screened")
    screen(app, page, STOP_ANSWERS, scan=True)
    expect(page.locator("#current .blocked")).to_be_visible()
    app.axe(page, "client page on a phone, blocked")
    app.no_horizontal_scroll(page, "client page on a phone, blocked")
    page.goto("/clinic/clients/")
    app.axe(page, "clients list on a phone")
    app.no_horizontal_scroll(page, "clients list on a phone")


def test_the_pages_with_wide_tables_pass_axe(app, clinic) -> None:
    """The audit log (wider than a laptop screen) and the staff page's role table on a phone."""
    page = app.page(axe=True)
    sign_in(app, page, clinic.staff["owner"])
    problems = []
    for label, size, path in [
        ("audit log", {"width": 1280, "height": 900}, "/clinic/audit/"),
        ("audit log on a phone", PHONE, "/clinic/audit/"),
        ("staff page on a phone", PHONE, "/clinic/staff/"),
    ]:
        page.set_viewport_size(size)
        page.goto(path)
        try:
            app.axe(page, label)
        except AssertionError as failed:
            problems.append(str(failed).split("\nassert ")[0])
    assert not problems, "\n".join(problems)


def test_the_audit_log_filters_names_people_and_downloads_its_csv(app, clinic) -> None:
    """The owner narrows the log to their own reads, sees names beside ids, and saves the CSV as a file."""
    page = app.page(axe=True)
    owner = clinic.staff["owner"]
    sign_in(app, page, owner)
    page.goto("/clinic/audit/")
    expect(page.locator("tbody tr").first).to_contain_text(owner.name)
    page.select_option("#f-person", label=owner.name)
    page.fill("#f-action", "read")
    page.fill("#f-from", today().isoformat())
    app.after(page, lambda: page.get_by_role("button", name="Show", exact=True).click())
    rows = page.locator("tbody tr")
    expect(rows.first).to_contain_text(owner.name)
    for cells in rows.all():
        expect(cells.locator("td").nth(3)).to_have_text("read")
    app.axe(page, "audit log, filtered")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    assert download.value.suggested_filename == "needlewise-audit.csv"
    exported = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert exported
    assert {line["action"] for line in exported} == {"read"}
    assert "action=read" in page.url  # the filter has its own address
    page.set_viewport_size(PHONE)
    app.axe(page, "audit log, filtered, on a phone")


def test_the_owner_chooses_the_clinics_time_zone_from_the_keyboard_and_without_javascript(app, clinic) -> None:
    """The time zone is a select grouped by region: typing a place's name on it chooses it; it is kept when saved."""
    page = app.page(axe=True)
    sign_in(app, page, clinic.staff["owner"])
    page.goto("/clinic/settings/")
    zone = page.locator("#f-time_zone")
    before = zone.input_value()  # put back at the end: the other tests read days on the clinic's clock
    tab_to(page, "#f-time_zone")
    page.keyboard.type("Auckland")  # a closed select: typing a place's name chooses it
    expect(zone).to_have_value("Pacific/Auckland")
    tab_to(page, "main form button.primary")
    app.after(page, lambda: page.keyboard.press("Enter"))
    expect(page.locator(".notice[role=status]")).to_have_text("Saved.")
    expect(zone).to_have_value("Pacific/Auckland")
    app.axe(page, "the clinic's settings, a zone chosen")

    plain = app.page(js=False)
    sign_in(app, plain, clinic.staff["owner"])
    plain.goto("/clinic/settings/")
    expect(plain.locator("#f-time_zone")).to_have_value("Pacific/Auckland")
    plain.locator("#f-time_zone").select_option(before)
    plain.locator("main form button.primary").click()
    expect(plain.locator(".notice[role=status]")).to_have_text("Saved.")
    expect(plain.locator("#f-time_zone")).to_have_value(before)
    assert app.foreign_requests() == []
