"""Running the queue's jobs: ``needlewise worker``, and the worker ``needlewise serve`` starts beside the web.

django-tasks' database backend stores each job as a row and a worker claims one at a time
(``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL, an exclusive transaction on SQLite), so any
number of workers, on any machines that reach the database, share the queue. A worker killed while
it holds a job leaves the job "running" for ever; :func:`requeue_abandoned` puts such jobs back once
their lease has run out, and every job is safe to run again (a delivery checks its message first).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from needlewise.messaging.delivery import lease

logger = logging.getLogger(__name__)


def requeue_abandoned() -> int:
    """Put back the jobs claimed longer ago than the lease and never finished (their worker died); how many."""
    cutoff = timezone.now() - lease()
    stale = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=cutoff)
    count = stale.update(status=TaskResultStatus.READY, started_at=None)
    if count:
        logger.warning("put back %d job(s) whose worker stopped while holding them", count)
    return count


def run_ready(worker_id: str) -> int:
    """Run every job that is ready now (and those it makes ready at once), then return how many ran."""
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )
    worker.run()
    return int(worker._run_tasks)  # noqa: SLF001 - the library counts them; it has no public accessor


def run(*, interval: float, stopped: Callable[[], bool], worker_id: str = "") -> int:
    """Run jobs until ``stopped()`` is true, looking for new ones every ``interval`` seconds; how many ran."""
    ident = worker_id or get_random_string(32)
    ran = 0
    while not stopped():
        requeue_abandoned()
        ran += run_ready(ident)
        if not stopped():
            time.sleep(interval)
    return ran
