"""One keyed audit chain per clinic: ``chain`` and ``key_id`` on audit rows, a head row per chain.

The rows written so far stay where they are as the legacy chain (``chain`` -1, unkeyed SHA-256, its
head the old single head row, id 1), verified by the old rule; new rows go into the chain of their
clinic (0 for rows of no clinic), each a keyed HMAC chain from its own start. A head is made here for
every clinic and for chain 0; a clinic made later gets its head with its first row. The owner's
audit page now orders a clinic's rows by id (its legacy rows and its own chain's rows together),
so its indexes follow.

On SQLite, changing audit_entry rebuilds the table, which drops the append-only triggers of 0003:
they are made again here.
"""

from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

GENESIS = "0" * 64
SQLITE_TRIGGERS = [
    "DROP TRIGGER IF EXISTS audit_entry_no_update",
    "DROP TRIGGER IF EXISTS audit_entry_no_delete",
    """CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry
       BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END""",
    """CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry
       BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END""",
]


def _heads(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    del schema_editor
    head = apps.get_model("storage", "AuditHead")
    head.objects.get_or_create(pk=1, defaults={"chain": -1, "seq": 0, "hash": GENESIS})
    chains = [0, *apps.get_model("storage", "Clinic").objects.values_list("pk", flat=True)]
    head.objects.bulk_create([head(chain=chain, seq=0, hash=GENESIS) for chain in chains], ignore_conflicts=True)


def _triggers(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    del apps
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_TRIGGERS:
            schema_editor.execute(statement)


def _no_heads(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    del schema_editor
    apps.get_model("storage", "AuditHead").objects.exclude(chain=-1).delete()


class Migration(migrations.Migration):
    dependencies = [("storage", "0023_queued_message_due")]

    operations = [
        migrations.AddField("auditentry", "chain", models.BigIntegerField(default=-1)),
        migrations.AddField("auditentry", "key_id", models.CharField(max_length=8, blank=True, default="")),
        migrations.AlterField("auditentry", "seq", models.BigIntegerField()),
        migrations.AddConstraint(
            "auditentry", models.UniqueConstraint(fields=["chain", "seq"], name="audit_chain_seq")
        ),
        migrations.RemoveIndex("auditentry", "audit_clinic_recent"),
        migrations.RemoveIndex("auditentry", "audit_client_recent"),
        migrations.AddIndex("auditentry", models.Index(fields=["clinic_id", "-id"], name="audit_clinic_newest")),
        migrations.AddIndex("auditentry", models.Index(fields=["client_id", "-id"], name="audit_client_newest")),
        migrations.AddField("audithead", "chain", models.BigIntegerField(unique=True, default=-1)),
        migrations.RunPython(_heads, _no_heads),
        migrations.RunPython(_triggers, _triggers),
    ]
