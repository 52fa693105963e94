"""Status columns hold only their domain enum's values: choices from the enums and a check constraint each.

The staff role, a consultation request's, a plan's and an appointment's status, a check-in's alert and
an adverse event's severity and outcome. Every value the use cases ever wrote is one of them.
"""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("storage", "0007_recall_covering_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="adverseevent",
            name="outcome",
            field=models.CharField(
                choices=[
                    ("ongoing", "ongoing"),
                    ("resolved", "resolved"),
                    ("resolved_with_sequelae", "resolved_with_sequelae"),
                    ("unknown", "unknown"),
                ],
                max_length=24,
            ),
        ),
        migrations.AlterField(
            model_name="adverseevent",
            name="severity",
            field=models.CharField(
                choices=[("mild", "mild"), ("moderate", "moderate"), ("severe", "severe")], max_length=10
            ),
        ),
        migrations.AlterField(
            model_name="appointment",
            name="status",
            field=models.CharField(
                choices=[("booked", "booked"), ("cancelled", "cancelled")], default="booked", max_length=10
            ),
        ),
        migrations.AlterField(
            model_name="checkin",
            name="alert",
            field=models.CharField(
                choices=[("none", "none"), ("open", "open"), ("acknowledged", "acknowledged")],
                default="none",
                max_length=12,
            ),
        ),
        migrations.AlterField(
            model_name="consultationrequest",
            name="status",
            field=models.CharField(
                choices=[("open", "open"), ("accepted", "accepted"), ("declined", "declined")],
                default="open",
                max_length=12,
            ),
        ),
        migrations.AlterField(
            model_name="treatmentplan",
            name="status",
            field=models.CharField(
                choices=[("active", "active"), ("closed", "closed")], default="active", max_length=10
            ),
        ),
        migrations.AddConstraint(
            model_name="adverseevent",
            constraint=models.CheckConstraint(
                condition=models.Q(("severity__in", ["mild", "moderate", "severe"])),
                name="adverse_event_severity_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="adverseevent",
            constraint=models.CheckConstraint(
                condition=models.Q(("outcome__in", ["ongoing", "resolved", "resolved_with_sequelae", "unknown"])),
                name="adverse_event_outcome_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="appointment",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["booked", "cancelled"])), name="appointment_status_valid"
            ),
        ),
        migrations.AddConstraint(
            model_name="checkin",
            constraint=models.CheckConstraint(
                condition=models.Q(("alert__in", ["none", "open", "acknowledged"])), name="checkin_alert_valid"
            ),
        ),
        migrations.AddConstraint(
            model_name="consultationrequest",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["open", "accepted", "declined"])),
                name="consultation_request_status_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="staffmember",
            constraint=models.CheckConstraint(
                condition=models.Q(("role__in", ["owner", "provider", "nurse", "aesthetician", "front_desk"])),
                name="staff_member_role_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="treatmentplan",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["active", "closed"])), name="treatment_plan_status_valid"
            ),
        ),
    ]
