"""A home journal's changes and its reminders, together: the pages and the JSON API change a journal through here.

The reminders need the journal's link, which only the request that changes the journal holds: each
change runs in one transaction with :func:`needlewise.messaging.journal_reminders.follow`, the links
absolute on the request's site. Taking the address away (:func:`emailed` with ``None``) or deleting
the journal cancels its waiting reminders in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse

from needlewise import bootstrap
from needlewise.domain.vocabulary import Lang
from needlewise.messaging import journal_reminders
from needlewise.services import journal
from needlewise.services.journal_state import JournalView
from needlewise.services.saved_results import digest

T = TypeVar("T")


def links(request: HttpRequest, token: str) -> journal_reminders.Links:
    """The journal's private link and its stop-reminders link, absolute on the request's site."""
    stop = reverse("journal-reminders-stop", args=[journal_reminders.stop_token(digest(token))])
    return journal_reminders.Links(request.build_absolute_uri(f"/journal/{token}/"), request.build_absolute_uri(stop))


def reminded(request: HttpRequest, token: str, change: Callable[[], JournalView]) -> JournalView:
    """Run ``change`` (a use case on the journal behind ``token``), then bring its reminders in line, as one."""
    with transaction.atomic():
        view = change()
        journal_reminders.follow(token, view, links(request, token))
    return view


def checked(request: HttpRequest, token: str, change: Callable[[], T]) -> T:
    """Run ``change`` (one that may move the next day and gives no view: a skin check), then the reminders, as one.

    The journal is read again only to see whether it has an address; its view is made only if it has.
    """
    with transaction.atomic():
        done = change()
        record = bootstrap.journals().get(digest(token))
        if record is not None and record.email is not None:
            view = journal.stored_view(record, bootstrap.knowledge_base(), None)
            journal_reminders.follow(token, view, links(request, token))
    return done


def emailed(
    request: HttpRequest, token: str, email: str | None, lang: Lang | None, time_zone: str | None = None
) -> JournalView:
    """Send the journal's reminders to ``email`` from now on (queued at once), or none (``None``): one transaction.

    ``time_zone`` (an IANA name; ``None`` keeps the journal's) moves each waiting reminder to 09:00 there.
    """
    with transaction.atomic():
        view = journal.change_email(
            bootstrap.journals(), token, email, bootstrap.knowledge_base(), lang, time_zone=time_zone
        )
        if view.reminders:
            journal_reminders.follow(token, view, links(request, token))
        else:
            journal_reminders.forget(token, "reminders stopped")
    return view


def deleted(token: str) -> bool:
    """Delete the journal behind ``token`` and cancel its waiting reminders, in one transaction; whether it existed."""
    with transaction.atomic():
        journal_reminders.forget(token, "journal deleted")
        return journal.delete_journal(bootstrap.journals(), token)
