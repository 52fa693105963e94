"""Running the queue: ``needlewise worker``, and the worker ``needlewise serve`` starts beside the web.

Messages are taken straight from their table in batches (:func:`deliver_due`); any other job goes
through django-tasks' database backend, whose worker claims one at a time (``SELECT ... FOR UPDATE
SKIP LOCKED`` on PostgreSQL, an exclusive transaction on SQLite). Any number of workers, on any
machines that reach the database, share both. A worker killed while it holds a job leaves the job
"running" for ever; :func:`requeue_abandoned` puts such jobs back once their lease has run out (its
messages come back by themselves when their lease runs out).
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

from needlewise.adapters.mail import MailConnection
from needlewise.adapters.sms import sms_connection
from needlewise.domain.statuses import Channel
from needlewise.messaging.claiming import lease
from needlewise.messaging.delivery import BATCH_MAX, Connect, deliver_batch

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


#: How each channel's messages are handed over: a connection for one batch.
CONNECTIONS: dict[Channel, Connect] = {Channel.EMAIL: MailConnection, Channel.SMS: sms_connection}


def deliver_channel(stopped: Callable[[], bool], connect: Connect, channel: Channel = Channel.EMAIL) -> int:
    """Hand over every message of ``channel`` that is due, in batches; how many were tried.

    Batches start at one message and double while every message goes through, up to
    :data:`~needlewise.messaging.delivery.BATCH_MAX`: a worker that dies, or a provider that fails,
    early on holds back and charges an attempt to few messages. A batch in which nothing went through
    ends the round (the provider is likely down); the rest wait for the next look. A batch of only
    withheld, deferred or taken-back messages goes on to the next.
    """
    size, tried = 1, 0
    while not stopped():
        batch = deliver_batch(size, connect, stopped, channel)
        tried += batch.tried
        if not batch.tried and (batch.withheld or batch.deferred or batch.taken_back) and not batch.untried:
            continue
        if not batch.tried or not batch.sent:
            break
        size = 1 if batch.failed else min(size * 2, BATCH_MAX)
    return tried


def deliver_due(stopped: Callable[[], bool], connect: Connect | None = None) -> int:
    """Hand over every message that is due, channel by channel; how many were tried.

    ``connect`` replaces the e-mail connection (tests, benchmarks); SMS go through their provider.
    """
    connections = CONNECTIONS | ({Channel.EMAIL: connect} if connect is not None else {})
    return sum(deliver_channel(stopped, connections[channel], channel) for channel in Channel)


def run_once(worker_id: str, stopped: Callable[[], bool] = lambda: False) -> int:
    """One look at the queue: the jobs that are ready, then the messages that are due; how many were handled."""
    requeue_abandoned()
    return run_ready(worker_id) + deliver_due(stopped)


def run(*, interval: float, stopped: Callable[[], bool], worker_id: str = "") -> int:
    """Work until ``stopped()`` is true, looking for new work every ``interval`` seconds; how much was done."""
    ident = worker_id or get_random_string(32)
    done = 0
    while not stopped():
        done += run_once(ident, stopped)
        if not stopped():
            time.sleep(interval)
    return done
