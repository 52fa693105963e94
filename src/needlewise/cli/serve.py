"""``needlewise serve``: migrate the database, serve the web app with granian (WSGI), run a queue worker beside it."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Annotated

import typer
from rich.console import Console

from needlewise import bootstrap
from needlewise.errors import DataKeyError

SETTINGS_MODULE = "needlewise.web.settings"
EXIT_KEY = 2
#: Default worker processes per CPU core: granian keeps a keep-alive connection on one worker, so with
#: one worker per core two busy connections often share a process (one core, the GIL) while another
#: core idles; two per core halved the client page's p99 (docs/benchmarks.md, issue 11).
WORKERS_PER_CORE = 2
#: At most this many by default: each worker holds a database connection per thread (PostgreSQL
#: allows 100 connections unless configured otherwise).
MAX_DEFAULT_WORKERS = 16
#: Seconds a worker has to finish its requests once asked to stop; then it is killed. A worker still
#: loading the app when the stop comes misses it (granian forks workers with the main process's
#: signal handler until the app is loaded) and would otherwise keep the server from ever exiting.
WORKERS_KILL_TIMEOUT_S = 20


def default_workers() -> int:
    """Two worker processes per CPU core this process may run on, at most :data:`MAX_DEFAULT_WORKERS`."""
    return min(WORKERS_PER_CORE * len(os.sched_getaffinity(0)), MAX_DEFAULT_WORKERS)


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[
        int, typer.Option(min=0, max=64, help="Worker processes (0: two per CPU core, at most 16).")
    ] = 0,
    threads: Annotated[
        int,
        typer.Option(
            min=1,
            max=32,
            envvar="NEEDLEWISE_THREADS",
            help="Threads per worker: more lets a worker go on while another request waits for the database.",
        ),
    ] = 1,
    queue_worker: Annotated[
        bool,
        typer.Option(help="Also run a worker that delivers queued messages (off: run `needlewise worker` yourself)."),
    ] = True,
) -> None:
    """Start the production server on SQLite (set-up on first run), at http://HOST:PORT/."""
    import django  # noqa: PLC0415 - Django is loaded only by the commands that need it
    from django.core.management import call_command  # noqa: PLC0415
    from granian import Granian  # noqa: PLC0415
    from granian.constants import Interfaces  # noqa: PLC0415

    count = workers or default_workers()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    try:
        django.setup()
    except ValueError as error:  # the settings refuse the environment: an unsafe data folder, say
        typer.echo(f"error: configuration: {error}", err=True)
        raise typer.Exit(2) from None
    try:
        call_command("migrate", interactive=False, verbosity=0)
        bootstrap.check_data_keys()
    except DataKeyError as error:
        Console(stderr=True, highlight=False, soft_wrap=True).print(f"error: {error.first}", markup=False)
        raise typer.Exit(EXIT_KEY) from None
    typer.echo(f"needlewise is running at http://{host}:{port}/ ({count} worker(s); Ctrl+C stops it)")
    jobs = subprocess.Popen([sys.executable, "-m", "needlewise", "worker"]) if queue_worker else None
    try:
        Granian(
            "needlewise.web.wsgi:application",
            address=host,
            port=port,
            interface=Interfaces.WSGI,
            workers=count,
            blocking_threads=threads,
            workers_kill_timeout=WORKERS_KILL_TIMEOUT_S,
            log_access=False,
        ).serve()
    finally:
        if jobs is not None:
            _stop(jobs)


def _stop(jobs: subprocess.Popen[bytes]) -> None:
    """Ask the queue worker to finish the job in hand, then stop; kill it if it has not within 40 seconds."""
    jobs.terminate()
    try:
        jobs.wait(timeout=40)
    except subprocess.TimeoutExpired:
        jobs.kill()
        jobs.wait()
