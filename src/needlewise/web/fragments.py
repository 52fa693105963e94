"""Parts of pages that only the knowledge base, the language and their own arguments decide, rendered once.

A finding's card, a list of sources, the skin check's questions: the same knowledge base (named by its
content hash), the same language and the same arguments always give the same HTML, so a worker keeps
what it rendered and a page with ten cards reuses them. A template wraps such a part in a call block::

    {% call once("finding", finding.text, kb.version.content_hash, True) %}{{ finding_card(...) }}{% endcall %}

The key is everything the part depends on besides the language (the active one is added): never a
person's answers, a request's token or anything else that differs between people, which would also keep
their data in memory. At most :data:`MAX_PARTS` are kept; when full, the store starts again.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from django.utils import translation
from markupsafe import Markup

MAX_PARTS = 4096
_parts: dict[tuple[Hashable, ...], Markup] = {}


def once(*key: Hashable, caller: Callable[[], str]) -> Markup:
    """The part named by ``key`` in the active language, rendered by ``caller`` the first time."""
    full = (translation.get_language(), *key)
    part = _parts.get(full)
    if part is None:
        part = Markup(caller())  # noqa: S704 - the template's own output, escaped as it was rendered
        if len(_parts) >= MAX_PARTS:
            _parts.clear()
        _parts[full] = part
    return part


def forget() -> None:
    """Drop every kept part (tests that render with a changed template or knowledge base)."""
    _parts.clear()
