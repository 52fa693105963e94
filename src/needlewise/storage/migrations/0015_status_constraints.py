"""Status, language, tier, source, role and device-kind columns: choices from the domain's enums, and
check constraints so the database refuses any other value.

On SQLite, changing a column rebuilds its table, and the rebuild drops the table's triggers: the
consent table's append-only triggers are created again afterwards (and again when going backwards).
"""

from django.apps.registry import Apps
from django.conf import settings
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

SQLITE_CONSENT_APPEND_ONLY = [
    """CREATE TRIGGER IF NOT EXISTS consent_no_update BEFORE UPDATE ON consent
       BEGIN SELECT RAISE(ABORT, 'consent is append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS consent_no_delete BEFORE DELETE ON consent
       BEGIN SELECT RAISE(ABORT, 'consent is append-only'); END""",
]


def _consent_append_only(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    del apps
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_CONSENT_APPEND_ONLY:
            schema_editor.execute(statement)


NOTHING = migrations.RunPython.noop


class Migration(migrations.Migration):
    dependencies = [
        ("storage", "0014_owner_clinical_role"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # going backwards, this runs last: after the consent table is rebuilt to its earlier shape
        migrations.RunPython(NOTHING, _consent_append_only),
        migrations.AlterField(
            model_name="checkin",
            name="lang",
            field=models.CharField(choices=[("en", "en"), ("es", "es")], max_length=2),
        ),
        migrations.AlterField(
            model_name="checkin",
            name="triage",
            field=models.CharField(
                blank=True,
                choices=[("expected", "expected"), ("call_clinic", "call_clinic"), ("seek_care_now", "seek_care_now")],
                default="",
                max_length=16,
            ),
        ),
        migrations.AlterField(
            model_name="consent",
            name="lang",
            field=models.CharField(choices=[("en", "en"), ("es", "es")], max_length=2),
        ),
        migrations.AlterField(
            model_name="consent",
            name="method",
            field=models.CharField(choices=[("drawn", "drawn"), ("paper", "paper")], max_length=10),
        ),
        migrations.AlterField(
            model_name="screening",
            name="lang",
            field=models.CharField(choices=[("en", "en"), ("es", "es")], max_length=2),
        ),
        migrations.AlterField(
            model_name="screening",
            name="source",
            field=models.CharField(
                choices=[("staff", "staff"), ("consumer_request", "consumer_request")], default="staff", max_length=20
            ),
        ),
        migrations.AlterField(
            model_name="screening",
            name="tier",
            field=models.CharField(
                choices=[
                    ("home_ok", "home_ok"),
                    ("home_caution", "home_caution"),
                    ("clinic", "clinic"),
                    ("medical_review", "medical_review"),
                    ("stop", "stop"),
                ],
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="treatmentsession",
            name="device_kind",
            field=models.CharField(
                choices=[("roller", "roller"), ("stamp", "stamp"), ("pen", "pen"), ("undecided", "undecided")],
                max_length=10,
            ),
        ),
        migrations.AlterField(
            model_name="treatmentsession",
            name="practitioner_role",
            field=models.CharField(
                choices=[
                    ("owner", "owner"),
                    ("provider", "provider"),
                    ("nurse", "nurse"),
                    ("aesthetician", "aesthetician"),
                    ("front_desk", "front_desk"),
                ],
                max_length=20,
            ),
        ),
        migrations.AddConstraint(
            model_name="checkin",
            constraint=models.CheckConstraint(
                condition=models.Q(("triage__in", ["expected", "call_clinic", "seek_care_now", ""])),
                name="checkin_triage_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="checkin",
            constraint=models.CheckConstraint(
                condition=models.Q(("lang__in", ["en", "es"])), name="checkin_lang_valid"
            ),
        ),
        migrations.AddConstraint(
            model_name="consent",
            constraint=models.CheckConstraint(
                condition=models.Q(("lang__in", ["en", "es"])), name="consent_lang_valid"
            ),
        ),
        migrations.AddConstraint(
            model_name="consent",
            constraint=models.CheckConstraint(
                condition=models.Q(("method__in", ["drawn", "paper"])), name="consent_method_valid"
            ),
        ),
        migrations.AddConstraint(
            model_name="screening",
            constraint=models.CheckConstraint(
                condition=models.Q(("lang__in", ["en", "es"])), name="screening_lang_valid"
            ),
        ),
        migrations.AddConstraint(
            model_name="screening",
            constraint=models.CheckConstraint(
                condition=models.Q(("tier__in", ["home_ok", "home_caution", "clinic", "medical_review", "stop"])),
                name="screening_tier_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="screening",
            constraint=models.CheckConstraint(
                condition=models.Q(("source__in", ["staff", "consumer_request"])), name="screening_source_valid"
            ),
        ),
        migrations.AddConstraint(
            model_name="treatmentsession",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("practitioner_role__in", ["owner", "provider", "nurse", "aesthetician", "front_desk"])
                ),
                name="session_practitioner_role_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="treatmentsession",
            constraint=models.CheckConstraint(
                condition=models.Q(("device_kind__in", ["roller", "stamp", "pen", "undecided"])),
                name="session_device_kind_valid",
            ),
        ),
        # going forwards, this runs last: after the consent table is rebuilt with its constraints
        migrations.RunPython(_consent_append_only, NOTHING),
    ]
