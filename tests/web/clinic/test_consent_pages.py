"""Consent pages: writing versions, a client signing (drawn or paper), a signed consent and its files."""

from __future__ import annotations

import base64
import io
import re
from zoneinfo import ZoneInfo

import pytest
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from clinic.treatment_support import SCAN_PDF, TINY_PNG, consent_template, signed_consent, staff_actor
from needlewise.bootstrap import knowledge_base
from needlewise.clinic.clients import clients
from needlewise.clinic.consent import signatures
from needlewise.domain.permissions import Role
from needlewise.storage.models import Consent, ConsentTemplate
from web.clinic.pages_support import sign_url
from web.clinic.support import Site, body, signed_in, staff_client

pytestmark = pytest.mark.django_db

PDF = SCAN_PDF
DATA_URL = "data:image/png;base64," + base64.b64encode(TINY_PNG).decode()


@pytest.fixture
def kb():
    return knowledge_base()


def post_signature(client: Client, site: Site, template: ConsentTemplate, **changes):
    data = {
        "template_id": str(template.pk),
        "lang": "en",
        "typed_name": "Zephyrine Quixotelle",
        "method": "drawn",
        "signature_data": DATA_URL,
    }
    data.update(changes)
    return client.post(sign_url(site), data)


def no_inline_scripts(page: str) -> bool:
    return all("src=" in tag for tag in re.findall(r"<script[^>]*>", page))


# --- versions ---


def test_the_owner_writes_the_first_version_and_reads_it(site_a: Site, kb):
    client = staff_client(site_a.owner)
    page = body(client.get("/clinic/consent/"))
    assert "No consent version yet" in page
    assert 'name="csrfmiddlewaretoken"' in page
    response = client.post("/clinic/consent/", {"intro_en": "Welcome to Alpha.", "intro_es": "Bienvenida a Alpha."})
    template = ConsentTemplate.objects.get(clinic=site_a.clinic)
    assert response.status_code == 302
    assert response["Location"] == f"/clinic/consent/{template.pk}/"
    shown = body(client.get(response["Location"]))
    assert "Welcome to Alpha." in shown
    assert "Bienvenida a Alpha." in shown
    assert template.digest_en in shown
    assert template.digest_es in shown
    assert kb.treatment.consent_risks[0].text.es in shown
    assert "A newer version exists" not in shown
    listing = body(client.get("/clinic/consent/"))
    assert f'href="/clinic/consent/{template.pk}/"' in listing
    assert "Welcome to Alpha." in listing  # the next version starts from the current wording


def test_an_older_version_says_so(site_a: Site, kb):
    first = consent_template(site_a, kb)
    consent_template(site_a, kb)
    page = body(staff_client(site_a.members[Role.PROVIDER]).get(f"/clinic/consent/{first.pk}/"))
    assert "A newer version exists; this one can no longer be signed." in page


def test_missing_intros_are_shown_next_to_their_fields(site_a: Site):
    response = staff_client(site_a.owner).post("/clinic/consent/", {"intro_en": " ", "intro_es": "x" * 5001})
    assert response.status_code == 422
    page = body(response)
    assert re.search(r'id="f-intro_en-error-1">write the clinic&#39;s introduction in this language<', page)
    assert 'id="f-intro_es-error-1">at most 5000 characters<' in page
    assert not ConsentTemplate.objects.exists()


def test_a_nul_or_invisible_character_in_an_intro_is_shown_next_to_its_field(site_a: Site):
    # every declared form's text is held to the typed-text rule (a NUL was a 500 on PostgreSQL)
    data = {"intro_en": "Welcome\x00 to Alpha.", "intro_es": "Bienvenida\u202e a Alpha."}
    response = staff_client(site_a.owner).post("/clinic/consent/", data)
    assert response.status_code == 422
    page = body(response)
    assert 'id="f-intro_en-error-1">remove the invisible or control character U+0000 (character 8)<' in page
    assert 'id="f-intro_es-error-1">remove the invisible or control character U+202E (character 11)<' in page
    assert not ConsentTemplate.objects.exists()


