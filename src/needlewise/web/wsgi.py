"""WSGI entry point: ``needlewise.web.wsgi:application`` (served by granian in production)."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "needlewise.web.settings")
application = get_wsgi_application()
