"""Django for the commands that use the database: needlewise's settings, apps loaded."""

from __future__ import annotations

import os

SETTINGS_MODULE = "needlewise.web.settings"


def setup_django() -> None:
    """Point Django at needlewise's settings (unless set already) and load the apps; migrates nothing.

    Raises:
        ValueError: the settings refuse the environment (for example a ``DATABASE_URL`` that is not
            ``postgresql://``).
    """
    import django  # noqa: PLC0415 - Django is loaded only by the commands that need it

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    django.setup()