def test_versions_are_for_owners_and_providers_of_the_clinic(site_a: Site, site_b: Site, kb):
    theirs = consent_template(site_b, kb)
    nurse = staff_client(site_a.members[Role.NURSE])
    assert nurse.get("/clinic/consent/").status_code == 403
    assert nurse.post("/clinic/consent/", {"intro_en": "a", "intro_es": "b"}).status_code == 403
    assert staff_client(site_a.owner).get(f"/clinic/consent/{theirs.pk}/").status_code == 404
    assert ConsentTemplate.objects.count() == 1


# --- signing ---


def test_the_sign_page_shows_the_current_text_and_a_pad_without_inline_script(site_a: Site, kb):
    template = consent_template(site_a, kb)
    response = staff_client(site_a.members[Role.NURSE]).get(sign_url(site_a))
    page = body(response)
    assert response.status_code == 200
    assert kb.treatment.consent_risks[0].text.en in page
    assert f'name="template_id" value="{template.pk}"' in page
    assert 'name="lang" value="en"' in page
    assert "<canvas" in page
    assert 'name="signature_data"' in page
    assert 'enctype="multipart/form-data"' in page
    assert "/static/signature.js" in page
    assert no_inline_scripts(page)
    assert finders.find("signature.js") is not None
    assert finders.find("signature.css") is not None


def test_the_text_is_shown_in_spanish_when_chosen_or_when_the_page_is_spanish(site_a: Site, kb):
    consent_template(site_a, kb)
    nurse = site_a.members[Role.NURSE]
    chosen = body(staff_client(nurse).get(sign_url(site_a) + "?lang=es"))
    spanish = signed_in(Client(HTTP_ACCEPT_LANGUAGE="es"), nurse)
    by_browser = body(spanish.get(sign_url(site_a)))
    for page in (chosen, by_browser):
        assert "Riesgos del microneedling" in page
        assert kb.treatment.consent_risks[0].text.es in page
        assert 'name="lang" value="es"' in page
        assert 'lang="es"' in page
    back = body(spanish.get(sign_url(site_a) + "?lang=en"))
    assert "Risks of microneedling" in back


def test_a_drawn_signature_is_recorded_and_the_client_page_follows(site_a: Site, kb):
    template = consent_template(site_a, kb)
    client = staff_client(site_a.members[Role.NURSE])
    response = post_signature(client, site_a, template, lang="es")
    assert response.status_code == 302
    assert response["Location"] == f"/clinic/clients/{site_a.client.pk}/#consent"
    consent = Consent.objects.get(client=site_a.client)
    assert (consent.method, consent.lang, consent.signed_text) == ("drawn", "es", template.body_es)
    assert Image.open(io.BytesIO(bytes(consent.signature_png))).size == (64, 24)


