"""A clinic's contact details for its clients: phone, address, what to do out of hours, and its time zone.

Existing clinics get empty details (and UTC); they cannot record sessions until they add a phone.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("storage", "0008_typed_statuses"),
    ]

    operations = [
        migrations.AddField(
            model_name="clinic",
            name="phone",
            field=models.CharField(blank=True, db_default="", default="", max_length=40),
        ),
        migrations.AddField(
            model_name="clinic",
            name="address",
            field=models.TextField(blank=True, db_default="", default=""),
        ),
        migrations.AddField(
            model_name="clinic",
            name="out_of_hours",
            field=models.TextField(blank=True, db_default="", default=""),
        ),
        migrations.AddField(
            model_name="clinic",
            name="time_zone",
            field=models.CharField(db_default="UTC", default="UTC", max_length=64),
        ),
    ]
