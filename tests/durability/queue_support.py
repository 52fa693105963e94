"""What the message-queue crash tests share: the script that queues their messages, and reading rows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

#: Runs a query on the test's own database connection and gives back its rows.
Rows = Callable[[str], Sequence[tuple[Any, ...]]]


def queue_script(count: int, key_prefix: str) -> str:
    """A Python script that migrates the data folder's database and queues ``count`` e-mails, keyed ``prefix:n``."""
    return f"""
import django
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from needlewise import bootstrap
from needlewise.services.ports import OutboundMessage
for n in range({count}):
    message = OutboundMessage((f"to{{n}}@example.org",), f"Link {{n}}", "Sign in.", key=f"{key_prefix}:{{n}}")
    bootstrap.message_sender().send(message)
"""
