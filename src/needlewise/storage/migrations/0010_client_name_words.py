"""Clients are found by any word of either name: every word of both names in one key, and refolded keys.

``name_words`` holds the words of the given and family names between spaces (`` jose maria nunez ``;
hyphens and other marks split words), so a search word matches the start of any word with
``LIKE '% word%'``. The name keys are computed again for existing rows, folding the letters that
NFKD leaves whole (``ł`` ``ø`` ``đ`` ``æ`` …) as the search now does. The folding is copied here, as
it was when this migration was written, so that later changes to the search cannot change it.
"""

import re
import unicodedata

from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

_FOLDED = str.maketrans(
    {"ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ð": "d", "Ð": "d", "æ": "ae", "Æ": "ae"}
    | {"œ": "oe", "Œ": "oe", "þ": "th", "Þ": "th", "ħ": "h", "Ħ": "h", "\u0131": "i", "ŀ": "l", "Ŀ": "l"}
)
BATCH = 2000


def name_key(text: str) -> str:
    """The search key of a name (as ``clinic.records.clients.name_key`` was at 0010)."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLDED))
    plain = "".join(" " if unicodedata.category(c) == "Cc" else c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())[:100]


def words_key(given_name: str, family_name: str) -> str:
    """Every word of both names between spaces (as ``clinic.records.clients.words_key`` was at 0010)."""
    words = [w for name in (given_name, family_name) for w in re.sub(r"[\W_]+", " ", name_key(name)).split()]
    return f" {' '.join(words)} "


def fill(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Compute the name keys and the words key of every existing client, a batch at a time."""
    del schema_editor
    client_model = apps.get_model("storage", "Client")
    last = 0
    while True:
        batch = list(client_model.objects.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not batch:
            return
        for client in batch:
            client.given_key, client.family_key = name_key(client.given_name), name_key(client.family_name)
            client.name_words = words_key(client.given_name, client.family_name)
        client_model.objects.bulk_update(batch, ["given_key", "family_key", "name_words"])
        last = batch[-1].pk


def _collate(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    del apps
    if schema_editor.connection.vendor == "postgresql":  # byte order, as the other keys (0005)
        schema_editor.execute('ALTER TABLE client ALTER COLUMN name_words TYPE varchar(210) COLLATE "C"')


class Migration(migrations.Migration):
    dependencies = [
        ("storage", "0009_clinic_contact"),
    ]

    operations = [
        migrations.AddField(
            model_name="client",
            name="name_words",
            field=models.CharField(blank=True, db_default="", default="", max_length=210),
        ),
        migrations.RunPython(_collate, migrations.RunPython.noop),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
