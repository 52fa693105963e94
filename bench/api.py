"""HTTP benchmark of the JSON API: ``POST /api/v1/assessments`` against the server's trivial floor.

Run with ``uv run python bench/api.py [--workers N] [--connections C] [--duration S] [--rounds R]``.

It starts ``needlewise serve`` (granian, WSGI, exactly the production settings of ``serve``: no debug)
on a free port of 127.0.0.1 in its own process group, with a temporary data folder and the rate limit
off, waits for ``GET /api/v1/health``, checks that a valid profile gets 200 with a ``tier`` and an
invalid one (age 400) gets 422, then loads both endpoints with ``wrk --latency -t1 -cC -dS``:

* ``POST /api/v1/assessments`` with one fixed Profile v1 (a Lua script sets the method, body and
  ``Content-Type: application/json``);
* ``GET /api/v1/health``: the trivial endpoint of the same server, the framework's floor.

Each endpoint gets a warm-up, then the measured rounds alternate between the two endpoints so that
drift on a shared machine hits both alike; requests/s, p50 and p99 are the means over the rounds.
wrk runs on the same machine, so it takes part of the same CPUs as the server.

A last, short run restarts the server with the default rate limit (``NEEDLEWISE_RATE_LIMIT`` unset:
120 a minute per address) and counts 200 and 429 answers, with one ``Retry-After`` value.

The server is stopped (its whole process group) on every exit path. The exit status is 1 when a
check fails (server start, the 200/422 answers, non-2xx answers or socket errors while timing, the
rate limiter not answering 429) or wrk is missing; missed performance targets are printed as FAIL
without changing the exit status.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from types import FrameType
from typing import Self

HOST = "127.0.0.1"
ASSESSMENTS = "/api/v1/assessments"
HEALTH = "/api/v1/health"
PROFILE: dict[str, object] = {
    "setting": "home",
    "age": 34,
    "goals": ["glow"],
    "areas": ["cheeks"],
    "device": {"kind": "roller", "needle_mm": 0.25, "uses": 3},
}
INVALID_PROFILE: dict[str, object] = {**PROFILE, "age": 400}

TARGET_RPS = 2_000.0
TARGET_P99_MS = 25.0
TARGET_RATIO = 0.6

START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 10.0
WRK_GRACE_S = 15.0

POST_LUA = """wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [==[{body}]==]
"""

# Counts the answers by status and keeps the first Retry-After (one wrk thread: -t1).
STATUS_LUA = """wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [==[{body}]==]
local threads = {{}}
function setup(thread)
  table.insert(threads, thread)
end
function init(args)
  ok = 0
  limited = 0
  other = 0
  retry_after = ""
end
function response(status, headers, body)
  if status == 200 then
    ok = ok + 1
  elseif status == 429 then
    limited = limited + 1
    if retry_after == "" then
      for name, value in pairs(headers) do
        if string.lower(name) == "retry-after" then
          retry_after = value
        end
      end
    end
  else
    other = other + 1
  end
end
function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    io.write(string.format("STATUS ok=%d limited=%d other=%d retry_after=%s\\n",
      thread:get("ok"), thread:get("limited"), thread:get("other"), thread:get("retry_after")))
  end
end
"""

UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
LATENCY_LINE = re.compile(r"^\s*(50|75|90|99)%\s+([\d.]+)(us|ms|s|m|h)\s*$", re.MULTILINE)
RPS_LINE = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
TOTAL_LINE = re.compile(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m|h)", re.MULTILINE)
NON_2XX_LINE = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
SOCKET_ERRORS_LINE = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
STATUS_LINE = re.compile(r"STATUS ok=(\d+) limited=(\d+) other=(\d+) retry_after=(\S*)")


class BenchError(Exception):
    """A check failed: the benchmark cannot give meaningful figures."""


@dataclass(frozen=True, slots=True)
class WrkResult:
    """What one wrk run reports."""

    requests: int
    rps: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int


@dataclass(frozen=True, slots=True)
class Load:
    """How wrk loads an endpoint."""

    wrk: str
    connections: int
    seconds: float
    warmup: float
    rounds: int


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One endpoint under load."""

    name: str
    path: str
    script: Path | None


