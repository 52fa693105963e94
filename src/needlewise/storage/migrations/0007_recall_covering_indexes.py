"""A lot recall reads its sessions and their zones from the unique indexes alone, on PostgreSQL.

The (clinic, lot, serial) constraint that makes a cartridge single-use is also the index a recall
by lot uses. With the columns a recall list shows carried in it (INCLUDE), PostgreSQL answers from
the index without visiting the table's scattered pages: with 10,000,000 sessions the recall's p99
fell from 12-24 ms to 7.5-9.8 ms (docs/benchmarks.md). The same for a session's zones. Django's
constraint definitions stay as they are (``include`` would make Django skip the whole constraint on
SQLite); SQLite keeps the plain unique indexes.
"""

from collections.abc import Callable

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

SESSION_COLUMNS = (
    "id, performed_at, client_id, practitioner_id, device_model, device_kind, device_serial, cartridge_expiry"
)


def _covering(*, include: bool) -> Callable[[Apps, BaseDatabaseSchemaEditor], None]:
    def run(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        del apps
        if schema_editor.connection.vendor != "postgresql":
            return
        session = f" INCLUDE ({SESSION_COLUMNS})" if include else ""
        zone = " INCLUDE (length_mm)" if include else ""
        schema_editor.execute(
            "ALTER TABLE treatment_session DROP CONSTRAINT cartridge_single_use, ADD CONSTRAINT "
            f"cartridge_single_use UNIQUE (clinic_id, cartridge_lot, cartridge_serial){session}"
        )
        schema_editor.execute(
            "ALTER TABLE session_zone DROP CONSTRAINT session_zone_once, ADD CONSTRAINT "
            f"session_zone_once UNIQUE (session_id, zone){zone}"
        )

    return run


class Migration(migrations.Migration):
    dependencies = [("storage", "0006_treatment_records")]

    operations = [migrations.RunPython(_covering(include=True), _covering(include=False))]
