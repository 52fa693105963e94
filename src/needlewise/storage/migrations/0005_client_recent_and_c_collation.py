"""The newest clients first without sorting a clinic's rows, and byte-order search keys on PostgreSQL.

Search keys are already normalised (accents removed, case-folded), so comparing them byte by byte
loses nothing; with the C collation PostgreSQL's b-trees serve both ``LIKE 'abc%'`` and the
``ORDER BY family_key, given_key`` of the result, and it can combine the family and given name
indexes instead of walking a whole clinic in name order. SQLite compares bytes already.
"""

from collections.abc import Callable

from django.apps.registry import Apps
from django.conf import settings
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

KEYS = (("family_key", 100), ("given_key", 100), ("phone_digits", 40))
Step = Callable[[Apps, BaseDatabaseSchemaEditor], None]


def _collate(collation: str) -> Step:
    def run(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        del apps
        if schema_editor.connection.vendor != "postgresql":
            return
        for column, length in KEYS:
            schema_editor.execute(
                f'ALTER TABLE client ALTER COLUMN {column} TYPE varchar({length}) COLLATE "{collation}"'
            )

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("storage", "0004_request_contact_name_length"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(_collate("C"), _collate("default")),
        migrations.AddIndex(
            model_name="client",
            index=models.Index(fields=["clinic", "-created_at", "-id"], name="client_recent"),
        ),
    ]
