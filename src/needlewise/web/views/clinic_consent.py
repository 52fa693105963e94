"""Consent pages: the clinic's consent versions, a client signing the current one, a signed consent.

The signature pad (``static/signature.js``) writes the drawing into a hidden field as a PNG data
URL; without a pointer or JavaScript, the paper path (print, sign, scan, upload) and the typed name
do the same job. Signatures and scans are served to staff only, never cached.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_http_methods, require_safe

from needlewise.clinic import forms
from needlewise.clinic.accounts import clinic_settings
from needlewise.clinic.consent import signatures, versions
from needlewise.clinic.consent.images import MAX_SCAN_BYTES, PDF
from needlewise.domain.permissions import Action
from needlewise.domain.vocabulary import Lang
from needlewise.errors import InvalidInputError
from needlewise.web import client_messages
from needlewise.web.uploads import takes_upload
from needlewise.web.views.clinic_common import acting, clinic_page, private_file
from needlewise.web.views.common import knowledge, lang_of, render, say

if TYPE_CHECKING:
    from needlewise.clinic.access.actor import Actor
    from needlewise.storage.models import ConsentTemplate


def errors_of(error: InvalidInputError) -> dict[str, list[str]]:
    """Each field's messages in the page's language, for showing next to the field."""
    errors: dict[str, list[str]] = {}
    for problem in error.problems:
        errors.setdefault(problem.where, []).append(say(problem))
    return errors


@require_http_methods(["GET", "POST"])
@clinic_page
def template_list(request: HttpRequest) -> HttpResponse:
    """Every consent version, and the form that writes the next one (owners and providers)."""
    actor = acting(request)
    rows = versions.templates(actor)
    values = {"intro_en": rows[0].intro_en, "intro_es": rows[0].intro_es} if rows else {"intro_en": "", "intro_es": ""}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        values = forms.echo(versions.TemplateFields, request.POST)
        try:
            made = versions.create_template(actor, **values, kb=knowledge(), sender=client_messages.sender(request))
        except InvalidInputError as invalid:
            errors = errors_of(invalid)
        else:
            return HttpResponseRedirect(reverse("clinic-consent-template", args=[made.pk]))
    context = {"actor": actor, "templates": rows, "values": values, "errors": errors}
    return render(request, "clinic/consent_templates.html", context, status=422 if errors else 200)


@require_safe
@clinic_page
def template_page(request: HttpRequest, template_id: int) -> HttpResponse:
    """One consent version's full text in English and Spanish, with its digests."""
    actor = acting(request)
    template = versions.get_template(actor, template_id)
    current = versions.current_version(template.clinic_id)
    return render(request, "clinic/consent_template.html", {"actor": actor, "template": template, "current": current})


def _chosen_lang(request: HttpRequest, source: str | None) -> Lang:
    return Lang.ES if source == "es" else Lang.EN if source == "en" else lang_of(request)


@takes_upload(MAX_SCAN_BYTES, Action.RECORD_TREATMENT, "consent")
@require_http_methods(["GET", "POST"])
@clinic_page
def sign(request: HttpRequest, client_id: int) -> HttpResponse:
    """The client reads the current version in their language and signs it (drawn, or paper scanned)."""
    actor = acting(request)
    client, template = signatures.signing(actor, client_id)
    lang = _chosen_lang(request, request.POST.get("lang") if request.method == "POST" else request.GET.get("lang"))
    values = {"typed_name": "", "method": "drawn"}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        posted = forms.read(signatures.SignatureFields, request.POST)
        values = {"typed_name": posted["typed_name"], "method": posted["method"]}
        upload = request.FILES.get("scan")
        claimed = (upload.content_type or "") if upload else ""
        try:
            signatures.sign(
                actor,
                client_id,
                template_id=posted["template_id"],
                lang=lang.value,
                typed_name=values["typed_name"],
                method=values["method"],
                signature_png=posted["signature_data"],
                scan=upload.read(MAX_SCAN_BYTES + 1) if upload else None,
                scan_content_type=claimed,
                kb=knowledge(),
            )
        except InvalidInputError as invalid:
            errors = errors_of(invalid)
        else:
            return HttpResponseRedirect(reverse("clinic-client", args=[client_id]) + "#consent")
    context = {
        "actor": actor,
        "client": client,
        "template": template,
        "text": _text(template, lang),
        "chosen": lang,
        "values": values,
        "errors": errors,
        **_clinic_contact(actor),
    }
    return render(request, "clinic/consent_sign.html", context, status=422 if errors else 200)


def _clinic_contact(actor: Actor) -> dict[str, object]:
    name, contact = clinic_settings.own_contact(actor)
    return {"clinic_name": name, "contact": contact}


def _text(template: ConsentTemplate | None, lang: Lang) -> str:
    if template is None:
        return ""
    return template.body_es if lang is Lang.ES else template.body_en


@require_safe
@clinic_page
def consent_page(request: HttpRequest, consent_id: int) -> HttpResponse:
    """A signed consent: the exact text, its SHA-256, who signed, when, and the signature or scan."""
    actor = acting(request)
    consent = signatures.get_consent(actor, consent_id)
    context = {"actor": actor, "consent": consent, "pdf": PDF, **_clinic_contact(actor)}
    return render(request, "clinic/consent.html", context)


@require_safe
@clinic_page
def signature(request: HttpRequest, consent_id: int) -> HttpResponse:
    """The drawn signature (PNG), to staff only."""
    data, content_type = signatures.signature_image(acting(request), consent_id)
    return private_file(data, content_type, f"consent-{consent_id}-signature.png", download=False)


@require_safe
@clinic_page
def scan(request: HttpRequest, consent_id: int) -> HttpResponse:
    """The signed paper form's scan, to staff only (a PDF is downloaded, not shown in the page)."""
    data, content_type = signatures.scan_file(acting(request), consent_id)
    extension = {"application/pdf": "pdf", "image/png": "png"}.get(content_type, "jpg")
    is_pdf = content_type == PDF
    return private_file(data, content_type, f"consent-{consent_id}-scan.{extension}", download=is_pdf)


urls: list[URLPattern] = [
    path("clinic/consent/", template_list, name="clinic-consent-templates"),
    path("clinic/consent/<id:template_id>/", template_page, name="clinic-consent-template"),
    path("clinic/clients/<id:client_id>/consent/", sign, name="clinic-consent-sign"),
    path("clinic/consents/<id:consent_id>/", consent_page, name="clinic-consent"),
    path("clinic/consents/<id:consent_id>/signature", signature, name="clinic-consent-signature"),
    path("clinic/consents/<id:consent_id>/scan", scan, name="clinic-consent-scan"),
]
