"""Keeping a result only when its holder asks, behind an unguessable link, and deleting it on request.

The link's secret is never stored: only its SHA-256 digest is, so a copy of the database does not
reveal anyone's link.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from needlewise.domain.assessment import Assessment
from needlewise.domain.json_types import JsonValue
from needlewise.domain.vocabulary import Lang
from needlewise.engine.evaluate import assess
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.services.ports import SavedResultRecord, SavedResults
from needlewise.services.profiles import parse_profile

TOKEN_BYTES = 24


def digest(token: str) -> str:
    """The stored form of a link's secret."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    """A new unguessable secret for a link."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def save_result(store: SavedResults, profile: dict[str, JsonValue], kb: KnowledgeBase, lang: Lang) -> str:
    """Assess ``profile`` and keep it; returns the secret token for its link."""
    assessment = assess(parse_profile(profile), kb, lang)
    token = new_token()
    store.add(
        SavedResultRecord(
            token_digest=digest(token),
            lang=lang.value,
            profile=profile,
            kb_version=kb.version.version,
            kb_hash=kb.version.content_hash,
            tier=assessment.tier.value,
            assessment=assessment.to_json(),
        )
    )
    return token


@dataclass(frozen=True, slots=True)
class SavedResultView:
    """A saved result, re-assessed with today's knowledge base, and what it said when saved."""

    record: SavedResultRecord
    current: Assessment

    @property
    def knowledge_changed(self) -> bool:
        """Whether the knowledge base changed since the result was saved."""
        return self.record.kb_hash != self.current.kb_version.content_hash

    @property
    def tier_changed(self) -> bool:
        """Whether today's verdict differs from the saved one."""
        return self.record.tier != self.current.tier.value


def open_result(store: SavedResults, token: str, kb: KnowledgeBase, lang: Lang) -> SavedResultView | None:
    """The saved result behind ``token``, or None."""
    record = store.get(digest(token))
    if record is None:
        return None
    return SavedResultView(record, assess(parse_profile(record.profile), kb, lang))


def delete_result(store: SavedResults, token: str) -> bool:
    """Delete the saved result behind ``token``; whether there was one."""
    return store.delete(digest(token))
