"""Each role's workspace in a real browser: every page its menu offers, in English and Spanish, on a
desktop and on a phone, with axe-core (no serious or critical violation) and no sideways scrolling.

The clinic is a small one: its owner is also its nurse (one account, ``clinic create --owner-role
nurse``), with a receptionist (front desk) and a provider. Each role sees only the pages its
permissions give it, and the pages it sees answer in the language the browser asks for.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from browser.clinic_support import (
    Clinic,
    Person,
    add_client,
    add_staff,
    create_clinic,
    server_data_dir,
    sign_in,
)

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
LANGUAGE_COOKIE = "django_language"  # Django's default name; the workspace has no switcher of its own
SPANISH_MENU = {"Clientes", "Mi cuenta"}  # words of every role's menu in Spanish

# What each role's menu offers beyond the pages every role has (workspace, clients, my account).
MENU = {
    "nurse_owner": {"Schedule", "Alerts", "Re-screening", "Recall", "Consent", "Staff", "Audit log"},
    "front_desk": {"Schedule"},
    "provider": {"Alerts", "Re-screening", "Recall"},
}
# One client each, far apart (a similar name with the same birth date asks "the same person?" first).
CLIENTS = {
    "nurse_owner": ("Lúcia", "Ferreira-Gonçalves", "1988-03-14"),
    "front_desk": ("Tomasz", "Wójcik", "1975-11-02"),
    "provider": ("Đorđe", "Marković", "1993-07-29"),
}
NOT_IN_MENU = {
    "nurse_owner": set(),
    "front_desk": {"Alerts", "Re-screening", "Recall", "Consent", "Staff", "Audit log"},
    "provider": {"Staff", "Audit log"},
}

# The innermost elements past the screen's right edge that make the page itself scroll sideways (a
# table scrolling inside its own box does not).
WIDER_THAN_SCREEN_JS = """() => {
  const edge = document.documentElement.clientWidth;
  const right = (e) => Math.round(e.getBoundingClientRect().right);
  const boxed = (e) => {
    for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible') return true;
    }
    return false;
  };
  const past = [...document.body.querySelectorAll('*')].filter((e) => right(e) > edge + 1 && !boxed(e));
  const innermost = past.filter((e) => !past.some((o) => o !== e && e.contains(o)));
  const name = (e) => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '');
  return innermost.slice(0, 5).map((e) => `${name(e)} (${right(e)} px): ${e.textContent.trim().slice(0, 40)}`);
}"""


@pytest.fixture(scope="module")
def small_clinic(server: str, tmp_path_factory: pytest.TempPathFactory) -> Clinic:
    """A one-owner clinic whose owner is its nurse, with a receptionist and a provider."""
    data_dir = server_data_dir(Path(tmp_path_factory.getbasetemp()))
    owner = Person("solo@alba.example.org", "Sol Alba", "owner")
    slug = create_clinic(data_dir, "Alba Skin", "Braga", owner, owner_role="nurse")
    staff = {
        "nurse_owner": owner,
        "front_desk": Person("desk@alba.example.org", "Rita Reception", "front_desk"),
        "provider": Person("doctor@alba.example.org", "Dr Pedro Provider", "provider"),
    }
    add_staff(data_dir, owner, [staff["front_desk"], staff["provider"]])
    return Clinic("Alba Skin", "Braga", slug, server, data_dir, staff)


def _menu(page: Page) -> dict[str, str]:
    """The workspace menu's links: label -> path."""
    links = page.locator("nav[aria-label] a").evaluate_all(
        "(links) => links.map((a) => [a.textContent.trim(), new URL(a.href).pathname])"
    )
    return {label: path for label, path in links if path.startswith("/clinic/")}


def _visit(app, page: Page, path: str, label: str, *, phone: bool) -> None:
    response = page.goto(path)
    assert response is not None
    assert response.status == 200, f"{label}: {path} answered {response.status}"
    expect(page.locator("h1")).to_be_visible()
    app.axe(page, label)
    if phone:
        wide = page.evaluate(WIDER_THAN_SCREEN_JS)
        assert not wide, f"{label} scrolls sideways; past the screen's edge: {wide}"
        app.no_horizontal_scroll(page, label)


@pytest.mark.parametrize("role", ["nurse_owner", "front_desk", "provider"])
def test_each_role_sees_its_pages_in_both_languages_on_a_desktop_and_a_phone(app, small_clinic, role) -> None:
    person = small_clinic.staff[role]
    page = app.page(axe=True, **DESKTOP)
    sign_in(app, page, person)
    given, family, born = CLIENTS[role]
    client = add_client(app, page, given, family, born)
    page.goto("/clinic/")
    menu = _menu(page)
    assert MENU[role] <= set(menu), f"{role} menu lacks {MENU[role] - set(menu)}: {sorted(menu)}"
    assert not NOT_IN_MENU[role] & set(menu), f"{role} menu offers {NOT_IN_MENU[role] & set(menu)}"
    paths = sorted({*menu.values(), f"/clinic/clients/{client}/", "/clinic/clients/new/"})
    for lang in ("en", "es"):
        page.context.add_cookies([{"name": LANGUAGE_COOKIE, "value": lang, "url": small_clinic.base_url}])
        for size, phone in ((DESKTOP, False), (PHONE, True)):
            page.set_viewport_size(size)
            for path in paths:
                _visit(app, page, path, f"{path} as {role} ({lang}, {size['width']} px)", phone=phone)
                expect(page.locator("html")).to_have_attribute("lang", lang)
        if lang == "es":
            assert set(_menu(page)) >= SPANISH_MENU, sorted(_menu(page))


def test_the_nurse_owner_may_screen_a_client_and_the_receptionist_may_not(app, small_clinic) -> None:
    owner = app.page(**DESKTOP)
    sign_in(app, owner, small_clinic.staff["nurse_owner"])
    client = add_client(app, owner, "Iria", "Castro Núñez")
    expect(owner.locator("a.button", has_text="Screen now")).to_be_visible()

    desk = app.page(**DESKTOP)
    sign_in(app, desk, small_clinic.staff["front_desk"])
    desk.goto(f"/clinic/clients/{client}/")
    expect(desk.locator("h1")).to_have_text("Iria Castro Núñez")
    expect(desk.locator("a.button", has_text="Screen now")).to_have_count(0)
    response = desk.goto(f"/clinic/clients/{client}/screen/")
    assert response is not None
    assert response.status in {403, 404}, response.status
