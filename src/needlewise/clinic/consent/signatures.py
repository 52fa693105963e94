"""A client's signature on the current consent version, and their consent status.

A client signs the current version only: the exact text they read is stored with its SHA-256, which
must equal the template's, with a drawn signature or the scan of a signed paper form. Signed
consents are append-only in the database. A newer template version means every client signs again
before their next session (``needs_reconsent``).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from django.utils import timezone
from pydantic import AfterValidator, BaseModel, ConfigDict

from needlewise.clinic import forms
from needlewise.clinic.access.actor import Actor
from needlewise.clinic.access.guard import use_case
from needlewise.clinic.access.tenancy import access_client, access_consent, access_consent_template
from needlewise.clinic.audit import log as audit_log
from needlewise.clinic.consent import images
from needlewise.clinic.consent.versions import current_version
from needlewise.clinic.consent.wording import digest
from needlewise.clinic.forms import Reads, choice
from needlewise.clinic.records import record_digests
from needlewise.domain.permissions import Action
from needlewise.domain.statuses import ConsentMethod
from needlewise.domain.vocabulary import Lang
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.errors import N_, ConflictError, InvalidInputError, NotFoundError, Problem
from needlewise.storage.models import Client, Consent, ConsentTemplate

NAME_LIMIT = 200
METHODS = tuple(method.value for method in ConsentMethod)
_DATA_URL = "data:image/png;base64,"


def latest_consent(clinic_id: int, client_id: int, signed_before: datetime | None = None) -> Consent | None:
    """The client's consent on the highest version (latest signed first), of those signed before ``signed_before``.

    Not audited: for other use cases.
    """
    signed = Consent.objects.filter(clinic_id=clinic_id, client_id=client_id)
    if signed_before is not None:
        signed = signed.filter(signed_at__lt=signed_before)
    return signed.order_by("-version", "-signed_at", "-pk").first()


@use_case(Action.RECORD_TREATMENT, "consent", client="client_id", missing="client")
def signing(actor: Actor, client_id: int) -> tuple[Client, ConsentTemplate | None]:
    """What the signing page shows: the client and the current version (refused to roles that do not sign)."""
    client = access_client(actor, client_id)
    audit_log.record(actor, "read", "client", client.pk, client_id=client.pk)
    return client, ConsentTemplate.objects.filter(clinic_id=actor.staff_clinic_id).order_by("-version").first()


def _full_name(typed: str) -> str:
    name = " ".join(typed.split())
    if not name:
        forms.fail(N_("type the client's full name"))
    if len(name) > NAME_LIMIT:
        forms.refuse(Problem.worded("", N_("at most %(limit)s characters"), limit=str(NAME_LIMIT)))
    return name


def _template_id(typed: str) -> int:
    return int(typed.strip()) if typed.strip().isdecimal() else 0  # 0: no such version (the use case says so)


def _signature_png(typed: str) -> bytes:
    """The PNG inside the signature pad's data URL (other text is passed on as it is, and refused as not a PNG)."""
    if not typed.startswith(_DATA_URL):
        return typed.encode()
    try:
        return base64.b64decode(typed[len(_DATA_URL) :], validate=True)
    except binascii.Error:
        return typed.encode()


