"""The browser tests' app: the real server in a subprocess, chromium, and the moves a person makes.

Used by the browser tests' fixtures (``conftest.py``), their support modules, and ``tools/screenshots.py``
(``make screenshots``), which takes the docs' pictures of the same server in the same browser.
Imported as ``browser.app_support``.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from net_support import free_port

ROOT = Path(__file__).resolve().parents[2]
AXE_PATH = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_MISSING = "Debian chromium not installed: apt-get install chromium"
AXE_MISSING = f"axe-core not installed ({AXE_PATH.relative_to(ROOT)} missing): npm install"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 10_000
SERVER_START_SECONDS = 60
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING_IMPACTS = ("serious", "critical")

# Answers by question id; a question left out keeps the page's default (nothing ticked, the text
# empty): nothing is no answer, so a person with nothing to report says "None of these", "No" or
# "never". Checkbox answers are lists, procedures a {kind: weeks} dict.
NOTHING_TO_REPORT: dict[str, Any] = {
    "skin-now": ["none"],
    "pregnant": "no",
    "history": ["none"],
    "medications": ["none"],
    "isotretinoin": "never",
    "recent-procedures": ["none"],
    "products": ["none"],
}
HEALTHY: dict[str, Any] = {
    "setting": "home",
    "age": "30",
    **NOTHING_TO_REPORT,
    "goals": ["glow"],
    "areas": ["cheeks"],
    "device-kind": "roller",
    "needle-length": "0.25",
    "device-uses": "0",
    "device-shared": "no",
    "fitzpatrick": "2",
}
PROFILES: dict[str, dict[str, Any]] = {
    "home_ok": HEALTHY,
    "home_caution": {**HEALTHY, "needle-length": "0.5"},
    "clinic": {**HEALTHY, "goals": ["acne_scars"]},
    "medical_review": {**HEALTHY, "isotretinoin": "3"},
    "stop": {**HEALTHY, "skin-now": ["cold_sore"]},
}

# Where the page is: the question, how many answered and whether an error shows; or the result.
POSITION_JS = """() => {
  const form = document.querySelector('form.step');
  if (form) {
    const error = document.querySelector('.error') ? ':error' : '';
    return `question:${form.dataset.question}:${form.dataset.answered}${error}`;
  }
  const verdict = document.querySelector('[data-tier]');
  return verdict ? `result:${verdict.dataset.tier}` : `page:${location.pathname}`;
}"""
# <main> is replaced by every page load and every htmx swap: mark it, then wait for a new one.
MARK_STALE_JS = "() => { const main = document.querySelector('main'); if (main) main.dataset.stale = '1'; }"
FRESH_JS = """() => {
  const main = document.querySelector('main');
  const busy = document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling');
  return document.readyState !== 'loading' && main !== null && !main.dataset.stale && busy === null;
}"""
AXE_RUN_JS = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    targets: v.nodes.map((n) => n.target.join(' ')),
  }));
}"""


def chromium_path() -> str | None:
    """Debian's chromium, if installed."""
    found = shutil.which("chromium")
    if found:
        return found
    fallback = Path("/usr/bin/chromium")
    return str(fallback) if fallback.exists() else None


def missing(reason: str) -> None:
    """Skip, or fail when the environment requires the browser suite to run."""
    if os.environ.get("NEEDLEWISE_REQUIRE_BROWSER") == "1":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def healthy(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/api/v1/health", timeout=1) as response:  # noqa: S310 - our own http URL
            return bool(response.status == 200)
    except OSError:
        return False


def stop_process_group(process: subprocess.Popen[bytes]) -> None:
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        try:
            process.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue


class ServerDidNotStartError(RuntimeError):
    """``needlewise serve`` exited, or did not answer its health check in time; the message holds its log."""


@contextlib.contextmanager
def running_server(data: Path) -> Iterator[str]:
    """``needlewise serve`` on a free port, in its own process group, with ``data`` as its data folder.

    Yields the base URL once ``/api/v1/health`` answers; stops the whole process group on the way out.
    """
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        # Settings of the developer's own server stay out; the knowledge base is the tests' one.
        **{k: v for k, v in os.environ.items() if not k.startswith("NEEDLEWISE_") or k == "NEEDLEWISE_KNOWLEDGE_DIR"},
        "NEEDLEWISE_DATA_DIR": str(data),
        "NEEDLEWISE_RATE_LIMIT": "0",
        "NEEDLEWISE_PUBLIC_LIMITS": "0",
        "NEEDLEWISE_SECRET_KEY": "test",
    }
    command = [sys.executable, "-m", "needlewise", "serve", "--host", "127.0.0.1", "--port", str(port)]
    log_path = data / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 - fixed command, our own interpreter
            [*command, "--workers", "1"], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            deadline = time.monotonic() + SERVER_START_SECONDS
            while not healthy(base_url):
                if process.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    raise ServerDidNotStartError(log_path.read_text(errors="replace"))
                time.sleep(0.1)
            yield base_url
        finally:
            stop_process_group(process)


@contextlib.contextmanager
def launched_browser(chromium: str) -> Iterator[Browser]:
    """Debian's chromium (at ``chromium``) through Playwright, closed on the way out."""
    playwright = sync_playwright().start()
    try:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()
    finally:
        playwright.stop()


