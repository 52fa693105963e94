"""Audit appends from several clinics at once: rows a second with 1 clinic and with 4, on SQLite and PostgreSQL.

Run with ``make bench-audit`` or ``uv run python bench/audit_append.py [--workers 8] [--seconds 5]
[--rounds 2] [--backends sqlite,postgresql]``. For each backend a fresh data folder (and, for
PostgreSQL, a scratch database on ``NEEDLEWISE_POSTGRES_URL``, default
``postgresql://postgres@127.0.0.1:5432/test``, dropped afterwards) is migrated; then ``--workers``
processes append audit rows as the application does (``audit.log.record``, each in its own
transaction, committed) for ``--seconds``: all into one clinic, then spread over four clinics (worker
``i`` writes to clinic ``i % clinics``), alternated for ``--rounds`` rounds. It prints the best rows a
second of each and the ratio four clinics / one clinic. With one chain for the whole database every
append waits on the same head row whatever the clinic; with a chain per clinic, appends of different
clinics do not wait on each other (SQLite still lets one writer in at a time).

It is not part of ``make test``; it prints figures and checks nothing but that ``audit verify`` passes.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

ADMIN_URL = os.environ.get("NEEDLEWISE_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
WORKER = """
import sys, time
import django
django.setup()
from django.db import transaction
from needlewise.clinic.access.actor import Actor
from needlewise.clinic.audit.log import record
from needlewise.domain.permissions import Role
clinic, seconds = int(sys.argv[1]), float(sys.argv[2])
actor = Actor.staff(1, clinic, Role.OWNER)
with transaction.atomic():
    record(actor, "read", "client", 0, client_id=1)
print("ready", flush=True)
sys.stdin.readline()
count, end = 0, time.perf_counter() + seconds
while time.perf_counter() < end:
    with transaction.atomic():
        record(actor, "read", "client", count, client_id=count)
    count += 1
print(count, flush=True)
"""
MIGRATE = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
"""
VERIFY = """
import sys
from needlewise.cli.app import app
sys.argv = ["needlewise", "audit", "verify"]
app()
"""


def _python(code: str, env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)  # noqa: S603
    return (done.stdout + done.stderr).strip()


def _run(env: dict[str, str], workers: int, clinics: int, seconds: float) -> float:
    procs = [
        subprocess.Popen(  # noqa: S603 - our own interpreter and script
            [sys.executable, "-c", WORKER, str(1 + i % clinics), str(seconds)],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for i in range(workers)
    ]
    for proc in procs:
        assert proc.stdout is not None  # noqa: S101 - a pipe was asked for
        assert proc.stdout.readline().strip() == "ready"  # noqa: S101 - the worker's handshake
    for proc in procs:
        assert proc.stdin is not None  # noqa: S101 - a pipe was asked for
        proc.stdin.write("go\n")
        proc.stdin.flush()
    total = 0
    for proc in procs:
        out, _ = proc.communicate()
        total += int(out.strip().splitlines()[-1])
    return total / seconds


def _backend(name: str, args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "data"
        data.mkdir(mode=0o700)
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "needlewise.web.settings", "NEEDLEWISE_DATA_DIR": str(data)}
        env.pop("DATABASE_URL", None)
        scratch = f"bench_audit_{os.getpid()}"
        if name == "postgresql":
            with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
                admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(scratch)))
            env["DATABASE_URL"] = urlunsplit(urlsplit(ADMIN_URL)._replace(path=f"/{scratch}"))
        try:
            _python(MIGRATE, env)
            runs: dict[int, list[float]] = {1: [], 4: []}
            for _ in range(args.rounds):  # alternated, so a busy moment of a shared machine hits both
                for clinics in (1, 4):
                    runs[clinics].append(_run(env, args.workers, clinics, args.seconds))
            one, four = max(runs[1]), max(runs[4])
            figures = f"1 clinic {one:.0f} rows/s, 4 clinics {four:.0f} rows/s, ratio {four / one:.2f}"
            print(f"{name}: {args.workers} workers, {figures}")
            print(f"{name}: {_python(VERIFY, env)}")
        finally:
            if name == "postgresql":
                with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
                    admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(scratch)))


def main() -> None:
    """Parse the options and run each backend."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    print(f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs")
    for name in args.backends.split(","):
        _backend(name, args)


if __name__ == "__main__":
    main()
