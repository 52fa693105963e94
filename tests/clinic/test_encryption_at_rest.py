"""Health data is encrypted in the database: canaries in every encrypted column never appear in its raw
bytes (here: every column of every table, read with SQL), and the application reads each one back.

The same is shown against a real SQLite file, its WAL and a backup in ``tests/storage/test_data_at_rest.py``.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import FieldError
from django.db import connection

from clinic.canaries import ENCRYPTED, read_back, write_canaries
from needlewise.storage.key_rotation import sealed_columns
from needlewise.storage.models import Client


def _raw_database() -> bytes:
    """Every value of every table, as the database hands it over to SQL."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - catalogue names
            found.extend(
                bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode()
                for row in cursor.fetchall()
                for value in row
            )
    return b"\n".join(found)


@pytest.mark.django_db
def test_canaries_are_absent_from_the_database_and_read_back_by_the_application(site_a, kb) -> None:
    canaries = write_canaries(site_a, kb)
    raw, shown = _raw_database(), read_back()
    assert [column for column, canary in canaries.items() if canary.encode() in raw] == []
    assert [column for column, canary in canaries.items() if canary not in shown] == []


#: Sealed columns that hold secrets rather than health data: queued e-mails carry sign-in and reset links.
SECRETS = ("queued_message.text", "queued_message.html", "queued_message.unsubscribe_url")
#: The written reason for a break-glass opening (it may describe the client's condition); its own tests read it back.
REASONS = ("emergency_access.reason",)


def test_every_health_data_column_is_encrypted_and_nothing_else_is() -> None:
    assert sorted(column.name for column in sealed_columns()) == sorted((*ENCRYPTED, *SECRETS, *REASONS))


@pytest.mark.django_db
def test_an_encrypted_column_refuses_comparisons_in_sql_but_not_isnull(site_a) -> None:
    with pytest.raises(FieldError, match="Unsupported lookup"):
        list(Client.objects.filter(clinical_notes="pregnant"))
    assert Client.objects.filter(pk=site_a.client.pk, clinical_notes__isnull=False).count() == 1
