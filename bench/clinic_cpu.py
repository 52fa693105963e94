"""CPU per view of the client page and the client search, in-process, on ``bench/clinic.py``'s data.

Where ``make bench-clinic`` measures latency through granian and wrk (which depends on everything else
the machine is doing), this counts what one view costs: the CPU time of this process (Django's WSGI
handler called directly, no test client), the CPU time of the PostgreSQL backend serving it (read
from ``/proc``, so the server must run on this machine), and with ``--profiled`` the Python function
calls per view (cProfile), a figure that does not move with the load. Same pages as the benchmark:
random active clients of the big clinic, and the benchmark's own mix of searches (seeded).

Run after ``bench/clinic.py --generate-only`` has made the data::

    PYTHONPATH=src .venv/bin/python bench/clinic_cpu.py [--views 300] [--profiled 200]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import clinic as bench


def _pages(kind: str, big: bench.BigClinic, count: int) -> list[str]:
    rng = random.Random(7)
    if kind == "page":
        return [f"/clinic/clients/{row[0]}/" for row in rng.sample(big.clients, count)]
    return [search.path for search in bench.searches(rng, big, count)]


def _getter(cookie: str) -> Callable[[str], None]:
    from django.core.handlers.wsgi import WSGIHandler  # noqa: PLC0415 - after Django is set up

    handler = WSGIHandler()

    def get(path: str) -> None:
        route, _, query = path.partition("?")
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": route,
            "QUERY_STRING": query,
            "SERVER_NAME": bench.HOST,
            "SERVER_PORT": "80",
            "HTTP_HOST": bench.HOST,
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_COOKIE": f"{bench.COOKIE}={cookie}",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""),
        }
        status: list[str] = []

        def start_response(line: str, headers: object, exc_info: object = None) -> None:
            del headers, exc_info
            status.append(line)

        body = b"".join(handler(environ, start_response))
        if not status[0].startswith("200"):
            msg = f"{path} answered {status[0]}: {body[:200]!r}"
            raise SystemExit(msg)

    return get


def _backend_cpu() -> Callable[[], float]:
    from django.db import connection  # noqa: PLC0415 - after Django is set up

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    # Keep this connection (and so this backend) for the whole run: with CONN_MAX_AGE (60 s) Django would
    # close it at the end of the first request after a minute, and a slow run would lose the backend it reads.
    connection.close_at = None
    ticks = os.sysconf("SC_CLK_TCK")

    def seconds() -> float:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / ticks

    return seconds


def measure(kind: str, get: Callable[[str], None], paths: list[str], profiled: int) -> dict[str, Any]:
    """Warm up, then the CPU per view of this process and of PostgreSQL, and the calls per view."""
    for path in paths[:20]:
        get(path)
    backend = _backend_cpu()
    times, started_backend, started = [], backend(), time.process_time()
    for path in paths[20:]:
        before = time.process_time()
        get(path)
        times.append(time.process_time() - before)
    views = len(times)
    figures: dict[str, Any] = {
        "kind": kind,
        "views": views,
        "app_median_ms": statistics.median(times) * 1e3,
        "app_mean_ms": (time.process_time() - started) / views * 1e3,
        "pg_mean_ms": (backend() - started_backend) / views * 1e3,
        "calls": None,
    }
    if profiled:
        profile = cProfile.Profile()
        profile.enable()
        for path in paths[20 : 20 + profiled]:
            get(path)
        profile.disable()
        stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
        figures["calls"] = sum(value[1] for value in stats.values()) / profiled
    return figures


def main() -> None:
    """Measure both pages and print one line each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--views", type=int, default=300)
    parser.add_argument("--profiled", type=int, default=200)
    parser.add_argument("--server-url", default=bench.DEFAULT_SERVER_URL)
    parser.add_argument("--database", default=bench.DEFAULT_DATABASE)
    options = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="nw-clinic-cpu-"))
    folder.chmod(0o700)
    bench.setup_django(bench.database_url(options.server_url, options.database), folder / "data")
    big = bench.load_big_clinic()
    keys = bench.create_sessions(big.nurse_id, 1)
    try:
        get = _getter(keys[0])
        print(f"load average before: {os.getloadavg()[0]:.1f}")
        for kind in ("page", "search"):
            paths = _pages(kind, big, options.views + 20)
            row = measure(kind, get, paths, options.profiled)
            calls = f", {row['calls']:,.0f} function calls a view" if row["calls"] else ""
            print(
                f"{'client page' if kind == 'page' else 'client search'}: {row['views']} views, CPU a view: "
                f"needlewise {row['app_median_ms']:.2f} ms median ({row['app_mean_ms']:.2f} mean), "
                f"PostgreSQL {row['pg_mean_ms']:.2f} ms mean{calls}"
            )
        print(f"load average after: {os.getloadavg()[0]:.1f}")
    finally:
        bench.delete_sessions(keys)


if __name__ == "__main__":
    main()
