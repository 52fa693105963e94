"""A client's screening history is read from one index, in its own order: (client, created_at DESC, id DESC).

The client page lists a client's latest screenings ``ORDER BY created_at DESC, id DESC`` (the id breaks
ties between equal times). ``screening_client_recent`` (client, created_at DESC) lacked the id, so
PostgreSQL read the client's rows through ``screening_client_id`` and sorted them. The new index
replaces it: it serves every read the old one served.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("storage", "0011_client_language"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="screening",
            index=models.Index(fields=["client", "-created_at", "-id"], name="screening_client_history"),
        ),
        migrations.RemoveIndex(
            model_name="screening",
            name="screening_client_recent",
        ),
    ]
