"""Django implementation of the ``Journals`` port: one row per journal, read by the digest of its link."""

from __future__ import annotations

from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils import timezone

from needlewise.services.journal_starts import MARK_KEPT
from needlewise.services.ports import JournalRecord
from needlewise.storage.models import Journal, JournalStart


def _record(row: Journal) -> JournalRecord:
    return JournalRecord(
        token_digest=row.token_digest,
        lang=row.lang,
        profile=row.profile,
        state=row.state,
        email=row.email or None,
        created_at=row.created_at,
        time_zone=row.time_zone or None,
    )


def _create(record: JournalRecord) -> None:
    Journal.objects.create(
        token_digest=record.token_digest,
        lang=record.lang,
        profile=record.profile,
        state=record.state,
        email=record.email or "",
        time_zone=record.time_zone or "",
    )


class DjangoJournals:
    """Journals in the Django database; each write is its own transaction."""

    def add(self, record: JournalRecord) -> None:
        """Store ``record``; committed when this returns."""
        with transaction.atomic():
            _create(record)

    def add_once(self, record: JournalRecord, mark: str) -> bool:
        """Store ``record`` with the start form's ``mark`` in one transaction; ``False`` (nothing stored): mark used.

        A post of the same form at the same moment waits for the first one's commit on the unique mark,
        then finds it. Marks older than :data:`MARK_KEPT` are forgotten here (their forms are refused anyway).
        """
        JournalStart.objects.filter(created_at__lt=timezone.now() - MARK_KEPT).delete()
        try:
            with transaction.atomic():
                JournalStart.objects.create(mark=mark)
                _create(record)
        except IntegrityError:
            return False
        return True

    def get(self, token_digest: str) -> JournalRecord | None:
        """The journal with this digest, if any."""
        row = Journal.objects.filter(token_digest=token_digest).first()
        return _record(row) if row is not None else None

    def change(self, token_digest: str, update: Callable[[JournalRecord], JournalRecord]) -> JournalRecord | None:
        """Hold the journal's row, let ``update`` decide its new profile and state, write them; None if none."""
        with transaction.atomic():
            row = Journal.objects.select_for_update().filter(token_digest=token_digest).first()
            if row is None:
                return None
            before = _record(row)
            changed = update(before)
            row.profile = changed.profile
            row.state = changed.state
            # Each sealed column written is encrypted again: a logged session leaves the answers as they were.
            row.save(update_fields=["state"] if changed.profile == before.profile else ["profile", "state"])
        return changed

    def delete(self, token_digest: str) -> bool:
        """Delete the journal and everything in it; whether one existed."""
        with transaction.atomic():
            deleted, _ = Journal.objects.filter(token_digest=token_digest).delete()
        return deleted > 0

    def set_email(self, token_digest: str, email: str | None, time_zone: str | None = None) -> bool:
        """Keep ``email`` for reminders (``None``: forget it) and ``time_zone`` if given; whether the journal exists."""
        fields = {"email": email or ""} | ({"time_zone": time_zone} if time_zone is not None else {})
        with transaction.atomic():
            changed = Journal.objects.filter(token_digest=token_digest).update(**fields)
        return changed > 0
