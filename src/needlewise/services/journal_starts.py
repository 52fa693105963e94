"""Starting a journal from a one-time form: the same form posted twice starts one journal; both answers show its link.

The start form carries a random one-time ``nonce`` (the web page signs it with the time it was made,
and refuses one older than :data:`START_WINDOW`). The journal's secret is derived from it with the
server's secret (HMAC-SHA-256), so a repeat of the form (a double click, a resubmission after a slow
answer) finds the same journal and can show the same link again; its link's secret is still never
stored. The storage keeps a mark of each nonce used (its SHA-256, never the secret) in the same
transaction as the journal, under a unique constraint: two posts at once make one journal, and the
mark outlives the journal, so a deleted journal's form does not start it again
(``ConflictError`` naming ``start``).

Signature: ``start_once(store, once, profile, kb, lang, *, email=None, time_zone=None) -> tuple[str, JournalView]``
as :func:`~needlewise.services.journal.start_journal`, with ``once`` the form's :class:`StartOnce`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass, replace
from datetime import timedelta

from needlewise.domain.json_types import JsonValue
from needlewise.domain.vocabulary import Lang
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.errors import N_, ConflictError, Problem
from needlewise.services.journal import check_email, check_time_zone, parsed_profile, stored_view
from needlewise.services.journal_state import JournalView, journal_view
from needlewise.services.ports import JournalRecord, Journals
from needlewise.services.saved_results import TOKEN_BYTES, digest

#: How long a start form may be posted after its page was made (a repeat within it shows the same link).
START_WINDOW = timedelta(days=1)
#: How long the storage keeps the mark of a used form: longer than the window, so a repeat always finds it.
MARK_KEPT = 2 * START_WINDOW
_KEY_CONTEXT = b"needlewise.journal-start.key:"
_MARK_CONTEXT = b"needlewise.journal-start.mark:"
_GONE = N_(
    "This form already started a journal, and that journal was deleted. Press the button again to start a new one."
)


@dataclass(frozen=True, slots=True)
class StartOnce:
    """One start form's identity: the journal's secret derived from its nonce, and the stored mark of the nonce."""

    token: str
    mark: str

    @classmethod
    def of(cls, nonce: str, secret: bytes) -> StartOnce:
        """The start of the form with ``nonce``; ``secret`` is the server's (never stored with the journal)."""
        key = hmac.new(secret, _KEY_CONTEXT + nonce.encode(), hashlib.sha256).digest()[:TOKEN_BYTES]
        token = base64.urlsafe_b64encode(key).rstrip(b"=").decode()  # the shape of a new_token()
        return cls(token, hashlib.sha256(_MARK_CONTEXT + nonce.encode()).hexdigest())


def _gone() -> ConflictError:
    text = (
        "This form already started a journal, and that journal was deleted. Press the button again to start a new one."
    )
    return ConflictError([Problem("start", N_(text))])


def start_once(  # noqa: PLR0913 - start_journal's, and the form's start
    store: Journals,
    once: StartOnce,
    profile: dict[str, JsonValue],
    kb: KnowledgeBase,
    lang: Lang,
    *,
    email: str | None = None,
    time_zone: str | None = None,
) -> tuple[str, JournalView]:
    """Start the journal of ``once``'s form, or find the one it started; its secret token and its view."""
    token_digest = digest(once.token)
    existing = store.get(token_digest)
    if existing is not None:
        return once.token, stored_view(existing, kb, lang)
    parsed = parsed_profile(profile)
    check_email(email)
    check_time_zone(time_zone)
    state: dict[str, JsonValue] = {"sessions": [], "device": None}
    record = JournalRecord(token_digest, lang.value, profile, state, email, time_zone=time_zone)
    if not store.add_once(record, once.mark):
        existing = store.get(token_digest)  # started by a post of the same form at the same moment, or deleted since
        if existing is None:
            raise _gone()
        return once.token, stored_view(existing, kb, lang)
    view = journal_view(kb, parsed, profile, record.state, lang)
    return once.token, replace(view, reminders=email is not None, time_zone=time_zone)