def test_a_paper_scan_is_recorded(site_a: Site, kb):
    template = consent_template(site_a, kb)
    client = staff_client(site_a.members[Role.AESTHETICIAN])
    upload = SimpleUploadedFile("signed.pdf", PDF, content_type="application/pdf")
    response = post_signature(client, site_a, template, method="paper", signature_data="", scan=upload)
    assert response.status_code == 302
    consent = Consent.objects.get(client=site_a.client)
    assert (consent.method, bytes(consent.scan), consent.scan_content_type) == ("paper", PDF, "application/pdf")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"typed_name": ""}, "typed_name", "type the client&#39;s full name"),
        # PostgreSQL cannot store a NUL: it was a 500 there (and stored on SQLite)
        (
            {"typed_name": "Zeph\x00yrine"},
            "typed_name",
            "remove the invisible or control character U+0000 (character 5)",
        ),
        ({"method": ""}, None, "choose a drawn signature or a signed paper form"),
        ({"signature_data": ""}, None, "draw the signature, or use the paper form and upload its scan"),
        ({"signature_data": "data:image/png;base64,@@@"}, None, "the file is not a PNG image that can be read"),
        ({"signature_data": "javascript:alert(1)"}, None, "the file is not a PNG image that can be read"),
        ({"method": "paper", "signature_data": ""}, None, "upload the scan of the signed paper form"),
    ],
)
def test_invalid_signatures_are_explained_next_to_their_field(site_a: Site, kb, changes, field, message):
    template = consent_template(site_a, kb)
    response = post_signature(staff_client(site_a.members[Role.NURSE]), site_a, template, **changes)
    assert response.status_code == 422
    page = body(response)
    assert message in page
    assert "Traceback" not in page
    if field:
        assert f'id="f-{field}-error-1"' in page
    assert 'value="Zephyrine Quixotelle"' in page or "typed_name" in changes
    assert not Consent.objects.exists()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("notes.txt", b"just some words", "text/plain"),
            "the file is not a PDF, JPEG or PNG file that can be read",
        ),
        (
            SimpleUploadedFile("fake.jpg", b"\xff\xd8\xff\xe0 not really", "image/jpeg"),
            "the file is not a PDF, JPEG or PNG file that can be read",
        ),
    ],
)
def test_a_bad_scan_is_refused_with_a_clear_message(site_a: Site, kb, upload, message):
    template = consent_template(site_a, kb)
    client = staff_client(site_a.members[Role.NURSE])
    response = post_signature(client, site_a, template, method="paper", signature_data="", scan=upload)
    assert response.status_code == 422
    page = body(response)
    assert message in page
    assert 'aria-invalid="true"' in page
    assert "Traceback" not in page
    assert not Consent.objects.exists()


def test_an_html_page_posing_as_a_pdf_is_refused_in_both_languages(site_a: Site, kb):
    template = consent_template(site_a, kb)
    client = staff_client(site_a.members[Role.NURSE])
    fake = b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>"
    for lang, message in [
        ("en", "the file starts like a PDF but is not one that can be read"),
        ("es", "el archivo empieza como un PDF pero no se puede leer"),
    ]:
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = lang
        upload = SimpleUploadedFile("form.pdf", fake, "application/pdf")
        response = post_signature(client, site_a, template, method="paper", signature_data="", scan=upload)
        assert response.status_code == 422
        assert message in body(response)
    assert not Consent.objects.exists()


def test_a_scan_over_the_limit_is_refused_while_it_streams(site_a: Site, kb):
    template = consent_template(site_a, kb)
    client = staff_client(site_a.members[Role.NURSE])
    upload = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (5 * 1024 * 1024), "application/pdf")
    response = post_signature(client, site_a, template, method="paper", signature_data="", scan=upload)
    assert response.status_code == 413
    assert "The file is larger than 5 MB" in body(response)
    assert not Consent.objects.exists()


def test_an_old_version_or_another_clinic_cannot_be_signed(site_a: Site, site_b: Site, kb):
    first = consent_template(site_a, kb)
    consent_template(site_a, kb)
    nurse = staff_client(site_a.members[Role.NURSE])
    old = post_signature(nurse, site_a, first)
    assert old.status_code == 409
    assert "a newer consent version (v2) exists" in body(old)
    assert nurse.get(sign_url(site_b)).status_code == 404
    assert post_signature(nurse, site_b, first).status_code == 404
    assert (
        nurse.post(sign_url(site_a), {"typed_name": "Zed", "method": "drawn", "signature_data": DATA_URL}).status_code
        == 404
    )
    assert not Consent.objects.exists()


def test_roles_that_do_not_treat_cannot_open_the_sign_page(site_a: Site, kb):
    template = consent_template(site_a, kb)
    for role in (Role.OWNER, Role.FRONT_DESK):
        client = staff_client(site_a.members[role])
        assert client.get(sign_url(site_a)).status_code == 403
        assert post_signature(client, site_a, template).status_code == 403
    assert not Consent.objects.exists()


