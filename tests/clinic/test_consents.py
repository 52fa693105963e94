"""Consent templates (versions), signing the current version, the consent status and the signed files."""

from __future__ import annotations

import hashlib
import io
import struct
import zlib

import pytest
from django.db import DatabaseError, transaction
from PIL import Image, PngImagePlugin

from clinic.support import details, expected, last_seq, rows_after, summary
from clinic.treatment_support import (
    INTRO_EN,
    INTRO_ES,
    SCAN_PDF,
    TINY_PNG,
    consent_template,
    signed_consent,
    staff_actor,
)
from needlewise.clinic.clients import clients
from needlewise.clinic.consent import images, signatures, versions
from needlewise.clinic.records import record_digests
from needlewise.domain.permissions import Role
from needlewise.domain.vocabulary import Lang
from needlewise.errors import ConflictError, InvalidInputError, NotAllowedError, NotFoundError
from needlewise.storage.models import Consent, ConsentTemplate

pytestmark = pytest.mark.django_db


def png(size=(64, 24), mode="RGBA", colour=(0, 0, 0, 255), **save) -> bytes:
    image = Image.new(mode, size, colour)
    out = io.BytesIO()
    image.save(out, format="PNG", **save)
    return out.getvalue()


def jpeg(size=(40, 60), exif: bytes | None = None) -> bytes:
    out = io.BytesIO()
    extra = {"exif": exif} if exif else {}
    Image.new("RGB", size, (200, 10, 10)).save(out, format="JPEG", **extra)
    return out.getvalue()