def _raise_on_sigterm(signum: int, frame: FrameType | None) -> None:
    del frame
    raise SystemExit(128 + signum)


def cpu_model() -> str:
    """The CPU model name from /proc/cpuinfo, if there is one."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    except OSError:
        return platform.processor() or "unknown"
    names = [line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("model name")]
    return f"{names[0]} ({len(names)} logical CPUs)" if names else platform.processor() or "unknown"


def load_average() -> str:
    """The system's 1/5/15-minute load averages (they include earlier runs of this benchmark)."""
    if not hasattr(os, "getloadavg"):
        return "unknown"
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"


def _cpu_times() -> tuple[int, int] | None:
    try:
        fields = Path("/proc/stat").read_text(encoding="ascii").splitlines()[0].split()[1:]
    except (OSError, IndexError):
        return None
    values = [int(v) for v in fields]
    return sum(values), values[3] + values[4]  # total, idle + iowait


def cpu_busy(seconds: float = 1.0) -> str:
    """How busy the machine's CPUs are before the server starts: other work lowers every figure."""
    before = _cpu_times()
    time.sleep(seconds)
    after = _cpu_times()
    if before is None or after is None or after[0] == before[0]:
        return "unknown"
    busy = 100.0 * (1 - (after[1] - before[1]) / (after[0] - before[0]))
    warning = " (other work is running: figures will be low)" if busy >= 10 else ""
    return f"{busy:.0f} % over {seconds:g} s{warning}"


def cpu_count() -> int:
    """CPUs this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def wrk_path() -> str:
    """The wrk executable, or a clear message naming the package."""
    found = shutil.which("wrk")
    if found is None:
        msg = "wrk is not installed: install it first (Debian/Ubuntu: apt-get install -y wrk; macOS: brew install wrk)"
        raise BenchError(msg)
    return found


def wrk_version(wrk: str) -> str:
    """The first line of ``wrk -v`` (which exits 1 by design)."""
    done = subprocess.run([wrk, "-v"], capture_output=True, text=True, timeout=10, check=False)  # noqa: S603
    first = (done.stdout or done.stderr).strip().splitlines()
    return first[0].split(" Copyright")[0] if first else "wrk (unknown version)"


def free_port() -> int:
    """A port of 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def request(port: int, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes, dict[str, str]]:
    """One HTTP request to the server on 127.0.0.1."""
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read(), {k.lower(): v for k, v in response.getheaders()}
    finally:
        connection.close()


class Server:
    """``needlewise serve`` in its own process group, stopped as a whole."""

    def __init__(self, workers: int, data_dir: Path, log: Path, *, rate_limit: bool) -> None:
        """Prepare (not start) a server with ``workers`` processes; ``rate_limit`` keeps the default limit."""
        self.port = free_port()
        self.workers = workers
        self.log = log
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("NEEDLEWISE_")}
        self.env.pop("DJANGO_SETTINGS_MODULE", None)
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # private: serve refuses a folder others can read
        self.env["NEEDLEWISE_DATA_DIR"] = str(data_dir)
        self.env["NEEDLEWISE_SECRET_KEY"] = "bench-api-not-a-secret"  # noqa: S105 - a throwaway local server
        if not rate_limit:
            self.env["NEEDLEWISE_RATE_LIMIT"] = "0"
        self.process: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        """The command line that starts the server."""
        return [
            sys.executable,
            "-m",
            "needlewise",
            "serve",
            "--host",
            HOST,
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
        ]

    def __enter__(self) -> Self:
        """Start the server and wait until ``/api/v1/health`` answers 200."""
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                self.command(), env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                msg = f"the server exited with status {self.process.returncode}:\n{self.log_tail()}"
                raise BenchError(msg)
            with contextlib.suppress(OSError, http.client.HTTPException):
                status, _, _ = request(self.port, "GET", HEALTH)
                if status == 200:
                    return self
            time.sleep(0.2)
        msg = f"the server did not answer {HEALTH} within {START_TIMEOUT_S:.0f} s:\n{self.log_tail()}"
        raise BenchError(msg)

    def __exit__(self, *exc: object) -> None:
        """Stop the whole process group: SIGTERM, then SIGKILL after a grace period."""
        if self.process is None:
            return
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)
            try:
                self.process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                continue
            if sig == signal.SIGTERM:  # the workers may outlive the main process by a moment
                time.sleep(0.2)
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
            break

    def log_tail(self, lines: int = 20) -> str:
        """The last lines the server wrote."""
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no server log)"
        return "\n".join(text.splitlines()[-lines:])


