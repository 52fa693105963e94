"""The limiter's window arithmetic, without a server."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from needlewise.web.middleware import RateLimitMiddleware


def test_window_resets_after_a_minute_and_forgets_old_addresses(settings, monkeypatch) -> None:
    settings.RATE_LIMIT_PER_MINUTE = 3
    monkeypatch.setenv("NEEDLEWISE_WORKERS", "2")
    limiter = RateLimitMiddleware(lambda _request: HttpResponse("ok"))
    assert limiter.limit == 2  # each of 2 workers allows half of 3, rounded up
    assert limiter._retry_after("a", 0.0) is None
    assert limiter._retry_after("a", 1.0) is None
    assert limiter._retry_after("a", 2.0) == 58
    assert limiter._retry_after("a", 60.5) is None
    monkeypatch.setattr("needlewise.web.middleware.MAX_TRACKED_ADDRESSES", 1)
    limiter._retry_after("b", 200.0)
    assert set(limiter._windows) == {"b"}
    assert isinstance(HttpRequest(), HttpRequest)
