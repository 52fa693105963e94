"""The client's language (English or Spanish) on their record: what the clinic writes to them in.

Existing clients get English; staff change it on the client form.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("storage", "0010_client_name_words"),
    ]

    operations = [
        migrations.AddField(
            model_name="client",
            name="language",
            field=models.CharField(choices=[("en", "en"), ("es", "es")], db_default="en", default="en", max_length=2),
        ),
        migrations.AddConstraint(
            model_name="client",
            constraint=models.CheckConstraint(
                condition=models.Q(("language__in", ["en", "es"])), name="client_language_valid"
            ),
        ),
    ]
