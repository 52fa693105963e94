"""The message queue survives a worker killed with SIGKILL in the middle of handing a message over.

A worker (``needlewise worker``, a separate process, on SQLite and on PostgreSQL) delivers queued
messages to a real SMTP server on loopback (aiosmtpd). The server holds the first message's DATA
without answering; while it waits, the test kills the worker with SIGKILL, so the message was never
accepted. A second worker, started afterwards, takes the job again once its lease has run out and
delivers every message: each one exactly once (counted by its ``Message-ID``), nothing lost, the
killed message on its second attempt. A SIGTERM then stops that worker cleanly.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import psycopg
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from durability.queue_support import Rows, queue_script
from net_support import free_port

MESSAGES = 6
LEASE_S = "2"
DEADLINE_S = 60.0

QUEUE = queue_script(MESSAGES, "kill9")


class StallingInbox:
    """An SMTP server that holds the first message without answering, then accepts every other one."""

    def __init__(self) -> None:
        self.accepted: list[str] = []
        self.holding = threading.Event()
        self.release = threading.Event()
        self._first = True

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 - aiosmtpd's name
        del server, session
        if self._first:
            self._first = False
            self.holding.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, DEADLINE_S)
            return "451 4.3.0 Try again later"  # its sender is gone by now: never accepted
        message = message_from_bytes(envelope.original_content or b"", policy=policy.default)
        self.accepted.append(str(message["Message-ID"]))
        return "250 Message accepted for delivery"


@contextlib.contextmanager
def smtp_server() -> Iterator[tuple[StallingInbox, int]]:
    inbox, port = StallingInbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        inbox.release.set()
        controller.stop()


def child_env(data_dir: Path, database_url: str | None, smtp_port: int) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env |= {
        "DJANGO_SETTINGS_MODULE": "needlewise.web.settings",
        "NEEDLEWISE_DATA_DIR": str(data_dir),
        "NEEDLEWISE_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "NEEDLEWISE_EMAIL_HOST": "127.0.0.1",
        "NEEDLEWISE_EMAIL_PORT": str(smtp_port),
        "NEEDLEWISE_MESSAGE_LEASE_SECONDS": LEASE_S,
    }
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def start_worker(env: dict[str, str], cwd: Path, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as stderr:
        return subprocess.Popen(
            [sys.executable, "-m", "needlewise", "worker", "--interval", "0.2"],
            env=env,
            cwd=cwd,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def run_worker_kill(tmp_path: Path, database_url: str | None, open_rows: Callable[[], Any]) -> None:
    with smtp_server() as (inbox, port):
        env = child_env(tmp_path, database_url, port)
        queued = subprocess.run(  # noqa: S603 - the venv's own python, no shell
            [sys.executable, "-c", QUEUE],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert queued.returncode == 0, queued.stderr[-4000:]
        first = start_worker(env, tmp_path, tmp_path / "first-worker.log")
        try:
            wait_for(inbox.holding.is_set, "the first worker to reach the mail server")
        finally:
            first.kill()  # SIGKILL, in the middle of handing the message over
            first.wait(timeout=10)
        inbox.release.set()

        def states() -> list[tuple[str, str, int]]:
            with open_rows() as rows:
                return list(rows("SELECT key, status, attempts FROM queued_message ORDER BY key"))

        log = tmp_path / "second-worker.log"
        second = start_worker(env, tmp_path, log)
        try:
            wait_for(lambda: {s for _, s, _ in states()} == {"sent"}, "every message to be sent")
            time.sleep(1.0)  # time for a double delivery to show, if there were one
        finally:
            second.send_signal(signal.SIGTERM)
            stopped = second.wait(timeout=30)
        assert stopped == 0, log.read_text()[-4000:]
    rows = states()
    assert len(rows) == MESSAGES
    assert sorted(attempts for _, _, attempts in rows) == [1] * (MESSAGES - 1) + [2]  # the killed one, again
    assert len(inbox.accepted) == MESSAGES
    assert len(set(inbox.accepted)) == MESSAGES  # each exactly once


def test_a_killed_worker_loses_and_doubles_nothing_on_sqlite(tmp_path: Path) -> None:
    @contextlib.contextmanager
    def open_rows() -> Iterator[Rows]:
        with contextlib.closing(sqlite3.connect(tmp_path / "needlewise.sqlite3")) as connection:
            yield lambda query: connection.execute(query).fetchall()

    run_worker_kill(tmp_path, None, open_rows)


def test_a_killed_worker_loses_and_doubles_nothing_on_postgresql(tmp_path: Path, postgres_url: str) -> None:
    @contextlib.contextmanager
    def open_rows() -> Iterator[Rows]:
        with psycopg.connect(postgres_url, autocommit=True) as connection:
            yield lambda query: connection.execute(query).fetchall()

    run_worker_kill(tmp_path, postgres_url, open_rows)