class SignatureFields(BaseModel):
    """Every text field the signing page posts (the scan is a file), in the order its problems are named.

    :func:`sign` checks the name, language and method by it; the page reads the version signed and the
    pad's drawing (``signature_data``, a PNG data URL) by it too.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    typed_name: Annotated[str, AfterValidator(_full_name)]
    lang: Annotated[str, choice((Lang.EN.value, Lang.ES.value), N_("choose English or Spanish"))]
    method: Annotated[str, choice(METHODS, N_("choose a drawn signature or a signed paper form"))]
    template_id: Annotated[int, Reads(_template_id)] = 0
    signature_data: Annotated[bytes, Reads(_signature_png)] = b""


@dataclass(frozen=True, slots=True)
class Signature:
    """How the client signed: a drawn PNG, or the scan of a signed paper form."""

    method: str
    signature_png: bytes | None
    scan: bytes | None


def _checked_signature(
    typed_name: str, lang: str, signature: Signature
) -> tuple[str, Lang, bytes | None, bytes | None, str]:
    problems: list[Problem] = []
    fields = {"typed_name": typed_name, "lang": lang, "method": signature.method}
    parsed = forms.parse(SignatureFields, fields, problems)
    if parsed is None:
        raise InvalidInputError(problems)
    name = parsed.typed_name
    if signature.method == ConsentMethod.DRAWN:
        return name, Lang(lang), images.clean_signature(signature.signature_png or b""), None, ""
    scan, content_type = images.clean_scan(signature.scan or b"")
    return name, Lang(lang), None, scan, content_type


@use_case(Action.RECORD_TREATMENT, "consent", client="client_id", missing="client")
def sign(  # noqa: PLR0913 - one signature's facts
    actor: Actor,
    client_id: int,
    *,
    template_id: int,
    lang: str,
    typed_name: str,
    method: str,
    signature_png: bytes | None,
    scan: bytes | None,
    scan_content_type: str = "",
    kb: KnowledgeBase,
) -> Consent:
    """Record the client's signature on the current consent version, in the language they read it in.

    The scan's type is decided by its bytes, not by ``scan_content_type`` (what the browser claimed),
    which is kept in the audit row only.
    """
    name, chosen, png, scanned, content_type = _checked_signature(
        typed_name, lang, Signature(method, signature_png, scan)
    )
    client = access_client(actor, client_id)
    if client.archived_at is not None:
        raise ConflictError([Problem("client", N_("this client is archived; restore them before signing"))])
    template = access_consent_template(actor, template_id)
    current = current_version(actor.staff_clinic_id)
    if template.version != current:
        newer = N_("a newer consent version (v%(version)s) exists; have the client read and sign that one")
        raise ConflictError([Problem.worded("template_id", newer, version=str(current))])
    text = template.body_es if chosen is Lang.ES else template.body_en
    expected = template.digest_es if chosen is Lang.ES else template.digest_en
    if digest(text) != expected:
        message = N_("the stored consent text no longer matches its digest; write a new consent version")
        raise ConflictError([Problem("template_id", message)])
    consent = Consent.objects.create(
        clinic_id=actor.staff_clinic_id,
        client=client,
        template=template,
        version=template.version,
        lang=chosen.value,
        signed_text=text,
        text_digest=expected,
        typed_name=name,
        method=method,
        signature_png=png,
        scan=scanned,
        scan_content_type=content_type,
        signed_at=timezone.now(),
        recorded_by_id=actor.staff_user_id,
    )
    detail: dict[str, object] = {"version": template.version, "method": method, "lang": chosen.value}
    detail |= {"kb_current": template.kb_hash == kb.version.content_hash}
    if scanned is not None:
        detail["claimed_type"] = scan_content_type[:40]
    detail["digest"] = record_digests.consent_digest(consent.pk)
    audit_log.record(actor, "create", "consent", consent.pk, client_id=client.pk, detail=detail)
    return consent


@dataclass(frozen=True, slots=True)
class ConsentStatus:
    """A client's latest signed consent and the clinic's current version."""

    signed: Consent | None
    current: ConsentTemplate | None

    @property
    def is_current(self) -> bool:
        """Whether the client signed the current version."""
        return self.signed is not None and self.current is not None and self.signed.version == self.current.version

    @property
    def needs_reconsent(self) -> bool:
        """Whether the client signed an older version and must sign the current one."""
        return self.signed is not None and self.current is not None and self.signed.version < self.current.version


@use_case(Action.VIEW_HEALTH, "consent", client="client_id", missing="client")
def consent_status(actor: Actor, client_id: int) -> ConsentStatus:
    """The client's consent status (the read is recorded)."""
    client = access_client(actor, client_id)
    signed = latest_consent(actor.staff_clinic_id, client.pk)
    current = ConsentTemplate.objects.filter(clinic_id=actor.staff_clinic_id).order_by("-version").first()
    audit_log.record(actor, "read", "consent", signed.pk if signed else "", client_id=client.pk)
    return ConsentStatus(signed, current)


@use_case(Action.VIEW_HEALTH, "consent", record="consent_id", missing="consent")
def get_consent(actor: Actor, consent_id: int) -> Consent:
    """One signed consent of the clinic, with the text signed (the read is recorded)."""
    consent = access_consent(actor, consent_id, files=False)
    audit_log.record(actor, "read", "consent", consent.pk, client_id=consent.client_id)
    return consent


@use_case(Action.VIEW_HEALTH, "consent", record="consent_id", missing="consent")
def signature_image(actor: Actor, consent_id: int) -> tuple[bytes, str]:
    """The drawn signature's PNG (NotFoundError for a paper consent; the read is recorded)."""
    consent = access_consent(actor, consent_id, files=True)
    if consent.signature_png is None:
        raise NotFoundError([Problem("signature", N_("this consent was signed on paper; see its scan"))])
    audit_log.record(actor, "read", "consent", consent.pk, client_id=consent.client_id, detail={"file": "signature"})
    return bytes(consent.signature_png), images.PNG


@use_case(Action.VIEW_HEALTH, "consent", record="consent_id", missing="consent")
def scan_file(actor: Actor, consent_id: int) -> tuple[bytes, str]:
    """The signed paper form's scan and its content type (NotFoundError for a drawn signature)."""
    consent = access_consent(actor, consent_id, files=True)
    if consent.scan is None:
        raise NotFoundError([Problem("scan", N_("this consent was signed on screen; it has no scan"))])
    audit_log.record(actor, "read", "consent", consent.pk, client_id=consent.client_id, detail={"file": "scan"})
    return bytes(consent.scan), consent.scan_content_type
