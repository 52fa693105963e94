"""The message queue end to end: 10,000 messages queued, then the time until all reach an SMTP sink.

Run with ``uv run python bench/messages.py [--messages N] [--backends sqlite,postgresql] [--workers 1,2]``.
For each backend and number of workers: a fresh data folder (and, for PostgreSQL, a scratch database
on ``NEEDLEWISE_POSTGRES_URL``, default ``postgresql://postgres@127.0.0.1:5432/test``, dropped
afterwards) is migrated, a clinic with 200 clients who agreed to e-mail is made through the use cases,
and ``--messages`` check-in messages to those clients are queued through ``bootstrap.message_sender()``
as the application queues them (500 to a transaction, each with its own key and unsubscribe link, so
the worker checks each client's consent to contact before sending), then that many
``needlewise worker`` processes are started against a real SMTP server on loopback (aiosmtpd, in this
process, accepting everything). The clock runs from starting the workers (their start-up included)
until the sink holds every message; each message must arrive once (counted by ``Message-ID``) and be
marked sent in the database. Target: at least 100 messages a second end to end on both backends.

The exit status is 1 when a check fails (a message missing or doubled); a missed target is printed
as FAIL without changing it. It is not part of ``make test``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import secrets
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from email import message_from_bytes, policy
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from psycopg import sql

TARGET_PER_S = 100.0
ADMIN_URL = os.environ.get("NEEDLEWISE_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
QUEUE = """
import sys, time
from datetime import date
import django
django.setup()
from django.core.management import call_command
from django.db import transaction
call_command("migrate", interactive=False, verbosity=0)
from needlewise import bootstrap
from needlewise.clinic.accounts import staff
from needlewise.clinic.clients import clients
from needlewise.clinic.clients.client_form import ClientDetails
from needlewise.clinic.contact import consent_to_contact, unsubscribe
from needlewise.domain.contact import Contact
from needlewise.domain.statuses import Channel, ContactMethod
from needlewise.services.ports import OutboundMessage
total, sender = int(sys.argv[1]), bootstrap.message_sender()
owner = staff.create_clinic(
    name="Bench Clinic", city="Madrid", owner_email="owner@bench.example.org", owner_name="Bench Owner",
    owner_password="bench owner password 2026 long", contact=Contact("+34 910 000 000", time_zone="Europe/Madrid"),
)
actor = staff.member_actor(owner)
people = []
for n in range(CLIENTS):
    details = ClientDetails(f"Client{n}", "Bench", date(1990, 1, 1), "", f"client{n}@example.org", "")
    client = clients.create(actor, details)
    consent_to_contact.record(actor, client.pk, Channel.EMAIL, granted=True, method=ContactMethod.ON_PAPER)
    people.append(client)
started = time.perf_counter()
for first in range(0, total, 500):
    with transaction.atomic():
        for n in range(first, min(first + 500, total)):
            client = people[n % CLIENTS]
            link = f"https://clinic.example.org/unsubscribe/{unsubscribe.token(client.pk, Channel.EMAIL)}/"
            text = f"Your day-3 check-in: https://clinic.example.org/c/{n:08d}\\n\\nTo stop these e-mails: {link}"
            sender.send(OutboundMessage(
                (client.email,), "Your check-in", text, key=f"bench:{n}", purpose="checkin_link",
                clinic_id=client.clinic_id, client_id=client.pk, unsubscribe_url=link,
            ))
print(f"{total / (time.perf_counter() - started):.0f}")
""".replace("CLIENTS", "200")


class Sink:
    """An SMTP server that accepts every message and counts each ``Message-ID``."""

    def __init__(self) -> None:
        """No message yet."""
        self.ids: Counter[str] = Counter()
        self.lock = threading.Lock()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 - aiosmtpd's name
        """Accept the message and count it."""
        del server, session
        message_id = str(message_from_bytes(envelope.original_content or b"", policy=policy.default)["Message-ID"])
        with self.lock:
            self.ids[message_id] += 1
        return "250 OK"

    def received(self) -> int:
        """Messages accepted so far."""
        with self.lock:
            return sum(self.ids.values())


def free_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def scratch_postgres() -> Iterator[str]:
    """A scratch database, dropped afterwards."""
    name = f"needlewise_bench_messages_{secrets.token_hex(4)}"
    with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield urlunsplit(urlsplit(ADMIN_URL)._replace(path=f"/{name}"))
        finally:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def statuses(data_dir: Path, database_url: str | None) -> Counter[str]:
    """The queued messages by status."""
    query = "SELECT status, COUNT(*) FROM queued_message GROUP BY status"
    if database_url:
        with psycopg.connect(database_url) as connection:
            return Counter(dict(connection.execute(query).fetchall()))
    with contextlib.closing(sqlite3.connect(data_dir / "needlewise.sqlite3")) as connection:
        return Counter(dict(connection.execute(query).fetchall()))


def run(backend: str, workers: int, messages: int) -> tuple[float, float, bool]:
    """One run: (messages a second queued, messages a second delivered, all checks passed)."""
    sink, port = Sink(), free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    with tempfile.TemporaryDirectory() as folder, contextlib.ExitStack() as stack:
        data_dir = Path(folder) / "data"
        database_url = stack.enter_context(scratch_postgres()) if backend == "postgresql" else None
        env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
        env |= {
            "DJANGO_SETTINGS_MODULE": "needlewise.web.settings",
            "NEEDLEWISE_DATA_DIR": str(data_dir),
            "NEEDLEWISE_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "NEEDLEWISE_EMAIL_HOST": "127.0.0.1",
            "NEEDLEWISE_EMAIL_PORT": str(port),
        }
        if database_url:
            env["DATABASE_URL"] = database_url
        queued = subprocess.run(  # noqa: S603 - this interpreter, no shell
            [sys.executable, "-c", QUEUE, str(messages)], env=env, capture_output=True, text=True, check=False
        )
        if queued.returncode:
            sys.exit(f"queueing failed: {queued.stderr[-2000:]}")
        queue_rate = float(queued.stdout.split()[-1])
        started = time.perf_counter()
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "needlewise", "worker", "--interval", "0.2"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(workers)
        ]
        try:
            while sink.received() < messages and time.perf_counter() - started < 1800:
                time.sleep(0.05)
            elapsed = time.perf_counter() - started
            time.sleep(1.0)  # a doubled message would arrive now
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                proc.wait(timeout=60)
            controller.stop()
        found = statuses(data_dir, database_url)
    ok = len(sink.ids) == messages and set(sink.ids.values()) == {1} and found == Counter({"sent": messages})
    if not ok:
        print(f"  CHECK FAILED: {len(sink.ids)} distinct, counts {Counter(sink.ids.values())}, database {dict(found)}")
    return queue_rate, messages / elapsed, ok


def main() -> int:
    """Every backend with every number of workers; 1 if a check failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--workers", default="1,2")
    args = parser.parse_args()
    machine = f"{platform.node()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    print(f"# message queue: {args.messages:,} messages, {machine}")
    print("| backend | workers | queued/s | delivered/s (end to end) | target >= 100/s |")
    print("|---|---:|---:|---:|---|")
    all_ok = True
    for backend in args.backends.split(","):
        for workers in (int(w) for w in args.workers.split(",")):
            queue_rate, rate, ok = run(backend, workers, args.messages)
            all_ok &= ok
            verdict = "PASS" if rate >= TARGET_PER_S else "FAIL"
            ratio = f"{rate:,.1f} ({rate / TARGET_PER_S:.2f} x target)"
            print(f"| {backend} | {workers} | {queue_rate:,.0f} | {ratio} | {verdict} |", flush=True)
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