def check_answers(port: int) -> int:
    """A valid profile gets 200 with a tier, an invalid one 422; returns the size of the 200 body."""
    status, body, headers = request(port, "POST", ASSESSMENTS, json.dumps(PROFILE).encode())
    if status != 200 or "tier" not in json.loads(body):
        msg = f"POST {ASSESSMENTS} with a valid profile answered {status}, expected 200 with a tier: {body[:300]!r}"
        raise BenchError(msg)
    if not headers.get("content-type", "").startswith("application/json"):
        msg = f"POST {ASSESSMENTS} answered Content-Type {headers.get('content-type')!r}"
        raise BenchError(msg)
    bad_status, bad_body, _ = request(port, "POST", ASSESSMENTS, json.dumps(INVALID_PROFILE).encode())
    if bad_status != 422:
        msg = f"POST {ASSESSMENTS} with age 400 answered {bad_status}, expected 422: {bad_body[:300]!r}"
        raise BenchError(msg)
    return len(body)


def to_ms(value: str, unit: str) -> float:
    """A wrk duration in milliseconds."""
    return float(value) * UNITS_MS[unit]


def parse_wrk(output: str) -> WrkResult:
    """Requests/s, p50, p99 and error counts from ``wrk --latency`` output."""
    percentiles = {m.group(1): to_ms(m.group(2), m.group(3)) for m in LATENCY_LINE.finditer(output)}
    rps = RPS_LINE.search(output)
    total = TOTAL_LINE.search(output)
    if rps is None or total is None or "50" not in percentiles or "99" not in percentiles:
        msg = f"could not read wrk's output:\n{output}"
        raise BenchError(msg)
    non_2xx = NON_2XX_LINE.search(output)
    socket_errors = SOCKET_ERRORS_LINE.search(output)
    return WrkResult(
        requests=int(total.group(1)),
        rps=float(rps.group(1)),
        p50_ms=percentiles["50"],
        p99_ms=percentiles["99"],
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(int(g) for g in socket_errors.groups()) if socket_errors else 0,
    )


def run_wrk(wrk: str, port: int, endpoint: Endpoint, connections: int, seconds: float) -> str:
    """One ``wrk --latency -t1`` run against ``endpoint``; returns its output."""
    command = [wrk, "--latency", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "5s"]
    if endpoint.script is not None:
        command += ["-s", str(endpoint.script)]
    command.append(f"http://{HOST}:{port}{endpoint.path}")
    try:
        done = subprocess.run(  # noqa: S603 - wrk with our own arguments, against 127.0.0.1 only
            command, capture_output=True, text=True, timeout=seconds + WRK_GRACE_S, check=False
        )
    except subprocess.TimeoutExpired as error:
        msg = f"wrk did not finish within {seconds + WRK_GRACE_S:.0f} s"
        raise BenchError(msg) from error
    if done.returncode != 0:
        msg = f"wrk failed with status {done.returncode}:\n{done.stdout}{done.stderr}"
        raise BenchError(msg)
    return done.stdout


def measure(load: Load, port: int, endpoints: Sequence[Endpoint]) -> dict[str, list[WrkResult]]:
    """Warm each endpoint up, then alternate measured rounds between the endpoints."""
    for endpoint in endpoints:
        if load.warmup > 0:
            run_wrk(load.wrk, port, endpoint, load.connections, load.warmup)
    results: dict[str, list[WrkResult]] = {e.name: [] for e in endpoints}
    for number in range(1, load.rounds + 1):
        for endpoint in endpoints:
            result = parse_wrk(run_wrk(load.wrk, port, endpoint, load.connections, load.seconds))
            results[endpoint.name].append(result)
            print(
                f"  round {number} {endpoint.name}: {result.rps:,.0f} req/s, p50 {result.p50_ms:.2f} ms, "
                f"p99 {result.p99_ms:.2f} ms, {result.requests:,} requests, non-2xx {result.non_2xx}, "
                f"socket errors {result.socket_errors}",
                flush=True,
            )
    return results


