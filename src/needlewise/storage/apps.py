"""Django app holding needlewise's tables."""

from __future__ import annotations

from django.apps import AppConfig
from django.core.signals import setting_changed

from needlewise.storage import audit_keys, data_keys

_KEY_SETTINGS = frozenset({"DATA_KEY", "DATA_KEY_FILE", "AUDIT_KEY", "AUDIT_KEY_FILE"})


def _keys_changed(*, setting: str, **kwargs: object) -> None:
    """Read the data keys again when a test changes where they come from."""
    del kwargs
    if setting in _KEY_SETTINGS:
        data_keys.forget()
        audit_keys.forget()


class StorageConfig(AppConfig):
    """needlewise's tables."""

    name = "needlewise.storage"
    label = "storage"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Follow changes of the data key settings."""
        setting_changed.connect(_keys_changed, dispatch_uid="needlewise-data-keys")