def test_without_a_version_or_for_an_archived_client_the_page_says_why(site_a: Site, kb):
    provider = staff_client(site_a.members[Role.PROVIDER])
    page = body(provider.get(sign_url(site_a)))
    assert "Your clinic has no consent text yet." in page
    assert 'href="/clinic/consent/"' in page
    assert 'href="/clinic/consent/"' not in body(staff_client(site_a.members[Role.NURSE]).get(sign_url(site_a)))
    consent_template(site_a, kb)
    clients.set_archived(staff_actor(site_a, Role.PROVIDER), site_a.client.pk, archived=True)
    page = body(provider.get(sign_url(site_a)))
    assert "This client is archived" in page
    assert "<canvas" not in page


# --- a signed consent ---


def test_a_signed_consent_shows_text_hash_signer_and_signature(site_a: Site, kb):
    consent = signed_consent(site_a, kb)
    client = staff_client(site_a.members[Role.PROVIDER])
    page = body(client.get(f"/clinic/consents/{consent.pk}/"))
    assert consent.text_digest in page
    assert "Zephyrine Quixotelle" in page
    assert "nurse alpha" in page
    madrid = consent.signed_at.astimezone(ZoneInfo("Europe/Madrid"))  # the site's clinic is in Madrid
    assert madrid.strftime("%Y-%m-%d %H:%M %Z") in page
    assert kb.treatment.consent_risks[-1].text.en in page
    assert f'src="/clinic/consents/{consent.pk}/signature"' in page
    image = client.get(f"/clinic/consents/{consent.pk}/signature")
    assert (image.status_code, image["Content-Type"], image["Cache-Control"]) == (200, "image/png", "no-store")
    assert image.content == bytes(consent.signature_png)
    assert client.get(f"/clinic/consents/{consent.pk}/scan").status_code == 404


@pytest.mark.parametrize(
    ("scan", "served"),
    [
        (PDF, ("application/pdf", "attachment", "Download the scan (PDF)")),
        (TINY_PNG, ("image/png", "inline", "Open the scan")),
    ],
)
def test_a_paper_consent_serves_its_scan(site_a: Site, kb, scan, served):
    content_type, disposition, link = served
    template = consent_template(site_a, kb)
    consent = signatures.sign(
        staff_actor(site_a, Role.NURSE),
        site_a.client.pk,
        template_id=template.pk,
        lang="en",
        typed_name="Zephyrine Quixotelle",
        method="paper",
        signature_png=None,
        scan=scan,
        scan_content_type=content_type,
        kb=kb,
    )
    client = staff_client(site_a.members[Role.NURSE])
    assert link in body(client.get(f"/clinic/consents/{consent.pk}/"))
    response = client.get(f"/clinic/consents/{consent.pk}/scan")
    assert (response.status_code, response["Content-Type"], response["Cache-Control"]) == (
        200,
        content_type,
        "no-store",
    )
    assert response["Content-Disposition"].startswith(disposition)
    assert client.get(f"/clinic/consents/{consent.pk}/signature").status_code == 404


def test_signed_consents_are_staff_health_records_of_the_clinic(site_a: Site, site_b: Site, kb):
    theirs = signed_consent(site_b, kb)
    own = signed_consent(site_a, kb)
    front_desk = staff_client(site_a.members[Role.FRONT_DESK])
    for suffix in ("", "signature", "scan"):
        assert front_desk.get(f"/clinic/consents/{own.pk}/{suffix}").status_code == 403
        assert staff_client(site_a.members[Role.NURSE]).get(f"/clinic/consents/{theirs.pk}/{suffix}").status_code == 404
    anonymous = Client().get(f"/clinic/consents/{own.pk}/signature")
    assert anonymous.status_code == 302
    assert "sign-in" in anonymous["Location"]
