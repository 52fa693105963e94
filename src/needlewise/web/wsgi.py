"""WSGI entry point: ``needlewise.web.wsgi:application`` (served by granian in production).

Each worker process imports this module once. Before it answers anything, it loads what every request
needs (every view module, through the URL configuration, and the compiled knowledge base) and then
freezes the garbage collector's view of those objects (:func:`gc.freeze`): they live as long as the
process, so a full collection no longer walks the two hundred thousand or so of them. Such a pass
took about 0.1 s, long enough to show in the pages' slowest answers (``docs/benchmarks.md``).
"""

from __future__ import annotations

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

from needlewise import bootstrap

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "needlewise.web.settings")
application = get_wsgi_application()


def settle() -> int:
    """Load the views and the knowledge base, collect once, freeze what is left; how many objects are frozen."""
    get_resolver().url_patterns  # noqa: B018 - reading it imports every view module
    bootstrap.knowledge_base()
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


settle()