def png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` x ``height`` pixels (its pixels are never decoded)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


def _gif() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 20)).save(out, format="GIF")
    return out.getvalue()


def sign(site, kb, *, role=Role.NURSE, template=None, client_id=None, **changes):
    template = template or ConsentTemplate.objects.filter(clinic=site.clinic).order_by("-version").first()
    arguments = {
        "template_id": template.pk,
        "lang": "en",
        "typed_name": "Zephyrine Quixotelle",
        "method": "drawn",
        "signature_png": TINY_PNG,
        "scan": None,
        "scan_content_type": "",
        "kb": kb,
    }
    arguments.update(changes)
    return signatures.sign(staff_actor(site, role), client_id or site.client.pk, **arguments)


def problems_of(error) -> list[tuple[str, str]]:
    return [(p.where, p.message) for p in error.value.problems]


# --- templates ---


# A source with no public original is named by its title and this note, never by a copy's address.
NO_ORIGINAL = {
    Lang.EN: "(no public original found; cited as read by our reviewers)",
    Lang.ES: "(no se encontró un original público; se cita tal como lo leyeron nuestros revisores)",
}


def test_a_template_lists_every_risk_with_its_sources_the_disclaimer_and_the_kb_version(site_a, kb):
    template = consent_template(site_a, kb)
    assert template.version == 1
    for lang, body, intro in ((Lang.EN, template.body_en, INTRO_EN), (Lang.ES, template.body_es, INTRO_ES)):
        assert body.startswith(intro + "\n\n")
        for risk in kb.treatment.consent_risks:
            assert risk.text.in_(lang) in body
        cited = {source_id for risk in kb.treatment.consent_risks for source_id in risk.citations}
        assert any(kb.sources[source_id].url is None for source_id in cited)
        for source_id in cited:
            source = kb.sources[source_id]
            assert f"{source.title}. {source.url or NO_ORIGINAL[lang]}" in body  # no original: no address at all
            assert not any(url in body for url in source.read_at)
        assert kb.disclaimer.in_(lang) in body
        assert kb.version.version in body
        assert kb.version.content_hash in body
    assert "Risks of microneedling" in template.body_en
    assert "Riesgos del microneedling" in template.body_es
    assert template.digest_en == hashlib.sha256(template.body_en.encode()).hexdigest()
    assert template.digest_es == hashlib.sha256(template.body_es.encode()).hexdigest()
    assert (template.kb_version, template.kb_hash) == (kb.version.version, kb.version.content_hash)
    assert template.created_by_id == site_a.members[Role.OWNER].user_id
    assert str(template) == f"consent template {template.pk} v1"


def test_citation_markers_number_sources_in_order_of_first_use(site_a, kb):
    body = consent_template(site_a, kb).body_en
    first = kb.treatment.consent_risks[0]
    marks = "".join(f"[{n}]" for n in range(1, len(first.citations) + 1))
    assert f"1. {first.text.en} {marks}" in body
    assert f"[1] {kb.sources[first.citations[0]].title}." in body


def test_versions_count_up_per_clinic_and_are_audited(sites, kb):
    site_a, site_b = sites
    seq = last_seq()
    first, second = consent_template(site_a, kb), consent_template(site_a, kb)
    other = consent_template(site_b, kb)
    assert (first.version, second.version, other.version) == (1, 2, 1)
    owner = staff_actor(site_a, Role.OWNER)
    rows = rows_after(seq)
    assert [summary(r) for r in rows[:2]] == [
        expected(owner, "create", "consent_template", first.pk),
        expected(owner, "create", "consent_template", second.pk),
    ]
    assert rows[1].detail == {"version": 2, "notes": 0}


def test_a_provider_may_write_a_version(site_a, kb):
    actor = staff_actor(site_a, Role.PROVIDER)
    template = versions.create_template(actor, intro_en="Hello.\r\nWelcome.", intro_es="  Hola.  ", kb=kb)
    assert (template.intro_en, template.intro_es) == ("Hello.\nWelcome.", "Hola.")
    assert template.body_es.startswith("Hola.\n\n")


@pytest.mark.parametrize(
    ("intro_en", "intro_es", "problems"),
    [
        (
            "",
            "   ",
            [
                ("intro_en", "write the clinic's introduction in this language"),
                ("intro_es", "write the clinic's introduction in this language"),
            ],
        ),
        ("x" * 5001, "Hola", [("intro_en", "at most 5000 characters")]),
        ("Hello", "x" * 5001, [("intro_es", "at most 5000 characters")]),
    ],
)
def test_intros_are_required_and_limited(site_a, kb, intro_en, intro_es, problems):
    with pytest.raises(InvalidInputError) as invalid:
        versions.create_template(staff_actor(site_a, Role.OWNER), intro_en=intro_en, intro_es=intro_es, kb=kb)
    assert problems_of(invalid) == problems
    assert not ConsentTemplate.objects.exists()


@pytest.mark.parametrize("role", [Role.NURSE, Role.AESTHETICIAN, Role.FRONT_DESK])
def test_only_owners_and_providers_write_versions(site_a, kb, role):
    actor = staff_actor(site_a, role)
    seq = last_seq()
    with pytest.raises(NotAllowedError):
        versions.create_template(actor, intro_en="a", intro_es="b", kb=kb)
    with pytest.raises(NotAllowedError):
        versions.templates(actor)
    assert [summary(r) for r in rows_after(seq)] == [
        expected(actor, "manage_consent", "consent_template", outcome="denied")
    ] * 2
    assert not ConsentTemplate.objects.exists()


def test_a_version_taken_by_another_writer_is_retried_with_the_next(site_a, kb, monkeypatch):
    consent_template(site_a, kb)
    real, stale = versions._next_version, iter([1])
    # Another writer took version 1 between our look-up and our insert: we looked up a stale number once.
    monkeypatch.setattr(versions, "_next_version", lambda clinic_id: next(stale, None) or real(clinic_id))
    assert consent_template(site_a, kb).version == 2
    assert sorted(ConsentTemplate.objects.values_list("version", flat=True)) == [1, 2]


def test_a_version_that_keeps_being_taken_is_a_conflict(site_a, kb, monkeypatch):
    consent_template(site_a, kb)
    seq = last_seq()
    monkeypatch.setattr(versions, "_next_version", lambda _clinic_id: 1)
    with pytest.raises(ConflictError, match="at the same time"):
        consent_template(site_a, kb)
    assert ConsentTemplate.objects.count() == 1
    assert rows_after(seq) == []


def test_templates_newest_first_current_and_one_version(sites, kb):
    site_a, site_b = sites
    owner = staff_actor(site_a, Role.OWNER)
    assert versions.current_template(owner) is None
    assert versions.current_version(site_a.clinic.pk) is None
    first, second = consent_template(site_a, kb), consent_template(site_a, kb)
    other = consent_template(site_b, kb)
    assert versions.templates(owner) == [second, first]
    assert versions.current_template(staff_actor(site_a, Role.NURSE)) == second
    assert versions.current_version(site_a.clinic.pk) == 2
    assert versions.get_template(owner, first.pk) == first
    seq = last_seq()
    with pytest.raises(NotFoundError):
        versions.get_template(owner, other.pk)
    assert [summary(r) for r in rows_after(seq)] == [
        expected(owner, "not_found", "consent_template", other.pk, outcome="denied")
    ]


def test_the_front_desk_does_not_see_the_current_version(site_a, kb):
    consent_template(site_a, kb)
    with pytest.raises(NotAllowedError):
        versions.current_template(staff_actor(site_a, Role.FRONT_DESK))


# --- signing ---


def test_a_drawn_signature_stores_the_exact_text_its_digest_and_a_clean_png(site_a, kb):
    template = consent_template(site_a, kb)
    nurse = staff_actor(site_a, Role.NURSE)
    seq = last_seq()
    signature = png(size=(120, 40), colour=(10, 10, 10, 255), pnginfo=_text_chunk("Author", "someone"))
    consent = sign(site_a, kb, lang="es", typed_name="  Zephyrine   Quixotelle ", signature_png=signature)
    stored = Consent.objects.get(pk=consent.pk)
    assert stored.signed_text == template.body_es
    assert stored.text_digest == template.digest_es == hashlib.sha256(stored.signed_text.encode()).hexdigest()
    assert (stored.version, stored.lang, stored.method, stored.typed_name) == (1, "es", "drawn", "Zephyrine Quixotelle")
    assert (stored.scan, stored.scan_content_type) == (None, "")
    assert (stored.recorded_by_id, stored.client_id, stored.template_id) == (
        nurse.user_id,
        site_a.client.pk,
        template.pk,
    )
    cleaned = Image.open(io.BytesIO(bytes(stored.signature_png)))
    assert (cleaned.format, cleaned.size, cleaned.mode) == ("PNG", (120, 40), "RGBA")
    assert "Author" not in cleaned.info
    assert [summary(r) for r in rows_after(seq)] == [
        expected(nurse, "create", "consent", consent.pk, client_id=site_a.client.pk)
    ]
    assert rows_after(seq)[0].detail == {
        "version": 1,
        "method": "drawn",
        "lang": "es",
        "kb_current": True,
        "digest": record_digests.consent_digest(consent.pk),
    }
    assert str(stored) == f"consent {stored.pk} v1"


def _text_chunk(key: str, value: str) -> PngImagePlugin.PngInfo:
    info = PngImagePlugin.PngInfo()
    info.add_text(key, value)
    return info


def test_a_pdf_scan_is_kept_as_it_is(site_a, kb):
    consent_template(site_a, kb)
    pdf = SCAN_PDF
    seq = last_seq()
    consent = sign(site_a, kb, method="paper", signature_png=None, scan=pdf, scan_content_type="application/pdf")
    stored = Consent.objects.get(pk=consent.pk)
    assert (bytes(stored.scan), stored.scan_content_type, stored.signature_png) == (pdf, "application/pdf", None)
    assert rows_after(seq)[0].detail["claimed_type"] == "application/pdf"


def test_a_jpeg_scan_is_turned_upright_and_loses_its_exif(site_a, kb):
    consent_template(site_a, kb)
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° to show upright
    exif[0x010F] = "PhoneMaker"
    consent = sign(site_a, kb, method="paper", scan=jpeg((40, 60), exif.tobytes()), scan_content_type="image/jpeg")
    stored = Consent.objects.get(pk=consent.pk)
    cleaned = Image.open(io.BytesIO(bytes(stored.scan)))
    assert (stored.scan_content_type, cleaned.format, cleaned.size) == ("image/jpeg", "JPEG", (60, 40))
    assert not cleaned.getexif()


def test_a_png_scan_stays_a_png(site_a, kb):
    consent_template(site_a, kb)
    consent = sign(site_a, kb, method="paper", scan=png((50, 70), "RGB", (250, 250, 250)), scan_content_type="")
    stored = Consent.objects.get(pk=consent.pk)
    assert stored.scan_content_type == "image/png"
    assert Image.open(io.BytesIO(bytes(stored.scan))).size == (50, 70)


@pytest.mark.parametrize(
    ("changes", "problems"),
    [
        ({"typed_name": "  "}, [("typed_name", "type the client's full name")]),
        ({"typed_name": "x" * 201}, [("typed_name", "at most 200 characters")]),
        ({"lang": "fr"}, [("lang", "choose English or Spanish")]),
        ({"method": "voice"}, [("method", "choose a drawn signature or a signed paper form")]),
        (
            {"typed_name": "", "lang": "", "method": ""},
            [
                ("typed_name", "type the client's full name"),
                ("lang", "choose English or Spanish"),
                ("method", "choose a drawn signature or a signed paper form"),
            ],
        ),
        ({"signature_png": None}, [("signature", "draw the signature, or use the paper form and upload its scan")]),
        (
            {"signature_png": b"\x89PNG" + b"0" * (512 * 1024)},
            [("signature", "the signature image is larger than 512 KB")],
        ),
        ({"signature_png": jpeg()}, [("signature", "the file is not a PNG image")]),
        ({"signature_png": b"not an image at all"}, [("signature", "the file is not a PNG image that can be read")]),
        ({"signature_png": TINY_PNG[:-20]}, [("signature", "the file is not a PNG image that can be read")]),
        (
            {"signature_png": png((10, 40))},
            [("signature", "the signature image must be between 16 and 4000 pixels on each side")],
        ),
        (
            {"signature_png": png((4100, 20))},
            [("signature", "the signature image must be between 16 and 4000 pixels on each side")],
        ),
        (
            {"signature_png": png_header(4000, 1001)},
            [("signature", "the image has too many pixels (at most 4 megapixels)")],
        ),
        (
            {"signature_png": png(colour=(0, 0, 0, 0))},
            [("signature", "the signature is empty: draw it, or use the paper form")],
        ),
        (
            {"signature_png": png(colour=(255, 255, 255, 255))},
            [("signature", "the signature is empty: draw it, or use the paper form")],
        ),
        ({"method": "paper", "scan": None}, [("scan", "upload the scan of the signed paper form")]),
        ({"method": "paper", "scan": b"%PDF-" + b"0" * (5 * 1024 * 1024)}, [("scan", "the scan is larger than 5 MB")]),
        (
            {"method": "paper", "scan": b"hello, world"},
            [("scan", "the file is not a PDF, JPEG or PNG file that can be read")],
        ),
        ({"method": "paper", "scan": _gif()}, [("scan", "the file is not a PDF, JPEG or PNG file")]),
        (
            {"method": "paper", "scan": b"%PDF-1.7\n<html><script>alert(1)</script></html>"},
            [("scan", "the file starts like a PDF but is not one that can be read: scan the form again as a PDF")],
        ),
        (
            {"method": "paper", "scan": b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"},
            [("scan", "the file starts like a PDF but is not one that can be read: scan the form again as a PDF")],
        ),
        (
            {"method": "paper", "scan": SCAN_PDF[: len(SCAN_PDF) // 2]},
            [("scan", "the file starts like a PDF but is not one that can be read: scan the form again as a PDF")],
        ),
        (
            {"method": "paper", "scan": png_header(8000, 8000)},
            [("scan", "the image has too many pixels (at most 40 megapixels)")],
        ),
        (
            {"method": "paper", "scan": png_header(20000, 20000)},
            [("scan", "the image has too many pixels (at most 40 megapixels)")],
        ),
    ],
)
def test_each_invalid_signature_is_named(site_a, kb, changes, problems):
    consent_template(site_a, kb)
    with pytest.raises(InvalidInputError) as invalid:
        sign(site_a, kb, **changes)
    assert problems_of(invalid) == problems
    assert not Consent.objects.exists()


def test_only_the_current_version_may_be_signed(site_a, kb):
    first = consent_template(site_a, kb)
    consent_template(site_a, kb)
    with pytest.raises(ConflictError, match=r"a newer consent version \(v2\) exists"):
        sign(site_a, kb, template=first)
    assert not Consent.objects.exists()


def test_a_changed_template_text_cannot_be_signed(site_a, kb):
    template = consent_template(site_a, kb)
    ConsentTemplate.objects.filter(pk=template.pk).update(body_en=template.body_en + "One more clause.")
    with pytest.raises(ConflictError, match="no longer matches its digest"):
        sign(site_a, kb)
    assert sign(site_a, kb, lang="es").text_digest == template.digest_es  # the untouched language still signs


def test_another_clinics_client_or_template_is_not_found_and_recorded(sites, kb):
    site_a, site_b = sites
    own, theirs = consent_template(site_a, kb), consent_template(site_b, kb)
    nurse = staff_actor(site_a, Role.NURSE)
    seq = last_seq()
    with pytest.raises(NotFoundError):
        sign(site_a, kb, template=own, client_id=site_b.client.pk)
    with pytest.raises(NotFoundError):
        sign(site_a, kb, template=theirs)
    assert [summary(r) for r in rows_after(seq)] == [
        expected(nurse, "not_found", "client", site_b.client.pk, outcome="denied"),
        expected(nurse, "not_found", "client", site_a.client.pk, outcome="denied"),
    ]
    assert not Consent.objects.exists()


def test_an_archived_client_cannot_sign(site_a, kb):
    consent_template(site_a, kb)
    clients.set_archived(staff_actor(site_a, Role.PROVIDER), site_a.client.pk, archived=True)
    with pytest.raises(ConflictError, match="archived"):
        sign(site_a, kb)


@pytest.mark.parametrize("role", [Role.OWNER, Role.FRONT_DESK])
def test_roles_that_do_not_treat_cannot_sign(site_a, kb, role):
    consent_template(site_a, kb)
    actor = staff_actor(site_a, role)
    seq = last_seq()
    with pytest.raises(NotAllowedError):
        sign(site_a, kb, role=role)
    with pytest.raises(NotAllowedError):
        signatures.signing(actor, site_a.client.pk)
    denied = expected(actor, "record_treatment", "consent", client_id=site_a.client.pk, outcome="denied")
    assert [summary(r) for r in rows_after(seq)] == [denied, denied]


def test_signing_shows_the_client_and_the_current_version(sites, kb):
    site_a, site_b = sites
    aesthetician = staff_actor(site_a, Role.AESTHETICIAN)
    assert signatures.signing(aesthetician, site_a.client.pk) == (site_a.client, None)
    template = consent_template(site_a, kb)
    seq = last_seq()
    assert signatures.signing(aesthetician, site_a.client.pk) == (site_a.client, template)
    assert [summary(r) for r in rows_after(seq)] == [
        expected(aesthetician, "read", "client", site_a.client.pk, client_id=site_a.client.pk)
    ]
    with pytest.raises(NotFoundError):
        signatures.signing(aesthetician, site_b.client.pk)


# --- append-only ---


def test_a_signed_consent_cannot_be_changed_or_deleted(site_a, kb):
    consent = signed_consent(site_a, kb)
    consent.typed_name = "Someone Else"
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        consent.save()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Consent.objects.filter(pk=consent.pk).update(signed_text="changed")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Consent.objects.filter(pk=consent.pk).delete()
    assert Consent.objects.get(pk=consent.pk).typed_name == "Zephyrine Quixotelle"


# --- status ---


def test_status_before_and_after_signing_and_after_a_new_version(site_a, kb):
    nurse = staff_actor(site_a, Role.NURSE)
    status = signatures.consent_status(nurse, site_a.client.pk)
    assert (status.signed, status.current, status.is_current, status.needs_reconsent) == (None, None, False, False)
    consent = signed_consent(site_a, kb)
    seq = last_seq()
    status = signatures.consent_status(nurse, site_a.client.pk)
    assert (status.signed, status.current.version, status.is_current, status.needs_reconsent) == (
        consent,
        1,
        True,
        False,
    )
    assert [summary(r) for r in rows_after(seq)] == [
        expected(nurse, "read", "consent", consent.pk, client_id=site_a.client.pk)
    ]
    consent_template(site_a, kb)
    status = signatures.consent_status(nurse, site_a.client.pk)
    assert (status.signed, status.current.version, status.is_current, status.needs_reconsent) == (
        consent,
        2,
        False,
        True,
    )
    assert signatures.latest_consent(site_a.clinic.pk, site_a.client.pk) == consent
    again = signed_consent(site_a, kb)
    status = signatures.consent_status(nurse, site_a.client.pk)
    assert (status.signed, status.is_current, status.needs_reconsent) == (again, True, False)
    assert signatures.latest_consent(site_a.clinic.pk, site_a.client.pk) == again


def test_a_template_without_a_signature_is_not_current_for_the_client(site_a, kb):
    consent_template(site_a, kb)
    status = signatures.consent_status(staff_actor(site_a, Role.NURSE), site_a.client.pk)
    assert (status.signed, status.current.version, status.is_current, status.needs_reconsent) == (None, 1, False, False)


def test_status_is_health_data_of_the_own_clinic(sites, kb):
    site_a, site_b = sites
    signed_consent(site_b, kb)
    with pytest.raises(NotAllowedError):
        signatures.consent_status(staff_actor(site_a, Role.FRONT_DESK), site_a.client.pk)
    nurse = staff_actor(site_a, Role.NURSE)
    seq = last_seq()
    with pytest.raises(NotFoundError):
        signatures.consent_status(nurse, site_b.client.pk)
    assert [summary(r) for r in rows_after(seq)] == [
        expected(nurse, "not_found", "client", site_b.client.pk, outcome="denied")
    ]
    assert signatures.latest_consent(site_a.clinic.pk, site_b.client.pk) is None


# --- reading a consent and its files ---


def test_a_consent_its_signature_and_its_scan(site_a, kb):
    drawn = signed_consent(site_a, kb)
    paper = sign(site_a, kb, method="paper", scan=SCAN_PDF, scan_content_type="application/pdf")
    provider = staff_actor(site_a, Role.PROVIDER)
    seq = last_seq()
    shown = signatures.get_consent(provider, drawn.pk)
    assert (shown.pk, shown.client.pk, shown.recorded_by.staff.display_name) == (
        drawn.pk,
        site_a.client.pk,
        "nurse alpha",
    )
    data, content_type = signatures.signature_image(provider, drawn.pk)
    assert content_type == "image/png"
    assert Image.open(io.BytesIO(data)).size == (64, 24)
    assert signatures.scan_file(provider, paper.pk) == (SCAN_PDF, "application/pdf")
    rows = rows_after(seq)
    assert [summary(r) for r in rows] == [
        expected(provider, "read", "consent", drawn.pk, client_id=site_a.client.pk),
        expected(provider, "read", "consent", drawn.pk, client_id=site_a.client.pk),
        expected(provider, "read", "consent", paper.pk, client_id=site_a.client.pk),
    ]
    assert [r.detail for r in rows] == [{}, {"file": "signature"}, {"file": "scan"}]
    with pytest.raises(NotFoundError, match="signed on paper"):
        signatures.signature_image(provider, paper.pk)
    with pytest.raises(NotFoundError, match="no scan"):
        signatures.scan_file(provider, drawn.pk)


def test_another_clinics_consent_is_not_found_and_the_front_desk_is_refused(sites, kb):
    site_a, site_b = sites
    theirs = signed_consent(site_b, kb)
    nurse = staff_actor(site_a, Role.NURSE)
    for read in (signatures.get_consent, signatures.signature_image, signatures.scan_file):
        seq = last_seq()
        with pytest.raises(NotFoundError):
            read(nurse, theirs.pk)
        assert [summary(r) for r in rows_after(seq)] == [
            expected(nurse, "not_found", "consent", theirs.pk, outcome="denied")
        ]
        with pytest.raises(NotAllowedError):
            read(staff_actor(site_b, Role.FRONT_DESK), theirs.pk)


def test_signed_consent_builds_a_first_version_only_when_needed(site_a, kb):
    other = clients.create(staff_actor(site_a, Role.FRONT_DESK), details(given_name="Other"))
    first = signed_consent(site_a, kb)
    second = signed_consent(site_a, kb, client=other)
    assert first.template_id == second.template_id
    assert ConsentTemplate.objects.count() == 1
    assert second.client_id == other.pk


def test_limits_are_the_documented_ones():
    assert (images.MAX_SIGNATURE_BYTES, images.MAX_SCAN_BYTES) == (512 * 1024, 5 * 1024 * 1024)
    assert (versions.INTRO_LIMIT, signatures.NAME_LIMIT) == (5000, 200)