def rate_limit_check(wrk: str, endpoint: Endpoint, limited_server: Server, seconds: float) -> bool:
    """Start a server with the default limit, load ``endpoint`` for a few seconds, count 200 and 429."""
    workers = limited_server.workers
    print(f"\n## Rate limit (NEEDLEWISE_RATE_LIMIT unset: default 120 a minute per address, {workers} worker(s))\n")
    with limited_server as server:  # a fresh server: fresh windows (its one start-up health probe counts too)
        output = run_wrk(wrk, server.port, endpoint, max(4, 2 * workers), seconds)
    match = STATUS_LINE.search(output)
    if match is None:
        print(f"- could not read the status counts from wrk:\n{output}")
        return False
    ok, limited, other, retry_after = int(match.group(1)), int(match.group(2)), int(match.group(3)), match.group(4)
    print(f"- command: wrk -t1 -c{max(4, 2 * workers)} -d{seconds:g}s (POST {ASSESSMENTS}, Lua status counter)")
    print(
        "- the workers share one count (web/rate_windows.py): the whole server allows 120 a minute, its probe included"
    )
    print(f"- 200: {ok:,}; 429: {limited:,}; other: {other:,}; first Retry-After: {retry_after or '(none)'} s")
    passed = 0 < ok <= 120 and limited > 0 and other == 0 and retry_after.isdigit()
    print(f"- the limiter answers 429 with Retry-After once the budget is used: {'PASS' if passed else 'FAIL'}")
    return passed


def verdict(passed: bool) -> str:
    """PASS or FAIL."""
    return "PASS" if passed else "FAIL"


def report(results: dict[str, list[WrkResult]], connections: int) -> tuple[list[str], bool]:
    """The figures table and the targets; returns the lines and whether every request succeeded."""
    mean: dict[str, tuple[float, float, float]] = {
        name: (
            statistics.fmean(r.rps for r in rounds),
            statistics.fmean(r.p50_ms for r in rounds),
            statistics.fmean(r.p99_ms for r in rounds),
        )
        for name, rounds in results.items()
    }
    lines = [
        "| Endpoint | req/s | p50 ms | p99 ms | rounds (req/s each) |",
        "|---|---:|---:|---:|---|",
    ]
    for name, rounds in results.items():
        rps, p50, p99 = mean[name]
        each = ", ".join(f"{r.rps:,.0f}" for r in rounds)
        label = f"POST {ASSESSMENTS}" if name == "assessments" else f"GET {HEALTH} (trivial)"
        lines.append(f"| {label} | {rps:,.0f} | {p50:.2f} | {p99:.2f} | {each} |")
    rps, _, p99 = mean["assessments"]
    ratio = rps / mean["health"][0]
    lines += [
        "",
        f"Ratio assessments / trivial (req/s): {ratio:.2f}",
        "",
        f"## Targets (POST {ASSESSMENTS}, {connections} connections)\n",
        f"- at least {TARGET_RPS:,.0f} requests/s: {rps:,.0f} - {verdict(rps >= TARGET_RPS)}",
        f"- p99 at most {TARGET_P99_MS:.0f} ms: {p99:.2f} ms - {verdict(p99 <= TARGET_P99_MS)}",
        f"- at least {TARGET_RATIO} of the trivial endpoint's req/s: {ratio:.2f} - {verdict(ratio >= TARGET_RATIO)}",
    ]
    clean = all(r.non_2xx == 0 and r.socket_errors == 0 for rounds in results.values() for r in rounds)
    return lines, clean


@contextlib.contextmanager
def workspace() -> Iterator[Path]:
    """A temporary folder for the data, the Lua scripts and the server log."""
    with tempfile.TemporaryDirectory(prefix="needlewise-bench-api-") as folder:
        yield Path(folder)


