"""The API limit's windows: their arithmetic, and one count shared by threads and worker processes."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory

from needlewise.web import rate_windows
from needlewise.web.middleware import RateLimitMiddleware
from needlewise.web.rate_windows import RateWindows

SECRET = b"test secret"


@pytest.fixture
def windows(tmp_path: Path) -> RateWindows:
    table = RateWindows(tmp_path / "rate_windows", SECRET)
    yield table
    table.close()


def test_a_window_counts_to_the_limit_then_says_how_long_to_wait_and_resets_after_a_minute(windows) -> None:
    assert windows.hit("10.0.0.1", 2, 100.0) is None
    assert windows.hit("10.0.0.1", 2, 101.0) is None
    assert windows.hit("10.0.0.1", 2, 102.0) == 58
    assert windows.hit("10.0.0.1", 2, 159.5) == 1  # a refused request is not counted and never says 0
    assert windows.hit("10.0.0.2", 2, 102.0) is None  # another address has its own window
    assert windows.hit("10.0.0.1", 2, 160.0) is None  # the minute is over: a new window
    assert windows.hit("10.0.0.1", 2, 160.5) is None
    assert windows.hit("10.0.0.1", 2, 161.0) == 59


def test_the_file_is_private_and_holds_no_address(tmp_path: Path) -> None:
    path = tmp_path / "rate_windows"
    table = RateWindows(path, SECRET)
    table.hit("192.168.77.201", 5, 10.0)
    table.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.stat().st_size == rate_windows.FILE_SIZE
    data = path.read_bytes()
    assert b"192.168.77.201" not in data
    mine, theirs = RateWindows(path, SECRET), RateWindows(path, b"another secret")
    assert mine.digest("192.168.77.201") != theirs.digest("192.168.77.201")
    mine.close()
    theirs.close()


def test_a_smaller_table_left_by_an_older_version_is_grown(tmp_path: Path) -> None:
    path = tmp_path / "rate_windows"
    path.write_bytes(b"\0" * 100)
    RateWindows(path, SECRET).close()
    assert path.stat().st_size == rate_windows.FILE_SIZE


def test_a_window_started_before_a_reboot_does_not_count(windows) -> None:
    assert windows.hit("10.0.0.1", 1, 5_000.0) is None
    assert windows.hit("10.0.0.1", 1, 10.0) is None  # the clock is behind the stored start: a new boot


def test_addresses_that_share_a_first_slot_each_keep_their_count(windows, monkeypatch) -> None:
    monkeypatch.setattr(windows, "digest", lambda address: 7 + rate_windows.SLOTS * int(address))
    for address in ("1", "2", "3"):
        assert windows.hit(address, 2, 0.0) is None
    for address in ("1", "2", "3"):
        assert windows.hit(address, 2, 1.0) is None
        assert windows.hit(address, 2, 2.0) == 58


def test_a_full_neighbourhood_gives_up_its_oldest_window(windows, monkeypatch) -> None:
    monkeypatch.setattr(windows, "digest", lambda address: 3 + rate_windows.SLOTS * int(address))
    for number in range(rate_windows.PROBES):
        assert windows.hit(str(number + 1), 1, float(number)) is None
    newcomer = str(rate_windows.PROBES + 1)
    assert windows.hit(newcomer, 1, 40.0) is None  # took the slot of address "1", the oldest
    assert windows.hit(newcomer, 1, 41.0) == 59
    assert windows.hit("1", 1, 42.0) is None  # so "1" starts a fresh window (in the slot of "2", now the oldest)
    assert windows.hit("3", 1, 42.0) == 20  # the others keep theirs (address "3" started at 2.0)


def test_a_zero_digest_is_never_stored_as_empty(windows, monkeypatch) -> None:
    monkeypatch.setattr(rate_windows.hashlib, "blake2b", _ZeroDigest)
    assert windows.digest("anything") == 1


class _ZeroDigest:
    def __init__(self, *_args: object, **_kwargs: object) -> None:
        pass

    def digest(self) -> bytes:
        return bytes(8)


def test_threads_of_one_process_share_the_count(windows) -> None:
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _n: windows.hit("10.0.0.9", 50, 1.0), range(200)))
    assert answers.count(None) == 50


HIT_MANY = """
import sys
from pathlib import Path
from needlewise.web.rate_windows import RateWindows
table = RateWindows(Path(sys.argv[1]), b"test secret")
print(sum(table.hit("10.0.0.5", 120, 1.0) is None for _ in range(100)))
"""


def test_worker_processes_share_one_count(tmp_path: Path) -> None:
    path = tmp_path / "rate_windows"
    source = str(Path(rate_windows.__file__).parents[2])
    environment = {**os.environ, "PYTHONPATH": source}
    runs = [
        subprocess.Popen(  # noqa: S603 - this interpreter with our own script
            [sys.executable, "-c", HIT_MANY, str(path)], stdout=subprocess.PIPE, text=True, env=environment
        )
        for _ in range(3)
    ]
    allowed = [int(run.communicate(timeout=60)[0]) for run in runs]
    assert sum(allowed) == 120  # not 120 per process


def test_the_middleware_counts_api_requests_only_and_not_when_the_limit_is_off(settings, tmp_path: Path) -> None:
    settings.RATE_WINDOWS_FILE = tmp_path / "rate_windows"
    settings.RATE_LIMIT_PER_MINUTE = 1
    limiter = RateLimitMiddleware(lambda _request: HttpResponse("ok"))
    api = RequestFactory().get("/api/v1/health")
    assert limiter(api).status_code == 200
    refused = limiter(api)
    assert refused.status_code == 429
    assert b"at most 1 a minute" in refused.content
    assert limiter(RequestFactory().get("/")).status_code == 200
    assert RateLimitMiddleware(lambda _request: HttpResponse("ok")).windows is limiter.windows  # one per process
    settings.RATE_LIMIT_PER_MINUTE = 0
    assert RateLimitMiddleware(lambda _request: HttpResponse("ok")).windows is None


def test_two_servers_processes_on_one_file_allow_the_limit_once(settings, tmp_path: Path) -> None:
    settings.RATE_WINDOWS_FILE = tmp_path / "rate_windows"
    settings.RATE_LIMIT_PER_MINUTE = 2
    first, second = Client(), Client()  # each builds its own middleware, as each worker process does
    codes = [client.get("/api/v1/health").status_code for client in (first, second, first, second)]
    assert codes == [200, 200, 429, 429]
