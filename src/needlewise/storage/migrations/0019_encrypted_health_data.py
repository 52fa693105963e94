"""Health data encrypted at rest: the columns below hold AES-256-GCM sealed values (``storage.sealing``).

The fields change class (JSON documents become sealed text columns), then every existing value is
sealed with the data key, in SQL, so this works on both backends whatever the models become later.
On SQLite, changing a column rebuilds its table and drops its triggers: the consent table's append-only
triggers are set aside while its values are sealed and created again afterwards (and again when going
backwards, after the table is rebuilt to its earlier shape).
"""

from collections.abc import Callable

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

import needlewise.storage.encrypted_fields
from needlewise.storage.resealing import SQLITE_APPEND_ONLY, SealedColumn, Stored, rewrite
from needlewise.storage.sealing import seal, seal_text, unseal, unseal_text

COLUMNS = [
    SealedColumn("client", "notes"),
    SealedColumn("staff_member", "totp_secret"),
    SealedColumn("assessment_document", "body"),
    SealedColumn("screening", "profile"),
    SealedColumn("clearance", "reason"),
    SealedColumn("consultation_request", "message"),
    SealedColumn("consultation_request", "profile"),
    SealedColumn("consent", "signed_text"),
    SealedColumn("consent", "signature_png", binary=True),
    SealedColumn("consent", "scan", binary=True),
    SealedColumn("treatment_plan", "notes"),
    SealedColumn("treatment_session", "immediate_reactions"),
    SealedColumn("treatment_session", "notes"),
    SealedColumn("session_photo", "image", binary=True),
    SealedColumn("checkin", "answers"),
    SealedColumn("checkin", "acknowledged_note"),
    SealedColumn("adverse_event", "description"),
    SealedColumn("saved_result", "profile"),
    SealedColumn("saved_result", "assessment"),
]


def _sealer(column: SealedColumn) -> Callable[[Stored], Stored]:
    def change(stored: Stored) -> Stored:
        if isinstance(stored, bytes):
            return seal(stored, column.name)
        return seal_text(stored, column.name)

    return change


def _opener(column: SealedColumn) -> Callable[[Stored], Stored]:
    def change(stored: Stored) -> Stored:
        if isinstance(stored, bytes):
            return unseal(stored, column.name)
        return unseal_text(stored, column.name)

    return change


def _seal_all(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    del apps
    for column in COLUMNS:
        rewrite(schema_editor.connection, column, _sealer(column))


def _open_all(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    del apps
    for column in COLUMNS:
        rewrite(schema_editor.connection, column, _opener(column))


def _consent_append_only(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    del apps
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_APPEND_ONLY:
            schema_editor.execute(statement)


NOTHING = migrations.RunPython.noop


class Migration(migrations.Migration):
    dependencies = [
        ("storage", "0018_client_search_token"),
    ]

    operations = [
        # going backwards, this runs last: after the consent table is rebuilt to its earlier shape
        migrations.RunPython(NOTHING, _consent_append_only),
        migrations.AlterField(
            model_name="adverseevent",
            name="description",
            field=needlewise.storage.encrypted_fields.EncryptedTextField(),
        ),
        migrations.AlterField(
            model_name="assessmentdocument",
            name="body",
            field=needlewise.storage.encrypted_fields.EncryptedJSONField(),
        ),
        migrations.AlterField(
            model_name="checkin",
            name="acknowledged_note",
            field=needlewise.storage.encrypted_fields.EncryptedTextField(blank=True, db_default="", default=""),
        ),
        migrations.AlterField(
            model_name="checkin",
            name="answers",
            field=needlewise.storage.encrypted_fields.EncryptedJSONField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="clearance",
            name="reason",
            field=needlewise.storage.encrypted_fields.EncryptedTextField(),
        ),
        migrations.AlterField(
            model_name="client",
            name="notes",
            field=needlewise.storage.encrypted_fields.EncryptedTextField(blank=True, default=""),
        ),
        migrations.AlterField(
            model_name="consent",
            name="scan",
            field=needlewise.storage.encrypted_fields.EncryptedBinaryField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="consent",
            name="signature_png",
            field=needlewise.storage.encrypted_fields.EncryptedBinaryField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="consent",
            name="signed_text",
            field=needlewise.storage.encrypted_fields.EncryptedTextField(),
        ),
        migrations.AlterField(
            model_name="consultationrequest",
            name="message",
            field=needlewise.storage.encrypted_fields.EncryptedTextField(blank=True, default=""),
        ),
        migrations.AlterField(
            model_name="consultationrequest",
            name="profile",
            field=needlewise.storage.encrypted_fields.EncryptedJSONField(),
        ),
        migrations.AlterField(
            model_name="savedresult",
            name="assessment",
            field=needlewise.storage.encrypted_fields.EncryptedJSONField(),
        ),
        migrations.AlterField(
            model_name="savedresult",
            name="profile",
            field=needlewise.storage.encrypted_fields.EncryptedJSONField(),
        ),
        migrations.AlterField(
            model_name="screening",
            name="profile",
            field=needlewise.storage.encrypted_fields.EncryptedJSONField(),
        ),
        migrations.AlterField(
            model_name="sessionphoto",
            name="image",
            field=needlewise.storage.encrypted_fields.EncryptedBinaryField(),
        ),
        migrations.AlterField(
            model_name="staffmember",
            name="totp_secret",
            field=needlewise.storage.encrypted_fields.EncryptedTextField(blank=True, default=""),
        ),
        migrations.AlterField(
            model_name="treatmentplan",
            name="notes",
            field=needlewise.storage.encrypted_fields.EncryptedTextField(blank=True, default=""),
        ),
        migrations.AlterField(
            model_name="treatmentsession",
            name="immediate_reactions",
            field=needlewise.storage.encrypted_fields.EncryptedTextField(blank=True, default=""),
        ),
        migrations.AlterField(
            model_name="treatmentsession",
            name="notes",
            field=needlewise.storage.encrypted_fields.EncryptedTextField(blank=True, default=""),
        ),
        migrations.RunPython(_seal_all, _open_all),
        migrations.RunPython(_consent_append_only, NOTHING),
    ]
