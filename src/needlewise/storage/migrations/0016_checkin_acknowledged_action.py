"""Closing an alert records what was done: one of a few actions and a note in words (both empty before)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("storage", "0015_status_constraints"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="checkin",
            name="acknowledged_action",
            field=models.CharField(
                blank=True,
                choices=[
                    ("called_client", "called_client"),
                    ("advised_care", "advised_care"),
                    ("booked_review", "booked_review"),
                    ("other", "other"),
                    ("adverse_event", "adverse_event"),
                ],
                db_default="",
                default="",
                max_length=16,
            ),
        ),
        migrations.AddField(
            model_name="checkin",
            name="acknowledged_note",
            field=models.TextField(blank=True, db_default="", default=""),
        ),
        migrations.AddConstraint(
            model_name="checkin",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "acknowledged_action__in",
                        ["called_client", "advised_care", "booked_review", "other", "adverse_event", ""],
                    )
                ),
                name="checkin_acknowledged_action_valid",
            ),
        ),
    ]
