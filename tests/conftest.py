"""Shared fixtures: the real knowledge base, loaded once; each test starts in the default language."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import overload

import pytest
from django.core.mail import EmailMessage
from django.utils import translation

from needlewise.engine.knowledge import KnowledgeBase
from needlewise.kb.loader import load_knowledge_base


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_knowledge_base()


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """A request in Spanish leaves Spanish active in its thread; the next test must not inherit it."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _worker_keeps_the_test_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker run inside a test keeps the test's database connection.

    django-tasks' worker calls ``close_old_connections()`` on each loop, as a long-running process
    should; inside a test's transaction (autocommit off) that closes the connection and ends the test
    on PostgreSQL. Django's own test cases disconnect that call from the request signals for the same
    reason; here it is the worker module's reference that is replaced.
    """
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)


@pytest.fixture
def deliver_queue() -> Callable[[], int]:
    """Look at the queue once here, as the worker does (ready jobs, then due messages); how many were handled."""
    from needlewise.messaging.worker import run_once  # noqa: PLC0415 - Django is set up by then

    return lambda: run_once("test-worker")


class DeliveredMail(Sequence[EmailMessage]):
    """Django's test outbox as a queue worker leaves it: each read first runs the jobs that are ready."""

    def __init__(self, deliver: Callable[[], int], outbox: list[EmailMessage]) -> None:
        self._deliver, self._outbox = deliver, outbox

    def _delivered(self) -> list[EmailMessage]:
        self._deliver()
        return self._outbox

    @overload
    def __getitem__(self, index: int) -> EmailMessage: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[EmailMessage]: ...
    def __getitem__(self, index: int | slice) -> EmailMessage | Sequence[EmailMessage]:
        return self._delivered()[index]

    def __len__(self) -> int:
        return len(self._delivered())

    def __eq__(self, other: object) -> bool:
        return self._delivered() == other

    __hash__ = None  # type: ignore[assignment] - compared like a list


@pytest.fixture
def delivered_mail(mailoutbox: list[EmailMessage], deliver_queue: Callable[[], int]) -> DeliveredMail:
    """The messages the queue worker has e-mailed (Django's test backend), after it has run every ready job."""
    return DeliveredMail(deliver_queue, mailoutbox)
