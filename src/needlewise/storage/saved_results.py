"""Django implementation of the ``SavedResults`` port."""

from __future__ import annotations

from django.db import transaction

from needlewise.services.ports import SavedResultRecord
from needlewise.storage.models import SavedResult


class DjangoSavedResults:
    """Saved results in the Django database; each write is its own transaction."""

    def add(self, record: SavedResultRecord) -> None:
        """Store ``record``; committed when this returns."""
        with transaction.atomic():
            SavedResult.objects.create(
                token_digest=record.token_digest,
                lang=record.lang,
                profile=record.profile,
                kb_version=record.kb_version,
                kb_hash=record.kb_hash,
                tier=record.tier,
                assessment=record.assessment,
            )

    def get(self, token_digest: str) -> SavedResultRecord | None:
        """The record with this digest, if any."""
        row = SavedResult.objects.filter(token_digest=token_digest).first()
        if row is None:
            return None
        return SavedResultRecord(
            token_digest=row.token_digest,
            lang=row.lang,
            profile=row.profile,
            kb_version=row.kb_version,
            kb_hash=row.kb_hash,
            tier=row.tier,
            assessment=row.assessment,
            created_at=row.created_at,
        )

    def delete(self, token_digest: str) -> bool:
        """Delete the record; whether one existed."""
        with transaction.atomic():
            deleted, _ = SavedResult.objects.filter(token_digest=token_digest).delete()
        return deleted > 0
