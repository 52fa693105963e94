"""Screenshots of the main pages for docs/screenshots/, taken only when NEEDLEWISE_SCREENSHOTS=1."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        os.environ.get("NEEDLEWISE_SCREENSHOTS") != "1", reason="set NEEDLEWISE_SCREENSHOTS=1 to refresh the images"
    ),
]

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
MAX_BYTES = 400_000


def shoot(page: Page, name: str, max_height: int = 6000) -> None:
    """A full-page PNG, cut at ``max_height`` px so that each image stays small."""
    OUT.mkdir(parents=True, exist_ok=True)
    page.evaluate("() => document.activeElement?.blur()")  # no focus ring in the picture
    size = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    png = page.screenshot(
        full_page=True,
        clip={"x": 0, "y": 0, "width": size[0], "height": min(size[1], max_height)},
        animations="disabled",
        caret="hide",
    )
    # A 256-colour palette keeps text sharp and the files several times smaller.
    path = OUT / f"{name}.png"
    with Image.open(io.BytesIO(png)) as image:
        image.convert("RGB").quantize(colors=256, dither=Image.Dither.NONE).save(path, optimize=True)
    assert path.stat().st_size < MAX_BYTES, f"{path.name} is {path.stat().st_size} bytes"


def test_screenshots(app) -> None:
    page = app.page(width=1024, height=768)
    pages = (("landing", "/", 6000), ("sources", "/sources/", 2400), ("claims", "/claims/", 4000))
    for name, path, max_height in pages:
        page.goto(path)
        shoot(page, name, max_height)

    app.start(page)
    app.answer(page, "setting", "home")
    app.answer(page, "age", "30")
    shoot(page, "question-step")

    for tier in ("home_ok", "stop", "clinic"):
        page.goto("/assess/")
        app.complete(page, tier)
        shoot(page, f"result-{tier.replace('_', '-')}")

    spanish = app.page(width=1024, height=768, locale="es-ES")
    app.start(spanish)
    app.complete(spanish, "home_ok")
    shoot(spanish, "result-spanish")

    phone = app.page(width=390, height=844)
    app.start(phone)
    app.complete(phone, "home_ok")
    shoot(phone, "result-phone")
