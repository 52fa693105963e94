"""Web and API tests run through Django's test client; rate limits are off unless a test turns them on."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.fixture(autouse=True)
def no_rate_limit(settings, tmp_path) -> None:
    settings.RATE_LIMIT_PER_MINUTE = 0
    settings.RATE_WINDOWS_FILE = tmp_path / "rate_windows"  # a test that turns the limit on counts from zero
    settings.PUBLIC_LIMITS = {name: (0, seconds) for name, (_, seconds) in settings.PUBLIC_LIMITS.items()}


@pytest.fixture
def client() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en")
