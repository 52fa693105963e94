"""Keeping a result: the PDF download, the private link, deleting it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

SAVED_URL = re.compile(r"/r/[^/]+/$")


def download(page: Page, name: str) -> bytes:
    with page.expect_download() as info:
        page.locator(".result-actions").get_by_text("Download PDF", exact=True).click()
    pdf = info.value
    assert pdf.suggested_filename == "needlewise-result.pdf"
    data = Path(pdf.path()).read_bytes()
    assert data.startswith(b"%PDF"), f"{name}: not a PDF: {data[:20]!r}"
    assert len(data) > 5_000, f"{name}: only {len(data)} bytes"
    return data


@pytest.mark.parametrize("profile", ["home_ok", "stop"])
def test_the_result_downloads_as_a_pdf(app, profile) -> None:
    page = app.page()
    app.start(page)
    app.complete(page, profile)
    download(page, profile)
    # The page is still there after the download.
    assert app.tier(page) == profile


def test_save_open_download_and_delete_a_result(app) -> None:
    page = app.page()
    app.start(page)
    app.complete(page, "clinic")
    app.after(page, lambda: page.get_by_role("button", name="Save my result (private link)").click())
    expect(page).to_have_url(SAVED_URL)
    saved_url = page.url
    assert app.tier(page) == "clinic"
    expect(page.locator(".notice")).to_contain_text("This is your saved result")

    # The private link opens in a new browser, with no cookies: it is all it takes.
    other = app.page()
    response = other.goto(saved_url)
    assert response is not None
    assert response.status == 200
    assert response.headers["x-robots-tag"] == "noindex, nofollow"
    assert response.headers["cache-control"] == "no-store"
    assert app.tier(other) == "clinic"
    download(other, "saved result")

    app.after(other, lambda: other.get_by_role("button", name="Delete this saved result").click())
    expect(other.locator("h1")).to_have_text("Your saved result has been deleted")

    for url in (saved_url, f"{saved_url}pdf/"):
        response = page.goto(url)
        assert response is not None
        assert response.status == 404, url
        expect(page.locator("h1")).to_have_text("Page not found")
        expect(page.locator("[data-tier]")).to_have_count(0)
