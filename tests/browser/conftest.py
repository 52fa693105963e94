"""Browser tests: the real server in a subprocess, driven by Debian's chromium through Playwright.

Every test gets ``app``: it opens browser contexts against the test server, records every request
they make (a page may load nothing from any other origin, checked when the test ends), and knows
how to walk the questionnaire and run axe-core. The server, the browser and ``App`` are in
``app_support.py`` (``make screenshots`` uses them too).

Without chromium the tests skip, or fail when ``NEEDLEWISE_REQUIRE_BROWSER=1`` (as in CI).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from browser.app_support import (
    CHROMIUM_MISSING,
    App,
    ServerDidNotStartError,
    chromium_path,
    launched_browser,
    missing,
    running_server,
)


@pytest.fixture(scope="session")
def chromium() -> str:
    path = chromium_path()
    if path is None:
        missing(CHROMIUM_MISSING)
    assert path is not None
    return path


@pytest.fixture(scope="session")
def browser(chromium: str) -> Iterator[Browser]:
    with launched_browser(chromium) as launched:
        yield launched


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``needlewise serve`` on a free port, in its own process group, with a fresh data folder."""
    try:
        with running_server(tmp_path_factory.mktemp("needlewise-data")) as base_url:
            yield base_url
    except ServerDidNotStartError as error:
        pytest.fail(f"the server did not start:\n{error}", pytrace=False)


@pytest.fixture
def app(browser: Browser, server: str) -> Iterator[App]:
    application = App(browser, server)
    try:
        yield application
    finally:
        application.close()
    foreign = application.foreign_requests()
    assert not foreign, "pages made requests to other origins:\n" + "\n".join(foreign)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: end-to-end tests in chromium against a running server")