def main(argv: Sequence[str] | None = None) -> int:  # noqa: PLR0915 - one straight script
    """Run the benchmark and print its report; exit 1 when a check fails."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--workers", type=int, default=cpu_count(), help="server workers (default: the CPUs)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (default 16)")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per measured round (default 10)")
    parser.add_argument("--rounds", type=int, default=2, help="measured rounds per endpoint (default 2)")
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up seconds per endpoint (default 2)")
    parser.add_argument("--rate-limit-seconds", type=float, default=3.0, help="rate-limit check (default 3; 0: skip)")
    args = parser.parse_args(argv)
    if not (1 <= args.workers <= 64 and 1 <= args.connections <= 10_000 and 1 <= args.rounds <= 20):
        parser.error("--workers 1..64, --connections 1..10000, --rounds 1..20")
    if not (1 <= args.duration <= 120 and 0 <= args.warmup <= 60 and 0 <= args.rate_limit_seconds <= 60):
        parser.error("--duration 1..120 s, --warmup 0..60 s, --rate-limit-seconds 0..60 s")
    signal.signal(signal.SIGTERM, _raise_on_sigterm)  # so that the server is stopped on `kill` too

    try:
        wrk = wrk_path()
    except BenchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    started = datetime.now(UTC)
    command = (
        f"uv run python bench/api.py --workers {args.workers} --connections {args.connections} "
        f"--duration {args.duration:g} --rounds {args.rounds}"
    )
    print("# needlewise JSON API benchmark\n")
    print(f"- date: {started:%Y-%m-%d %H:%M} UTC")
    print(f"- command: {command}")
    print(f"- machine: {platform.platform()}; {cpu_model()}; {cpu_count()} CPUs available")
    print(f"- python: {platform.python_implementation()} {platform.python_version()}")
    print(f"- CPU busy before the run: {cpu_busy()}; load average (1/5/15 min): {load_average()}")
    print(
        f"- needlewise {version('needlewise')}, granian {version('granian')} (WSGI, blocking_threads=1), "
        f"django {version('django')}, django-ninja {version('django-ninja')}, {wrk_version(wrk)}"
    )
    print(
        f"- server: needlewise serve --host {HOST} --workers {args.workers} (production settings, no debug, "
        "rate limit off, SQLite in a temporary folder)"
    )
    print(
        f"- load: wrk --latency -t1 -c{args.connections} -d{args.duration:g}s, warm-up {args.warmup:g} s per "
        f"endpoint, rounds: {args.rounds}, alternating endpoints; wrk shares the same CPUs as the server"
    )

    ok = True
    try:
        with workspace() as folder:
            body = json.dumps(PROFILE, separators=(",", ":"))
            post_script = folder / "post.lua"
            post_script.write_text(POST_LUA.format(body=body), encoding="utf-8")
            status_script = folder / "status.lua"
            status_script.write_text(STATUS_LUA.format(body=body), encoding="utf-8")
            log = folder / "server.log"
            endpoints = [Endpoint("assessments", ASSESSMENTS, post_script), Endpoint("health", HEALTH, None)]
            with Server(args.workers, folder / "data", log, rate_limit=False) as server:
                size = check_answers(server.port)
                print(f"- request: {len(body)} bytes of Profile v1 JSON; answer: {size:,} bytes of assessment JSON")
                print("- checks: valid profile -> 200 with a tier; age 400 -> 422: PASS\n\n## Rounds\n")
                load = Load(wrk, args.connections, args.duration, args.warmup, args.rounds)
                results = measure(load, server.port, endpoints)
            lines, clean = report(results, args.connections)
            print(f"\n- load average after the timed rounds: {load_average()}")
            print("\n## Figures (mean of the rounds)\n")
            print("\n".join(lines))
            if not clean:
                print("- some answers were not 2xx or some sockets failed while timing: FAIL (see the rounds)")
                ok = False
            if args.rate_limit_seconds > 0:
                limited = Server(args.workers, folder / "data-limited", log, rate_limit=True)
                status_endpoint = Endpoint("assessments", ASSESSMENTS, status_script)
                ok = rate_limit_check(wrk, status_endpoint, limited, args.rate_limit_seconds) and ok
    except BenchError as error:
        print(f"\nerror: {error}", file=sys.stderr)
        return 1
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
