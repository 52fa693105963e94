"""A client's notes in two (issue 13, L7): contact notes every role sees, clinical notes for clinical roles.

Existing notes become clinical notes, the safe side: they may hold health data. Their sealed values
name their column, so each is opened as ``client.notes`` and sealed again as ``client.clinical_notes``
(and back, going backwards).
"""

from collections.abc import Callable

from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

from needlewise.storage.resealing import SealedColumn, Stored, rewrite
from needlewise.storage.sealing import seal_text, unseal_text

OLD, NEW = "client.notes", "client.clinical_notes"


def _moved(source: str, target: str) -> Callable[[Stored], Stored]:
    def change(stored: Stored) -> Stored:
        assert isinstance(stored, str)  # noqa: S101 - a text column
        return seal_text(unseal_text(stored, source), target)

    return change


def _forwards(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    del apps
    rewrite(schema_editor.connection, SealedColumn("client", "clinical_notes"), _moved(OLD, NEW))


def _backwards(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    del apps
    rewrite(schema_editor.connection, SealedColumn("client", "clinical_notes"), _moved(NEW, OLD))


class Migration(migrations.Migration):
    dependencies = [("storage", "0020_message_queue")]

    operations = [
        migrations.RenameField(model_name="client", old_name="notes", new_name="clinical_notes"),
        migrations.AddField(
            model_name="client",
            name="contact_notes",
            field=models.TextField(blank=True, default="", db_default=""),
        ),
        migrations.RunPython(_forwards, _backwards),
    ]
