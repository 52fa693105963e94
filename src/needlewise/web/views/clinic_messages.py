"""The Messages page (owners): the clinic's messages, filtered by status, and resending a failed one."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from needlewise import bootstrap
from needlewise.clinic import messages
from needlewise.domain.statuses import MessageStatus
from needlewise.errors import InvalidInputError
from needlewise.web.views.clinic_common import acting, clinic_page, field_errors, form_id
from needlewise.web.views.common import render


@require_safe
@clinic_page
def message_list(request: HttpRequest) -> HttpResponse:
    """The clinic's newest messages, all or one status (``?status=failed``)."""
    actor = acting(request)
    status = request.GET.get("status", "").strip()
    context: dict[str, object] = {"actor": actor, "status": status, "statuses": list(MessageStatus), "errors": {}}
    context["mail_missing"] = bootstrap.mail_channel_missing()
    context["sms_missing"] = bootstrap.sms_channel_missing()
    try:
        rows = messages.clinic_messages(actor, status)
    except InvalidInputError as error:
        context |= {"rows": [], "errors": field_errors(error), "status": "", "resent": None}
        return render(request, "clinic/messages.html", context, status=400)
    context |= {"rows": rows, "resent": form_id(request.GET.get("resent"))}
    return render(request, "clinic/messages.html", context)


@require_POST
@clinic_page
def message_resend(request: HttpRequest, message_id: int) -> HttpResponse:
    """Queue a failed message again, then back to the list with a note."""
    messages.resend(acting(request), message_id)
    return HttpResponseRedirect(f"{reverse('clinic-messages')}?resent={message_id}")
