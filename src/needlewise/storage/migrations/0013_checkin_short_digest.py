"""Check-ins get a short code for paper (``/c/7KQ4-M9XW-P2RT``): the table keeps its SHA-256, unique.

The code is recomputed from the secret key and the check-in's identity
(:func:`needlewise.clinic.followup.short_links.short_code`); the check-ins scheduled before this migration
get theirs here, with the same computation written out (a migration must not change when that module
does), so that their aftercare sheets can be printed again with a QR code.
"""

import hashlib
import hmac

from django.apps.registry import Apps
from django.conf import settings
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 12


def _digest(clinic_id: int, pk: int, session_id: int, day: int) -> str:
    message = f"checkin-short:{clinic_id}:{pk}:{session_id}:{day}".encode()
    number = int.from_bytes(hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).digest(), "big")
    symbols = []
    for _ in range(LENGTH):
        number, index = divmod(number, len(ALPHABET))
        symbols.append(ALPHABET[index])
    return hashlib.sha256("".join(symbols).encode()).hexdigest()


def backfill(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    del schema_editor
    model = apps.get_model("storage", "CheckIn")
    rows = model.objects.filter(short_digest__isnull=True).values_list("clinic_id", "pk", "session_id", "day")
    for clinic_id, pk, session_id, day in list(rows):
        model.objects.filter(pk=pk).update(short_digest=_digest(clinic_id, pk, session_id, day))


class Migration(migrations.Migration):
    dependencies = [
        ("storage", "0012_screening_history_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="checkin",
            name="short_digest",
            field=models.CharField(max_length=64, null=True),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="checkin",
            name="short_digest",
            field=models.CharField(max_length=64, unique=True),
        ),
    ]
