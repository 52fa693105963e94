"""The client search index: a token table read by b-tree ranges, filled for the clients already on file.

``name_words LIKE '% word%'`` and ``phone_digits LIKE '%digits%'`` serve no index, so a search walked a
clinic's clients in name order (issue 11's benchmark). ``client_search_token`` holds every word of both
names (``n:word``) and every suffix of the phone digits (``p:suffix``) of each client, with the client's
name keys and archived flag, so a search finds and orders its page in the index; a search part is the
range of tokens starting with it. PostgreSQL compares the text columns byte by byte (``COLLATE "C"``), as
SQLite does, so both give the same ranges and the same order. The tokens of existing clients are computed from their
stored keys as ``clinic.records.search_index.tokens`` did when this migration was written (copied here
so that later changes to the index cannot change it).
"""

import django.db.models.deletion
from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

BATCH = 2000


def tokens(name_words: str, phone_digits: str) -> set[str]:
    """The tokens of a client (as ``clinic.records.search_index.tokens`` was at 0018)."""
    words = {"n:" + word for word in name_words.split()}
    return words | {"p:" + phone_digits[i:] for i in range(len(phone_digits))}


def fill(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Index every existing client, a batch at a time."""
    del schema_editor
    client_model = apps.get_model("storage", "Client")
    token_model = apps.get_model("storage", "ClientSearchToken")
    last = 0
    while True:
        batch = list(
            client_model.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "clinic_id", "name_words", "phone_digits", "family_key", "given_key", "archived_at")[
                :BATCH
            ]
        )
        if not batch:
            return
        token_model.objects.bulk_create(
            token_model(
                clinic_id=clinic,
                client_id=pk,
                token=token,
                family_key=family,
                given_key=given,
                archived=archived_at is not None,
            )
            for pk, clinic, words, digits, family, given, archived_at in batch
            for token in sorted(tokens(words, digits))
        )
        last = batch[-1][0]


def _collate(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    del apps
    if schema_editor.connection.vendor == "postgresql":  # byte order, as the client's keys (0005)
        schema_editor.execute(
            'ALTER TABLE client_search_token ALTER COLUMN token TYPE varchar(110) COLLATE "C", '
            'ALTER COLUMN family_key TYPE varchar(100) COLLATE "C", ALTER COLUMN given_key TYPE varchar(100) COLLATE "C"'
        )


class Migration(migrations.Migration):
    dependencies = [
        ("storage", "0017_recovery_codes"),
    ]

    operations = [
        migrations.CreateModel(
            name="ClientSearchToken",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("token", models.CharField(max_length=110)),
                ("family_key", models.CharField(max_length=100)),
                ("given_key", models.CharField(max_length=100)),
                ("archived", models.BooleanField(default=False)),
                (
                    "client",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="storage.client",
                    ),
                ),
                (
                    "clinic",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="storage.clinic",
                    ),
                ),
            ],
            options={
                "db_table": "client_search_token",
                "indexes": [
                    models.Index(
                        fields=["clinic", "token", "family_key", "given_key", "client", "archived"],
                        name="client_search_token_range",
                    )
                ],
                "constraints": [models.UniqueConstraint(fields=("client", "token"), name="client_search_token_unique")],
            },
        ),
        migrations.RunPython(_collate, migrations.RunPython.noop),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
