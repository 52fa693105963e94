"""Treatment records: consent templates and signed consents, plans, sessions and their single-use
cartridges, photos, check-ins, adverse events, recall contacts and appointments.

Signed consents are append-only: triggers refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL), so
the text a client signed and its hash cannot be rewritten by any code path of the application.
"""

from collections.abc import Callable

import django.db.models.deletion
from django.apps.registry import Apps
from django.conf import settings
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

Step = Callable[[Apps, BaseDatabaseSchemaEditor], None]

POSTGRES_FORWARD = [
    """CREATE FUNCTION consent_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'consent is append-only'; END $$""",
    """CREATE TRIGGER consent_no_change BEFORE UPDATE OR DELETE ON consent
       FOR EACH ROW EXECUTE FUNCTION consent_append_only()""",
    """CREATE TRIGGER consent_no_truncate BEFORE TRUNCATE ON consent
       FOR EACH STATEMENT EXECUTE FUNCTION consent_append_only()""",
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER consent_no_truncate ON consent",
    "DROP TRIGGER consent_no_change ON consent",
    "DROP FUNCTION consent_append_only()",
]
SQLITE_FORWARD = [
    """CREATE TRIGGER consent_no_update BEFORE UPDATE ON consent
       BEGIN SELECT RAISE(ABORT, 'consent is append-only'); END""",
    """CREATE TRIGGER consent_no_delete BEFORE DELETE ON consent
       BEGIN SELECT RAISE(ABORT, 'consent is append-only'); END""",
]
SQLITE_BACKWARD = ["DROP TRIGGER consent_no_delete", "DROP TRIGGER consent_no_update"]


