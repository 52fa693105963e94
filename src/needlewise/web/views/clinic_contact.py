"""Recording a client's say on being contacted, per channel, from their page (``clinic.contact.answers``)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_POST

from needlewise.clinic.contact import answers, consent_to_contact
from needlewise.errors import InvalidInputError
from needlewise.web.views.clinic_clients import show_client
from needlewise.web.views.clinic_common import acting, clinic_page, field_errors


@require_POST
@clinic_page
def contact_consent(request: HttpRequest, client_id: int) -> HttpResponse:
    """Record what the client said (channel, agrees or not, how), then show their page; a wrong field is 422."""
    post = request.POST
    try:
        said = answers.parse(post.get("channel", ""), post.get("granted", ""), post.get("method", ""))
    except InvalidInputError as invalid:
        values = {name: post.get(name, "") for name in ("channel", "granted", "method")}
        return show_client(request, client_id, {"contact_errors": field_errors(invalid), "contact_values": values})
    consent_to_contact.record(acting(request), client_id, said.channel, granted=said.granted, method=said.method)
    return HttpResponseRedirect(reverse("clinic-client", args=[client_id]) + "#contact")


urls: list[URLPattern] = [
    path("clinic/clients/<id:client_id>/contact-consent/", contact_consent, name="clinic-contact-consent"),
]
