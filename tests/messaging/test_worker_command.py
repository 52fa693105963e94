"""``needlewise worker`` delivers the queue until SIGTERM; ``needlewise serve`` runs one beside the web workers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from needlewise.cli import serve as serve_module
from needlewise.cli.app import app
from needlewise.messaging.outbox import queue
from needlewise.services.ports import OutboundMessage
from needlewise.storage.models import QueuedMessage


@pytest.fixture
def own_signals() -> Iterator[None]:
    """Put back the test process's SIGTERM and SIGINT handlers after the command replaced them."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for number, handler in saved.items():
            signal.signal(number, handler)


@pytest.mark.django_db
@pytest.mark.usefixtures("own_signals")
def test_the_worker_delivers_then_stops_on_sigterm(mailoutbox):
    queue(OutboundMessage(("to@example.org",), "Your link", "Sign in.", key="cli:1"))
    timer = threading.Timer(1.5, os.kill, (os.getpid(), signal.SIGTERM))
    timer.start()
    try:
        result = CliRunner().invoke(app, ["worker", "--interval", "0.1"])
    finally:
        timer.cancel()
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "needlewise worker is delivering queued messages (Ctrl+C stops it)",
        "needlewise worker stopped after 1 job(s)",
    ]
    assert [m.subject for m in mailoutbox] == ["Your link"]
    assert QueuedMessage.objects.get().status == "sent"


class FakeGranian:
    def __init__(self, target: str, **options: object) -> None:
        del target, options

    def serve(self) -> None:
        pass


class Jobs:
    """Stands in for the worker process: records what serve asks of it."""

    def __init__(self, *, stubborn: bool) -> None:
        self.calls: list[str] = []
        self.stubborn = stubborn

    def terminate(self) -> None:
        self.calls.append("terminate")

    def kill(self) -> None:
        self.calls.append("kill")

    def wait(self, timeout: float | None = None) -> int:
        self.calls.append(f"wait {timeout}")
        if self.stubborn and timeout is not None:
            raise subprocess.TimeoutExpired(cmd=["needlewise", "worker"], timeout=timeout)
        return 0


@pytest.mark.parametrize(
    ("stubborn", "calls"), [(False, ["terminate", "wait 40"]), (True, ["terminate", "wait 40", "kill", "wait None"])]
)
def test_serve_starts_a_queue_worker_and_stops_it_with_the_server(monkeypatch: pytest.MonkeyPatch, stubborn, calls):
    jobs, started = Jobs(stubborn=stubborn), []

    def popen(args: list[str]) -> Jobs:
        started.append(args)
        return jobs

    monkeypatch.setattr("granian.Granian", FakeGranian)
    monkeypatch.setattr("django.core.management.call_command", lambda *_a, **_k: None)
    monkeypatch.setattr("needlewise.bootstrap.check_data_keys", lambda: None)
    monkeypatch.setattr(serve_module.subprocess, "Popen", popen)
    serve_module.serve(host="127.0.0.1", port=8124, workers=1)
    assert started == [[sys.executable, "-m", "needlewise", "worker"]]
    assert jobs.calls == calls


def test_serve_without_a_queue_worker_starts_none(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr("granian.Granian", FakeGranian)
    monkeypatch.setattr("django.core.management.call_command", lambda *_a, **_k: None)
    monkeypatch.setattr("needlewise.bootstrap.check_data_keys", lambda: None)
    monkeypatch.setattr(serve_module.subprocess, "Popen", lambda args: pytest.fail(f"started {args}"))
    serve_module.serve(host="127.0.0.1", port=8125, workers=1, queue_worker=False)
