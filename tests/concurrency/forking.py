"""The race scripts' fork loop: run processes that start at the same instant, and count those that failed.

Used by ``racer.py`` and ``journal_racer.py`` (run as scripts: this folder is on their import path),
after ``django.setup()`` and with whatever the children share loaded once (the knowledge base). Each
process is given as a *task*: called first in the new process, it prepares (its own database
connection, its form) and returns what the process does at the start instant, which prints its
outcome as one JSON line (:func:`line`). A process that raises prints its traceback and exits 1.
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from typing import NoReturn

#: A process's work: prepare, then return what it does at the start instant.
Task = Callable[[], Callable[[], None]]
#: How long after the forks the processes start together (seconds): time enough for each to prepare.
LEAD = 0.3


def line(text: str) -> None:
    """Print one line of the race's output at once (the parent reads the children's lines as they come)."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def race(rounds: Iterable[Sequence[Task]]) -> int:
    """Each round's tasks in simultaneous forked processes, a round after the other; 1 if any process failed.

    ``rounds`` is read one round at a time, just before its processes are forked.
    """
    failed = sum(together(tasks) for tasks in rounds)
    return 1 if failed else 0


def together(tasks: Sequence[Task]) -> int:
    """Fork one process per task, all starting at the same instant; how many of them failed."""
    from django.db import connections  # noqa: PLC0415 - only after django.setup()

    connections.close_all()  # no connection may be shared with the children
    start_at = time.time() + LEAD
    children = []
    for task in tasks:
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            _run(task, start_at)
        children.append(pid)
    failed = 0
    for pid in children:
        _, status = os.waitpid(pid, 0)
        failed += os.waitstatus_to_exitcode(status) != 0
    return failed


def _run(task: Task, start_at: float) -> NoReturn:
    """In the child: prepare, wait for ``start_at``, do the work; leave without the parent's cleanup."""
    code = 0
    try:
        work = task()
        time.sleep(max(0.0, start_at - time.time()))
        work()
    except BaseException:  # noqa: BLE001 - report anything, then leave without the parent's cleanup
        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
