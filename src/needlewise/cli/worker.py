"""``needlewise worker``: deliver queued messages until stopped (``needlewise serve`` starts one itself)."""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Annotated

import typer

from needlewise import bootstrap
from needlewise.cli.django_setup import setup_django


def worker(
    interval: Annotated[
        float, typer.Option(min=0.1, max=60.0, help="Seconds between looks for new jobs when the queue is empty.")
    ] = 1.0,
) -> None:
    """Deliver queued messages until stopped (Ctrl+C or SIGTERM finish the job in hand first).

    Run more than one, on other machines too, against the same PostgreSQL database: each job is taken
    by one worker, and one that a stopped worker held is taken again once its lease runs out.
    """
    setup_django()
    stop = threading.Event()

    def finish(signum: int, frame: FrameType | None) -> None:
        del signum, frame
        stop.set()

    signal.signal(signal.SIGTERM, finish)
    signal.signal(signal.SIGINT, finish)
    typer.echo("needlewise worker is delivering queued messages (Ctrl+C stops it)")
    ran = bootstrap.run_worker(interval=interval, stopped=stop.is_set)
    typer.echo(f"needlewise worker stopped after {ran} job(s)")
