"""Django app holding needlewise's tables."""

from __future__ import annotations

from django.apps import AppConfig


class StorageConfig(AppConfig):
    """needlewise's tables."""

    name = "needlewise.storage"
    label = "storage"
    default_auto_field = "django.db.models.BigAutoField"
