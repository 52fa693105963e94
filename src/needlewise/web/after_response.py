"""Work done once a response has gone: the WSGI server closes a response after sending it.

Used where how long a request takes must not tell anything, e.g. whether an e-mail address is a
staff account's: the page answers at once, and the lookup and the mail follow. A failure then
cannot reach the person; it is logged by its kind only (an error's text may hold an address).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpResponse

logger = logging.getLogger("needlewise.after_response")


class AfterResponse(HttpResponse):
    """A page whose ``work`` runs when the server closes it, after the body has been sent."""

    work: Callable[[], object] | None = None

    def close(self) -> None:
        """Run the work (once), then close as usual."""
        work, self.work = self.work, None
        try:
            if work is not None:
                work()
        except Exception as error:  # noqa: BLE001 - nobody is waiting for it; say what failed, never its text
            logger.error("work after the response failed: %s", type(error).__name__)  # noqa: TRY400 - no traceback: it may hold an address
        finally:
            super().close()


def after_response(page: HttpResponse, work: Callable[[], object]) -> HttpResponse:
    """``page`` as it is (status, headers, cookies), with ``work`` to run once it has been sent."""
    response = AfterResponse(page.content, status=page.status_code)
    for name, value in page.headers.items():
        response.headers[name] = value
    response.cookies = page.cookies
    response.work = work
    return response
