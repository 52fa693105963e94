"""PostgreSQL prefix-search indexes, the audit chain's head row, and triggers that make audit_entry append-only.

Client search matches the start of names and phone numbers (``LIKE 'abc%'``). PostgreSQL uses a b-tree
for that only with ``varchar_pattern_ops`` unless the database collation is C; SQLite scans the
clinic's rows through the ``client_*`` indexes of 0002.

The triggers refuse UPDATE and DELETE (and, on PostgreSQL, TRUNCATE) of audit rows from any
connection, so no code path of the application can rewrite history; someone with the right to drop
triggers still can, and ``needlewise audit verify`` then names the first row changed.
"""

from collections.abc import Callable

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

Step = Callable[[Apps, BaseDatabaseSchemaEditor], None]

POSTGRES_FORWARD = [
    "CREATE INDEX client_family_prefix ON client (clinic_id, family_key varchar_pattern_ops)",
    "CREATE INDEX client_given_prefix ON client (clinic_id, given_key varchar_pattern_ops)",
    "CREATE INDEX client_phone_prefix ON client (clinic_id, phone_digits varchar_pattern_ops)",
    """CREATE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'audit_entry is append-only'; END $$""",
    """CREATE TRIGGER audit_entry_no_change BEFORE UPDATE OR DELETE ON audit_entry
       FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()""",
    """CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry
       FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only()""",
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER audit_entry_no_truncate ON audit_entry",
    "DROP TRIGGER audit_entry_no_change ON audit_entry",
    "DROP FUNCTION audit_entry_append_only()",
    "DROP INDEX client_phone_prefix",
    "DROP INDEX client_given_prefix",
    "DROP INDEX client_family_prefix",
]
SQLITE_FORWARD = [
    """CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry
       BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END""",
    """CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry
       BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END""",
]
SQLITE_BACKWARD = ["DROP TRIGGER audit_entry_no_delete", "DROP TRIGGER audit_entry_no_update"]


def _run(statements_by_vendor: dict[str, list[str]]) -> Step:
    def run(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        del apps
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


def _head(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    del schema_editor
    apps.get_model("storage", "AuditHead").objects.get_or_create(pk=1, defaults={"seq": 0, "hash": "0" * 64})


class Migration(migrations.Migration):
    dependencies = [("storage", "0002_clinic_workspace")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
        migrations.RunPython(_head, migrations.RunPython.noop),
    ]
