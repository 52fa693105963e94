"""Web and API tests run through Django's test client; rate limiting is off unless a test turns it on."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.fixture(autouse=True)
def no_rate_limit(settings) -> None:
    settings.RATE_LIMIT_PER_MINUTE = 0


@pytest.fixture
def client() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en")