class App:
    """Browser contexts on the test server, and the moves a person makes on its pages."""

    profiles = PROFILES

    def __init__(self, browser: Browser, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.origin = urlsplit(base_url)[:2]
        self.contexts: list[tuple[BrowserContext, list[str]]] = []

    # -- contexts ---------------------------------------------------------------------------------

    def page(  # noqa: PLR0913 - each a keyword-only option of the browser context
        self,
        *,
        locale: str = "en-US",
        js: bool = True,
        axe: bool = False,
        width: int = 1280,
        height: int = 900,
        timezone_id: str | None = None,
    ) -> Page:
        """A page in a new context; ``axe=True`` lets axe-core be injected despite the strict CSP.

        ``timezone_id``: the browser's own IANA time zone (None: the machine's).
        """
        context = self.browser.new_context(
            base_url=self.base_url,
            locale=locale,
            timezone_id=timezone_id,
            java_script_enabled=js,
            bypass_csp=axe,
            viewport={"width": width, "height": height},
            accept_downloads=True,
        )
        context.set_default_timeout(TIMEOUT_MS)
        requests: list[str] = []
        context.on("request", lambda request: requests.append(request.url))
        self.contexts.append((context, requests))
        return context.new_page()

    def foreign_requests(self) -> list[str]:
        """Requests to anything but the test server (data: and blob: URLs are local)."""
        return [
            url
            for _, requests in self.contexts
            for url in requests
            if urlsplit(url).scheme not in {"data", "blob", "about"} and urlsplit(url)[:2] != self.origin
        ]

    def close(self) -> None:
        for context, _ in self.contexts:
            context.close()

    # -- moving through pages -----------------------------------------------------------------------

    @staticmethod
    def position(page: Page) -> str:
        return str(page.evaluate(POSITION_JS))

    @staticmethod
    def after(page: Page, action: Any) -> None:
        """Do ``action`` (a click, a key press) and wait for the next page, loaded or swapped in."""
        page.evaluate(MARK_STALE_JS)
        action()
        # A slow or loaded machine (CI) can take more than the default 10 s to answer a submit.
        page.wait_for_function(FRESH_JS, timeout=30_000)

    def submit(self, page: Page, button: str = "next") -> str:
        """Press Next (or Back) and return the new position."""
        self.after(page, lambda: page.click(f"form.step button[value={button}]"))
        return self.position(page)

    @staticmethod
    def question(page: Page) -> str:
        return page.locator("form.step").get_attribute("data-question") or ""

    @staticmethod
    def fill(page: Page, value: Any) -> None:
        """Give ``value`` as the answer to the question on the page; None keeps the page's default."""
        form = page.locator("form.step")
        if value is None:
            return
        if isinstance(value, dict):
            for kind, weeks in value.items():
                form.locator(f"#weeks-{kind}").fill(str(weeks))
        elif isinstance(value, list):
            boxes = form.locator("input[type=checkbox]")
            for box_value, checked in boxes.evaluate_all("(boxes) => boxes.map((b) => [b.value, b.checked])"):
                if checked != (box_value in value):
                    form.locator(f'input[type=checkbox][value="{box_value}"]').set_checked(not checked)
        elif form.locator("#answer-value").count():
            form.locator("#answer-value").fill(str(value))
        else:
            form.locator(f'input[type=radio][value="{value}"]').check()

    def answer(self, page: Page, question_id: str, value: Any) -> str:
        """Answer the question ``question_id`` (it must be the one shown) and return the new position."""
        expect(page.locator(f"form.step[data-question={question_id}]")).to_have_count(1)
        self.fill(page, value)
        return self.submit(page)

    def complete(self, page: Page, answers: dict[str, Any] | str, *, limit: int = 30) -> list[str]:
        """Answer every question asked until the result shows; the question ids asked, in order."""
        if isinstance(answers, str):
            answers = self.profiles[answers]
        asked: list[str] = []
        while (where := self.position(page)).startswith("question:"):
            assert ":error" not in where, f"an answer was refused: {where}: {page.locator('.error').inner_text()}"
            assert len(asked) < limit, f"no result after {limit} questions: {asked}"
            question_id = self.question(page)
            asked.append(question_id)
            self.fill(page, answers.get(question_id))
            self.submit(page)
        assert where.startswith("result:"), f"expected a result, got {where}"
        return asked

    def start(self, page: Page) -> None:
        page.goto("/assess/")
        expect(page.locator("form.step[data-question=setting][data-answered='0']")).to_have_count(1)

    @staticmethod
    def tier(page: Page) -> str:
        return page.locator("[data-tier]").get_attribute("data-tier") or ""

    # -- checks ---------------------------------------------------------------------------------------

    def axe(self, page: Page, label: str) -> list[dict[str, Any]]:
        """Run axe-core on the page; fail on any serious or critical violation. All violations found."""
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.add_script_tag(content=axe_source())
        violations: list[dict[str, Any]] = page.evaluate(AXE_RUN_JS, AXE_TAGS)
        blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
        assert not blocking, f"axe violations on {label} ({page.url}):\n" + describe(blocking)
        return violations

    @staticmethod
    def no_horizontal_scroll(page: Page, label: str) -> None:
        widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], f"{label} scrolls sideways: scrollWidth {widths[0]} > innerWidth {widths[1]}"


@functools.cache
def axe_source() -> str:
    if not AXE_PATH.exists():
        missing(AXE_MISSING)
    return AXE_PATH.read_text(encoding="utf-8")


def describe(violations: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"- {v['id']} [{v['impact']}]: {v['help']} ({v['helpUrl']})\n    " + "\n    ".join(v["targets"])
        for v in violations
    )
