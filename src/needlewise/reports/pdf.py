"""Turn a rendered HTML report into a PDF (WeasyPrint), fetching nothing from anywhere.

The print template carries its stylesheet inline, so the only resources allowed are ``data:`` URLs:
rendering never makes a network request, not even to this server.
"""

from __future__ import annotations

from weasyprint import HTML
from weasyprint.urls import URLFetcher


def render_pdf(html: str) -> bytes:
    """The PDF of ``html``."""
    fetcher = URLFetcher(allowed_protocols={"data"}, allow_redirects=False)
    return HTML(string=html, url_fetcher=fetcher).write_pdf()  # type: ignore[no-any-return]
