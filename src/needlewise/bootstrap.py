"""Composition root: the one place that picks concrete parts (the knowledge base, storage, the message sender)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from needlewise.engine.knowledge import KnowledgeBase
from needlewise.engine.prepared import prepare
from needlewise.kb.loader import load_knowledge_base
from needlewise.services.ports import Journals, MessageSender, SavedResults

if TYPE_CHECKING:
    from needlewise.storage.backup import BackupReport, RestoreReport
    from needlewise.storage.key_rotation import Rotation


@cache
def knowledge_base(directory: Path | None = None) -> KnowledgeBase:
    """The knowledge base in ``directory`` (default: the bundled one), loaded and compiled once per process.

    Its compiled form (conditions as functions, texts per language) lives with it, built here so that
    no request pays for it.
    """
    kb = load_knowledge_base(directory)
    prepare(kb)
    return kb


def saved_results() -> SavedResults:
    """Where saved results live: the Django database (needs Django configured)."""
    from needlewise.storage.saved_results import DjangoSavedResults  # noqa: PLC0415 - Django only when asked

    return DjangoSavedResults()


def journals() -> Journals:
    """Where home journals live: the Django database (needs Django configured)."""
    from needlewise.storage.journals import DjangoJournals  # noqa: PLC0415 - Django only when asked

    return DjangoJournals()


def message_sender() -> MessageSender:
    """Where outbound messages go: the durable queue, in the caller's transaction (needs Django configured).

    The worker (:func:`run_worker`) hands each one to Django's configured e-mail backend.
    """
    from needlewise.messaging.outbox import OutboxSender  # noqa: PLC0415 - Django only when asked

    return OutboxSender()


def run_worker(*, interval: float, stopped: Callable[[], bool]) -> int:
    """Run the queue's jobs until ``stopped()`` (needs Django configured); how many ran."""
    from needlewise.messaging.worker import run  # noqa: PLC0415 - Django only when asked

    return run(interval=interval, stopped=stopped)


def messages_reach_people() -> bool:
    """Whether :func:`message_sender` delivers (a mail server is set up), or only writes to the server log."""
    from needlewise.adapters.mail import delivers  # noqa: PLC0415 - Django only when asked

    return delivers()


def mail_channel_missing() -> bool:
    """Outside development (``NEEDLEWISE_DEBUG`` off), whether no mail server is set up: messages reach no one.

    In development the server log is the channel; anywhere else it is an error the owner must see.
    """
    from django.conf import settings  # noqa: PLC0415 - Django only when asked

    return not settings.DEBUG and not messages_reach_people()


def sms_channel_missing() -> bool:
    """Outside development (``NEEDLEWISE_DEBUG`` off), whether no SMS provider is set up: SMS reach no one."""
    from django.conf import settings  # noqa: PLC0415 - Django only when asked

    from needlewise.adapters.sms import configured  # noqa: PLC0415 - Django only when asked

    return not settings.DEBUG and not configured()


def backup_database(target: Path) -> BackupReport:
    """Back up the configured database to ``target`` (needs Django configured); see ``storage.backup``."""
    from needlewise.storage.backup import backup_database as backup  # noqa: PLC0415 - Django only when asked

    return backup(target)


def restore_database(source: Path, before_replacing: Callable[[], object]) -> RestoreReport:
    """Replace the configured database's tables with the backup ``source`` (needs Django configured).

    ``before_replacing`` is called once every check has passed; an exception from it stops the restore.
    """
    from needlewise.storage.backup import restore_database as restore  # noqa: PLC0415 - Django only when asked

    return restore(source, before_replacing)


def database_description() -> str:
    """The configured database in words, for prompts (needs Django configured)."""
    from needlewise.storage.backup import describe_database  # noqa: PLC0415 - Django only when asked

    return describe_database()


def check_data_keys() -> None:
    """Raise DataKeyError when the configured data key cannot read the database (needs Django configured)."""
    from needlewise.storage.key_rotation import check_keys  # noqa: PLC0415 - Django only when asked

    check_keys()


def rotate_data_key() -> Rotation:
    """Re-encrypt the database's health data under a new data key (needs Django configured)."""
    from needlewise.storage.key_rotation import rotate  # noqa: PLC0415 - Django only when asked

    return rotate()


def new_data_key() -> str:
    """A new random data key, written as ``NEEDLEWISE_DATA_KEY`` and the key file take it."""
    from needlewise.storage.data_keys import new_key  # noqa: PLC0415 - Django only when asked

    return new_key()
