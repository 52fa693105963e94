"""The unsubscribe link of an e-mail to a client: GET shows whose e-mails stop, POST stops them.

No sign-in: the signed link is the key (``clinic.contact.unsubscribe``). GET and HEAD change nothing
(mail scanners follow links); POST records the withdrawal, from the page's button or from a mail
client's RFC 8058 one-click (``List-Unsubscribe=One-Click``), which carries no CSRF token: this one
view is exempt, since all it can do is stop the link's own client's messages. The page speaks the
client's language.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from needlewise.api.statuses import status_of
from needlewise.clinic.access.actor import Actor
from needlewise.clinic.contact import unsubscribe
from needlewise.edge.request_actor import client_ip, request_id
from needlewise.errors import NotFoundError
from needlewise.web.views.common import render


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe_page(request: HttpRequest, token: str) -> HttpResponse:
    """GET: the clinic's name and a button; POST: no more e-mails (and how to agree again)."""
    try:
        if request.method == "POST":
            actor = Actor.anonymous(client_ip(request), request_id(request))
            found, done = unsubscribe.withdraw(actor, token), True
        else:
            found, done = unsubscribe.open_link(token), False
    except NotFoundError as missing:
        status = status_of(missing).status
        response = render(request, "error.html", {"status": status}, status=status)
    else:
        with translation.override(found.language):
            response = render(request, "unsubscribe.html", {"found": found, "done": done})
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


urls: list[URLPattern] = [path("unsubscribe/<str:token>/", unsubscribe_page, name="unsubscribe")]
