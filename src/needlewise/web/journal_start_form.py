"""The journal start form's one-time token: a random nonce signed with the time its page was made.

The page carries it in a hidden field; the view reads it back (:func:`read_once`) and starts the
journal through :func:`needlewise.services.journal_starts.start_once`, so posting the same form twice
starts one journal. A token older than :data:`~needlewise.services.journal_starts.START_WINDOW`, or
not one this server signed, is refused: the page is shown again with a fresh one, to start again.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing

from needlewise import bootstrap
from needlewise.domain.json_types import JsonValue
from needlewise.domain.vocabulary import Lang
from needlewise.errors import N_, ConflictError, Problem
from needlewise.services import journal
from needlewise.services.journal_starts import START_WINDOW, StartOnce, start_once
from needlewise.services.saved_results import new_token
from needlewise.web.views.common import knowledge

FIELD = "once"
_SALT = "needlewise.journal-start.form"


#: Why a start form's token is refused (too old, or not made here): the person starts again.
STALE = N_("This page is more than a day old. Press the button again to start.")


def new_once() -> str:
    """A fresh token for a start form's hidden field."""
    return signing.TimestampSigner(salt=_SALT).sign(new_token())


def read_once(value: str) -> StartOnce:
    """The start of the form whose token is ``value``; ``ConflictError`` (at ``start``) if it is too old or not ours.

    A conflict, as for a form whose journal was deleted since: the page is shown again to start again.
    """
    try:
        nonce = signing.TimestampSigner(salt=_SALT).unsign(value, max_age=START_WINDOW)
    except signing.BadSignature as stale:  # SignatureExpired too
        raise ConflictError([Problem("start", STALE)]) from stale
    return StartOnce.of(nonce, settings.SECRET_KEY.encode())


def start_from_form(
    posted: str, document: dict[str, JsonValue], lang: Lang, email: str | None, zone: str | None
) -> str:
    """Start the form's journal (once for its token ``posted``; without one, an older page's, as before); its token.

    ``ConflictError`` (the form is too old, or its journal was deleted), and the errors of ``start_journal``.
    """
    if not posted:
        token, _view = journal.start_journal(bootstrap.journals(), document, knowledge(), lang, email, time_zone=zone)
        return token
    once = read_once(posted)
    token, _view = start_once(bootstrap.journals(), once, document, knowledge(), lang, email=email, time_zone=zone)
    return token
