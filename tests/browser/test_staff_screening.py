"""The staff screening in a real browser: a nurse on a phone, in English and in Spanish, with axe-core.

The age comes from the date of birth on file, the questions come a page at a time (two pages), each
with its "Not sure", and the result is read as a clinic disposition with no consumer wording.
Screenshots of each page are left in the test's temporary folder (``screen-<lang>-*.png``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from browser.clinic_support import (
    CLIENT_PAGE,
    CLINIC_TIER_ANSWERS,
    Clinic,
    Person,
    add_client,
    fill_question,
    own_clinic,
    sign_in,
)

PHONE = {"width": 390, "height": 844}
WORDS = {
    "en": {
        "age": "age 36, from the date of birth on file",
        "not_sure": "Not sure",
        "page": "Page 2",
        "disposition": "Treat with these precautions",
        "check": "Check with the client",
    },
    "es": {
        "age": "36 años, según la fecha de nacimiento registrada",
        "not_sure": "No estoy seguro/a",
        "page": "Página 2",
        "disposition": "Tratar con estas precauciones",
        "check": "Comprueba con el cliente",
    },
}
CONSUMER = re.compile(r"Do not try to reach it at home|No intentes conseguirlo en casa|home caution|Because:|goals = ")


@pytest.fixture(scope="module")
def clinic(server: str, tmp_path_factory: pytest.TempPathFactory) -> Clinic:
    founder = Person("founder@alba.example.org", "Alba Founder", "owner")
    staff = {"founder": founder, "nurse": Person("nurse@alba.example.org", "Nerea Nurse", "nurse")}
    return own_clinic(server, Path(tmp_path_factory.getbasetemp()), ("Alba Derma", "Sevilla"), staff, founder)


def _check_page(app, page: Page, label: str, shots: Path) -> None:
    app.axe(page, label)
    app.no_horizontal_scroll(page, label)
    assert not CONSUMER.search(page.locator("main").inner_text()), label
    page.screenshot(path=shots / f"{label.replace(' ', '-')}.png", full_page=True)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_nurse_screens_a_client_on_a_phone_in_two_pages(app, clinic, tmp_path: Path, lang: str) -> None:
    page = app.page(axe=True, **PHONE)
    sign_in(app, page, clinic.staff["nurse"])
    add_client(app, page, "Inés" if lang == "en" else "Lucía", "Moreno" if lang == "en" else "Ferrer", "1990-04-02")
    page.set_extra_http_headers({"Accept-Language": lang})
    words = WORDS[lang]
    app.after(page, lambda: page.locator("a.button.primary[href$='/screen/']").click())

    # Page 1: no setting or age question (the age is the date of birth's), "Not sure" where it is an answer.
    form = page.locator("form.screening-page")
    expect(form).to_have_attribute("data-page", "1")
    expect(page.locator("main")).to_contain_text(words["age"])
    expect(page.locator("fieldset[data-question=age], fieldset[data-question=setting]")).to_have_count(0)
    expect(page.locator("#q-pregnant")).to_contain_text(words["not_sure"])
    expect(page.locator("#q-skin-now")).to_contain_text(words["not_sure"])
    _check_page(app, page, f"screen {lang} page 1", tmp_path)
    asked = []
    for _ in range(2):
        for fieldset in page.locator("form.screening-page fieldset.question").all():
            question_id = fieldset.get_attribute("data-question") or ""
            asked.append(question_id)
            fill_question(fieldset, {**CLINIC_TIER_ANSWERS, "fitzpatrick": "4"}[question_id])
        app.after(page, lambda: page.click("form.screening-page button[value=next]"))
        if page.locator("form.screening-page").count():
            expect(page.locator("main")).to_contain_text(words["page"])
            _check_page(app, page, f"screen {lang} page 2", tmp_path)
    assert len(asked) == 13, asked

    # The client page: the clinic disposition and what to check, in the page's language.
    expect(page).to_have_url(CLIENT_PAGE)
    current = page.locator("#current")
    expect(current.locator(".verdict h3")).to_have_text(words["disposition"])
    expect(current).to_contain_text(words["check"])
    _check_page(app, page, f"screen {lang} result", tmp_path)
