"""Refresh the screenshots in docs/screenshots/ (``make screenshots``).

Starts ``needlewise serve`` and Debian's chromium exactly as the browser tests do (with
``tests/browser/app_support.py``: a free port, a fresh data folder, the rate limit off), then takes
full-page pictures of the landing, sources and claims pages, a question, three results, a Spanish
result and a result on a phone. Each picture is cut at a height of its own and saved with a
256-colour palette, which keeps text sharp and the files small; a file of 400 kB or more is an error.

Run with ``uv run python tools/screenshots.py [--out FOLDER]``; the exit status is 1 when chromium
is missing, the server does not start, a page loads anything from another origin or a file is too large.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
from pathlib import Path

from PIL import Image
from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the browser tests' support code, imported as browser.app_support

from browser.app_support import (  # noqa: E402 - needs the line above
    CHROMIUM_MISSING,
    App,
    ServerDidNotStartError,
    chromium_path,
    launched_browser,
    running_server,
)

OUT = ROOT / "docs" / "screenshots"
MAX_BYTES = 400_000
WIDTH, HEIGHT = 1024, 768
PHONE_WIDTH, PHONE_HEIGHT = 390, 844


def shoot(page: Page, path: Path, max_height: int = 6000) -> int:
    """Save a full-page PNG of ``page`` at ``path``, cut at ``max_height`` px; its size in bytes."""
    page.evaluate("() => document.activeElement?.blur()")  # no focus ring in the picture
    size = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    png = page.screenshot(
        full_page=True,
        clip={"x": 0, "y": 0, "width": size[0], "height": min(size[1], max_height)},
        animations="disabled",
        caret="hide",
    )
    with Image.open(io.BytesIO(png)) as image:
        image.convert("RGB").quantize(colors=256, dither=Image.Dither.NONE).save(path, optimize=True)
    return path.stat().st_size


def take(app: App, out: Path) -> list[tuple[str, int]]:
    """Take every picture into ``out``; (file name, size in bytes) for each, in order."""
    taken: list[tuple[str, int]] = []

    def save(page: Page, name: str, max_height: int = 6000) -> None:
        taken.append((f"{name}.png", shoot(page, out / f"{name}.png", max_height)))

    page = app.page(width=WIDTH, height=HEIGHT)
    pages = (("landing", "/", 6000), ("sources", "/sources/", 2400), ("claims", "/claims/", 4000))
    for name, path, max_height in pages:
        page.goto(path)
        save(page, name, max_height)

    app.start(page)
    app.answer(page, "setting", "home")
    app.answer(page, "age", "30")
    save(page, "question-step")

    for tier in ("home_ok", "stop", "clinic"):
        page.goto("/assess/")
        app.complete(page, tier)
        save(page, f"result-{tier.replace('_', '-')}")

    spanish = app.page(width=WIDTH, height=HEIGHT, locale="es-ES")
    app.start(spanish)
    app.complete(spanish, "home_ok")
    save(spanish, "result-spanish")

    phone = app.page(width=PHONE_WIDTH, height=PHONE_HEIGHT)
    app.start(phone)
    app.complete(phone, "home_ok")
    save(phone, "result-phone")
    return taken


def main(argv: list[str] | None = None) -> int:
    """Take the pictures and list them; 1 when something went wrong (said on stderr), else 0."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"folder for the PNG files (default: {OUT})")
    args = parser.parse_args(argv)
    chromium = chromium_path()
    if chromium is None:
        print(f"error: {CHROMIUM_MISSING}", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="needlewise-screenshots-") as data:
        try:
            with running_server(Path(data)) as base_url, launched_browser(chromium) as browser:
                app = App(browser, base_url)
                try:
                    taken = take(app, args.out)
                finally:
                    app.close()
                foreign = app.foreign_requests()
        except ServerDidNotStartError as error:
            print(f"error: the server did not start:\n{error}", file=sys.stderr)
            return 1
    for name, size in taken:
        print(f"{args.out / name}  {size:>9,} bytes")
    problems = [f"{name} is {size:,} bytes (at most {MAX_BYTES - 1:,})" for name, size in taken if size >= MAX_BYTES]
    problems += [f"a page loaded {url}, which is not the app's" for url in foreign]
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
