"""Twilio's web requests: the fate of each SMS sent (``/hooks/sms/status``), SMS clients send (``…/inbound``).

Public, without CSRF tokens (Twilio has none), ``POST`` only, limited per address like the public pages
(``sms_hook``). Each must carry Twilio's ``X-Twilio-Signature`` for the address Twilio was given: the
site's ``NEEDLEWISE_PUBLIC_URL`` with the request's path when it is set (behind a proxy the request may
name another), else the address the request names. A missing or wrong signature is 403 and changes
nothing; so is any request while no SMS provider is set up. See :mod:`needlewise.messaging.sms_reports`.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.urls import URLPattern, path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from needlewise.messaging import sms_reports

#: The empty TwiML answer: nothing to send back (Twilio answers STOP and START itself).
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


def _from_twilio(request: HttpRequest) -> bool:
    public = str(settings.PUBLIC_URL)
    url = f"{public}{request.get_full_path()}" if public else request.build_absolute_uri()
    return sms_reports.signed(url, request.POST, request.headers.get("X-Twilio-Signature", ""))


def _refused() -> HttpResponse:
    return HttpResponseForbidden("not signed by the SMS provider", content_type="text/plain")


@csrf_exempt
@require_POST
def status(request: HttpRequest) -> HttpResponse:
    """Twilio's report on one SMS: ``MessageSid``, ``MessageStatus`` and, when it failed, ``ErrorCode``."""
    if not _from_twilio(request):
        return _refused()
    fields = request.POST
    sid, state = fields.get("MessageSid", ""), fields.get("MessageStatus", "")
    sms_reports.delivery_report(sid, state, fields.get("ErrorCode", ""))
    return HttpResponse("", content_type="text/plain")


@csrf_exempt
@require_POST
def inbound(request: HttpRequest) -> HttpResponse:
    """An SMS a client sent to the clinic's number (``From``, ``Body``): STOP and START recorded; empty TwiML."""
    if not _from_twilio(request):
        return _refused()
    sms_reports.answer(request.POST.get("From", ""), request.POST.get("Body", ""))
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")


urls: list[URLPattern] = [
    path("hooks/sms/status", status, name="sms-status"),
    path("hooks/sms/inbound", inbound, name="sms-inbound"),
]