def _run(statements_by_vendor: dict[str, list[str]]) -> Step:
    def run(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        del apps
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("storage", "0005_client_recent_and_c_collation"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="clinic",
            name="screening_valid_days",
            field=models.PositiveSmallIntegerField(default=30),
        ),
        migrations.CreateModel(
            name="ConsentTemplate",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("version", models.PositiveIntegerField()),
                ("intro_en", models.TextField()),
                ("intro_es", models.TextField()),
                ("body_en", models.TextField()),
                ("body_es", models.TextField()),
                ("digest_en", models.CharField(max_length=64)),
                ("digest_es", models.CharField(max_length=64)),
                ("kb_version", models.CharField(max_length=32)),
                ("kb_hash", models.CharField(max_length=80)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "clinic",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="storage.clinic"
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
            options={
                "db_table": "consent_template",
            },
        ),
        migrations.CreateModel(
            name="Consent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("version", models.PositiveIntegerField()),
                ("lang", models.CharField(max_length=2)),
                ("signed_text", models.TextField()),
                ("text_digest", models.CharField(max_length=64)),
                ("typed_name", models.CharField(max_length=200)),
                ("method", models.CharField(max_length=10)),
                ("signature_png", models.BinaryField(blank=True, null=True)),
                ("scan", models.BinaryField(blank=True, null=True)),
                ("scan_content_type", models.CharField(blank=True, default="", max_length=40)),
                ("signed_at", models.DateTimeField()),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "client",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="consents", to="storage.client"
                    ),
                ),
                (
                    "clinic",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="storage.clinic"
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
                (
                    "template",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="storage.consenttemplate"
                    ),
                ),
            ],
            options={
                "db_table": "consent",
            },
        ),
        migrations.CreateModel(
            name="RecallContact",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(max_length=10)),
                ("key", models.CharField(max_length=64)),
                ("reason", models.TextField()),
                ("marked_at", models.DateTimeField(auto_now_add=True)),
                ("contacted_at", models.DateTimeField(blank=True, null=True)),
                ("contact_note", models.TextField(blank=True, default="")),
                (
                    "client",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="recall_contacts", to="storage.client"
                    ),
                ),
                (
                    "clinic",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="storage.clinic"
                    ),
                ),
                (
                    "contacted_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "marked_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
            options={
                "db_table": "recall_contact",
            },
        ),
        migrations.CreateModel(
            name="TreatmentPlan",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("goals", models.JSONField()),
                ("sessions_planned", models.PositiveSmallIntegerField()),
                ("min_interval_days", models.PositiveSmallIntegerField()),
                ("products", models.JSONField(default=list)),
                ("findings", models.JSONField(default=list)),
                ("notes", models.TextField(blank=True, default="")),
                ("status", models.CharField(default="active", max_length=10)),
                ("kb_version", models.CharField(max_length=32)),
                ("kb_hash", models.CharField(max_length=80)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("closed_at", models.DateTimeField(blank=True, null=True)),
                (
                    "client",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="plans", to="storage.client"
                    ),
                ),
                (
                    "clinic",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="storage.clinic"
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
            options={
                "db_table": "treatment_plan",
            },
        ),
        migrations.CreateModel(
            name="PlanZone",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("zone", models.CharField(max_length=20)),
                ("length_mm", models.DecimalField(decimal_places=2, max_digits=4)),
                (
                    "plan",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="zones", to="storage.treatmentplan"
                    ),
                ),
            ],
            options={
                "db_table": "plan_zone",
            },
        ),
        migrations.CreateModel(
            name="Appointment",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("starts_at", models.DateTimeField()),
                ("minutes", models.PositiveSmallIntegerField(default=60)),
                ("status", models.CharField(default="booked", max_length=10)),
                ("uid", models.CharField(max_length=64, unique=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "client",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="appointments", to="storage.client"
                    ),
                ),
                (
                    "clinic",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="storage.clinic"
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
                (
                    "practitioner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
                (
                    "plan",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="storage.treatmentplan",
                    ),
                ),
            ],
            options={
                "db_table": "appointment",
            },
        ),
        migrations.CreateModel(
            name="TreatmentSession",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("practitioner_role", models.CharField(max_length=20)),
                ("performed_at", models.DateTimeField()),
                ("device_model", models.CharField(max_length=100)),
                ("device_kind", models.CharField(max_length=10)),
                ("device_serial", models.CharField(blank=True, default="", max_length=64)),
                ("cartridge_lot", models.CharField(max_length=64)),
                ("cartridge_serial", models.CharField(max_length=64)),
                ("cartridge_expiry", models.DateField()),
                ("passes", models.PositiveSmallIntegerField()),
                ("end_point", models.CharField(max_length=200)),
                ("numbing_product", models.CharField(blank=True, default="", max_length=200)),
                (
                    "numbing_lidocaine_percent",
                    models.DecimalField(blank=True, decimal_places=2, max_digits=4, null=True),
                ),
                ("numbing_compounded", models.BooleanField(default=False)),
                ("numbing_zones", models.JSONField(default=list)),
                ("numbing_minutes", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("numbing_occluded", models.BooleanField(default=False)),
                ("numbing_broken_skin", models.BooleanField(default=False)),
                ("numbing_heat", models.BooleanField(default=False)),
                ("pain_score", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("immediate_reactions", models.TextField(blank=True, default="")),
                ("products_applied", models.JSONField(default=list)),
                ("notes", models.TextField(blank=True, default="")),
                ("findings", models.JSONField(default=list)),
                ("checks", models.JSONField(default=list)),
                ("kb_version", models.CharField(max_length=32)),
                ("kb_hash", models.CharField(max_length=80)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "client",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="sessions", to="storage.client"
                    ),
                ),
                (
                    "clinic",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="storage.clinic"
                    ),
                ),
                (
                    "consent",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="storage.consent"
                    ),
                ),
                (
                    "plan",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="sessions", to="storage.treatmentplan"
                    ),
                ),
                (
                    "practitioner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
                (
                    "screening",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="storage.screening"
                    ),
                ),
            ],
            options={
                "db_table": "treatment_session",
            },
        ),
        migrations.CreateModel(
            name="SessionZone",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("zone", models.CharField(max_length=20)),
                ("length_mm", models.DecimalField(decimal_places=2, max_digits=4)),
                (
                    "session",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="zones", to="storage.treatmentsession"
                    ),
                ),
            ],
            options={
                "db_table": "session_zone",
            },
        ),
        migrations.CreateModel(
            name="SessionPhoto",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("image", models.BinaryField()),
                ("content_type", models.CharField(max_length=20)),
                ("width", models.PositiveIntegerField()),
                ("height", models.PositiveIntegerField()),
                ("digest", models.CharField(max_length=64)),
                ("caption", models.CharField(blank=True, default="", max_length=200)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "clinic",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="storage.clinic"
                    ),
                ),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
                (
                    "session",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="photos",
                        to="storage.treatmentsession",
                    ),
                ),
            ],
            options={
                "db_table": "session_photo",
            },
        ),
        migrations.CreateModel(
            name="CheckIn",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("day", models.PositiveSmallIntegerField()),
                ("due_on", models.DateField()),
                ("lang", models.CharField(max_length=2)),
                ("token_digest", models.CharField(max_length=64, unique=True)),
                ("answers", models.JSONField(blank=True, null=True)),
                ("answered_at", models.DateTimeField(blank=True, null=True)),
                ("triage", models.CharField(blank=True, default="", max_length=16)),
                ("alert", models.CharField(default="none", max_length=12)),
                ("acknowledged_at", models.DateTimeField(blank=True, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "acknowledged_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "client",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="checkins", to="storage.client"
                    ),
                ),
                (
                    "clinic",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="storage.clinic"
                    ),
                ),
                (
                    "session",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="checkins",
                        to="storage.treatmentsession",
                    ),
                ),
            ],
            options={
                "db_table": "checkin",
            },
        ),
        migrations.CreateModel(
            name="AdverseEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("cartridge_lot", models.CharField(max_length=64)),
                ("kind", models.CharField(max_length=40)),
                ("severity", models.CharField(max_length=10)),
                ("serious", models.BooleanField(default=False)),
                ("onset_on", models.DateField()),
                ("outcome", models.CharField(max_length=24)),
                ("description", models.TextField()),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "client",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="adverse_events", to="storage.client"
                    ),
                ),
                (
                    "clinic",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="storage.clinic"
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
                (
                    "checkin",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="storage.checkin",
                    ),
                ),
                (
                    "session",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="adverse_events",
                        to="storage.treatmentsession",
                    ),
                ),
            ],
            options={
                "db_table": "adverse_event",
            },
        ),
        migrations.AddConstraint(
            model_name="consenttemplate",
            constraint=models.UniqueConstraint(fields=("clinic", "version"), name="consent_template_version"),
        ),
        migrations.AddIndex(
            model_name="consent",
            index=models.Index(fields=["client", "-version", "-signed_at"], name="consent_client_latest"),
        ),
        migrations.AddIndex(
            model_name="recallcontact",
            index=models.Index(fields=["clinic", "contacted_at"], name="recall_contact_open"),
        ),
        migrations.AddConstraint(
            model_name="recallcontact",
            constraint=models.UniqueConstraint(fields=("clinic", "client", "kind", "key"), name="recall_contact_once"),
        ),
        migrations.AddIndex(
            model_name="treatmentplan",
            index=models.Index(fields=["client", "status", "-created_at"], name="plan_client_status"),
        ),
        migrations.AddConstraint(
            model_name="planzone",
            constraint=models.UniqueConstraint(fields=("plan", "zone"), name="plan_zone_once"),
        ),
        migrations.AddIndex(
            model_name="appointment",
            index=models.Index(fields=["clinic", "practitioner", "starts_at"], name="appointment_day"),
        ),
        migrations.AddIndex(
            model_name="appointment",
            index=models.Index(fields=["client", "starts_at"], name="appointment_client"),
        ),
        migrations.AddIndex(
            model_name="treatmentsession",
            index=models.Index(fields=["client", "-performed_at"], name="session_client_recent"),
        ),
        migrations.AddIndex(
            model_name="treatmentsession",
            index=models.Index(fields=["clinic", "device_serial", "-performed_at", "-id"], name="session_device"),
        ),
        migrations.AddIndex(
            model_name="treatmentsession",
            index=models.Index(fields=["clinic", "practitioner", "performed_at"], name="session_practitioner_day"),
        ),
        migrations.AddConstraint(
            model_name="treatmentsession",
            constraint=models.UniqueConstraint(
                fields=("clinic", "cartridge_lot", "cartridge_serial"), name="cartridge_single_use"
            ),
        ),
        migrations.AddConstraint(
            model_name="sessionzone",
            constraint=models.UniqueConstraint(fields=("session", "zone"), name="session_zone_once"),
        ),
        migrations.AddIndex(
            model_name="checkin",
            index=models.Index(fields=["clinic", "alert", "-answered_at"], name="checkin_alerts"),
        ),
        migrations.AddIndex(
            model_name="checkin",
            index=models.Index(fields=["clinic", "due_on"], name="checkin_due"),
        ),
        migrations.AddConstraint(
            model_name="checkin",
            constraint=models.UniqueConstraint(fields=("session", "day"), name="checkin_once_per_day"),
        ),
        migrations.AddIndex(
            model_name="adverseevent",
            index=models.Index(fields=["clinic", "cartridge_lot"], name="adverse_event_lot"),
        ),
        migrations.AddIndex(
            model_name="adverseevent",
            index=models.Index(fields=["clinic", "-created_at"], name="adverse_event_recent"),
        ),
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
