"""A home journal's reminder e-mails: the page that sets or removes the address, and the stop link's page.

``/journal/<key>/reminders/``: the journal's link is the key, as for its other pages (``no-store``,
``noindex``); the address is never shown back, only whether reminders are on. A blank address, or the
"stop" button, turns them off and forgets the address. The time zone select (:mod:`needlewise.services.time_zones`)
sets the zone whose 09:00 they go at; the page says which zone that is (UTC while none was chosen).

``/reminders/stop/<signed token>/``: the link at the foot of each reminder (and its ``List-Unsubscribe``
header). GET and HEAD change nothing (mail scanners follow links) and ask first; POST stops the
reminders, from the page's button or a mail client's RFC 8058 one-click, which carries no CSRF token:
this one view is exempt, since all it can do is stop its own journal's reminders. It speaks the
journal's language and never shows the journal itself.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from needlewise.edge.journal_reminders import emailed
from needlewise.errors import InvalidInputError, NotFoundError
from needlewise.messaging import journal_reminders
from needlewise.services.time_zones import zone_choices
from needlewise.web.journal_forms import problems_to_errors
from needlewise.web.views.common import lang_of, render
from needlewise.web.views.journal_public import missing, opened
from needlewise.web.views.journal_return import private_page
from needlewise.web.views.questionnaire import PRIVATE


@require_http_methods(["GET", "HEAD", "POST"])
def reminders(request: HttpRequest, token: str) -> HttpResponse:
    """GET: whether reminders are on, and a form for the address; POST: keep the address (blank, or stop: none).

    A kept address is a ``303`` to this page with ``?saved=1`` (Post/Redirect/Get: a reload posts nothing
    again); that word only says "saved", the page says whether reminders are now on or off.
    """
    context: dict[str, Any] = {
        "token": token,
        "errors": {},
        "values": {},
        "saved": request.GET.get("saved") == "1",
        "zones": zone_choices(),
    }
    status = 200
    if request.method == "POST":
        stopping = "stop" in request.POST
        email = None if stopping else request.POST.get("email", "").strip() or None
        zone = None if stopping else request.POST.get("time_zone", "").strip() or None
        try:
            emailed(request, token, email, lang_of(request), zone)
        except NotFoundError:
            view = None
        except InvalidInputError as invalid:
            context |= {"errors": problems_to_errors(invalid.problems), "values": {"email": email, "time_zone": zone}}
            view, status = opened(request, token), 422
        else:
            where = reverse("journal-reminders", args=[token])
            return private_page(HttpResponseRedirect(f"{where}?saved=1", status=303))
    else:
        view = opened(request, token)
    if view is None:
        return missing(request)
    return private_page(render(request, "journal_reminders.html", {**context, "view": view}, status=status))


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def stop(request: HttpRequest, token: str) -> HttpResponse:
    """GET: ask whether to stop the journal's reminders; POST: stop them (the address is forgotten)."""
    try:
        if request.method == "POST":
            found, done = journal_reminders.stop(token), True
        else:
            found, done = journal_reminders.open_stop(token), False
    except NotFoundError:
        response = render(request, "error.html", {"status": 404}, status=404)
    else:
        with translation.override(found.lang):
            response = render(request, "journal_reminders_stop.html", {"found": found, "done": done})
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = PRIVATE
    response["Referrer-Policy"] = "no-referrer"
    return response


urls: list[URLPattern] = [
    path("journal/<str:token>/reminders/", reminders, name="journal-reminders"),
    path("reminders/stop/<str:token>/", stop, name="journal-reminders-stop"),
]
