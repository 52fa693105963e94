"""Post/Redirect/Get for the home journal's forms: after a form is kept, its answer is a ``303`` to a page.

A saved form goes to the journal's page with ``?saved=<form>``: that word only picks a fixed, translated
confirmation (nothing the person typed is ever echoed), and for a skin check it shows the latest check's
result (it is in the journal, so a reload shows it again and changes nothing). A new journal goes to its
page with ``?started=1``: the private link, shown prominently, harmless to reload. The forms' addresses
take POST only; a GET there (an old bookmark, a reload, the language switcher) goes to the journal page.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from needlewise.domain.treatment import Answer
from needlewise.services.journal_state import JournalView
from needlewise.services.time_zones import zone_named
from needlewise.web.views.questionnaire import PRIVATE

SAVED = frozenset({"session", "device", "skin", "changed"})
View = Callable[[HttpRequest, str], HttpResponse]


def private_page(response: HttpResponse) -> HttpResponse:
    """``response`` marked as the journal's pages are: never stored, never indexed, its key never sent on."""
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = PRIVATE
    response["Referrer-Policy"] = "same-origin"  # the key is in the path: never sent to another site
    return response


def on_journal_clock(view: JournalView) -> timezone.override:
    """The journal's time zone, active while its page is rendered: stored instants shown on the person's clock.

    A journal with no zone chosen (``time_zone`` empty) is shown in UTC, the zone its reminders go in.
    """
    return timezone.override(zone_named(view.time_zone))


def to_journal(token: str, **query: str) -> HttpResponse:
    """A ``303`` to the journal's page, with ``query`` (``saved`` or ``started``) in its address."""
    where = reverse("journal", args=[token])
    return private_page(HttpResponseRedirect(f"{where}?{urlencode(query)}" if query else where, status=303))


def journal_form(view: View) -> View:
    """A journal form's address: POST is the form; GET or HEAD goes to the journal's page."""

    @require_http_methods(["GET", "HEAD", "POST"])
    @wraps(view)
    def form(request: HttpRequest, token: str) -> HttpResponse:
        if request.method != "POST":
            return to_journal(token)
        return view(request, token)

    return form


def shown_after(request: HttpRequest, token: str, view: JournalView) -> dict[str, Any]:
    """What the journal's page shows after a redirect here: the confirmation, a skin check's result, the link."""
    saved = request.GET.get("saved")
    shown: dict[str, Any] = {"saved": saved if saved in SAVED else None}
    if saved == "skin":
        if view.checks:
            latest = view.checks[-1]  # the check just made: its result, its "not sure"s, its answers shown again
            said = {key: answer for key, _words, answer in latest.answers}
            shown |= {
                "skin": latest.entry.triage,
                "skin_advice": latest.advice,
                "not_sure": tuple(key for key, answer in said.items() if answer is Answer.NOT_SURE),
                "answers": {key: answer.value for key, answer in said.items()},
                "resolved": latest.entry.resolved.value if latest.entry.resolved is not None else "",
            }
        else:  # an address typed by hand: no check to confirm
            shown["saved"] = None
    if request.GET.get("started") == "1":
        shown["link"] = request.build_absolute_uri(reverse("journal", args=[token]))
    return shown
