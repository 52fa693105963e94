"""Consent: the clinic's versioned consent text, a client's signature on the current version, its status.

A template version is the clinic's introduction in English and Spanish around the knowledge base's
risks (see :mod:`needlewise.clinic.consent_text`); versions count 1, 2, ... per clinic and are never
changed. A client signs the current version only: the exact text they read is stored with its
SHA-256, which must equal the template's, with a drawn signature or the scan of a signed paper form.
Signed consents are append-only in the database. A newer template version means every client signs
again before their next session (``needs_reconsent``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from needlewise.clinic import audit, consent_files
from needlewise.clinic.actor import Actor
from needlewise.clinic.clients import own_client
from needlewise.clinic.consent_text import compose, digest
from needlewise.domain.permissions import Action
from needlewise.domain.vocabulary import Lang
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.errors import ConflictError, InvalidInputError, NotFoundError, Problem
from needlewise.storage.models import Client, Clinic, Consent, ConsentTemplate

INTRO_LIMIT = 5000
NAME_LIMIT = 200
METHODS = ("drawn", "paper")
_ATTEMPTS = 3


def current_version(clinic_id: int) -> int | None:
    """The clinic's current (highest) template version, if it has one. Not audited: for other use cases."""
    version: int | None = ConsentTemplate.objects.filter(clinic_id=clinic_id).aggregate(v=Max("version"))["v"]
    return version


def latest_consent(clinic_id: int, client_id: int) -> Consent | None:
    """The client's consent on the highest version (latest signed first). Not audited: for other use cases."""
    return (
        Consent.objects.filter(clinic_id=clinic_id, client_id=client_id)
        .order_by("-version", "-signed_at", "-pk")
        .first()
    )


def _intro_problems(intro_en: str, intro_es: str) -> list[Problem]:
    problems = []
    for where, text in (("intro_en", intro_en), ("intro_es", intro_es)):
        if not text:
            problems.append(Problem(where, "write the clinic's introduction in this language"))
        elif len(text) > INTRO_LIMIT:
            problems.append(Problem(where, f"at most {INTRO_LIMIT} characters"))
    return problems


def _next_version(clinic_id: int) -> int:
    return (current_version(clinic_id) or 0) + 1


def create_template(actor: Actor, *, intro_en: str, intro_es: str, kb: KnowledgeBase) -> ConsentTemplate:
    """Write the clinic's next consent version from its introductions and the knowledge base's risks.

    The clinic's row is locked while the version number is chosen; should two writers still pick the
    same number (the unique constraint refuses the second), the next number is tried.
    """
    clinic_id = audit.require(actor, Action.MANAGE_CONSENT, "consent_template")
    intro_en, intro_es = (text.replace("\r\n", "\n").strip() for text in (intro_en, intro_es))
    problems = _intro_problems(intro_en, intro_es)
    if problems:
        raise InvalidInputError(problems)
    body_en, body_es = compose(intro_en, kb, Lang.EN), compose(intro_es, kb, Lang.ES)
    for _attempt in range(_ATTEMPTS):
        try:
            with transaction.atomic():
                Clinic.objects.select_for_update().only("pk").get(pk=clinic_id)
                template = ConsentTemplate.objects.create(
                    clinic_id=clinic_id,
                    version=_next_version(clinic_id),
                    intro_en=intro_en,
                    intro_es=intro_es,
                    body_en=body_en,
                    body_es=body_es,
                    digest_en=digest(body_en),
                    digest_es=digest(body_es),
                    kb_version=kb.version.version,
                    kb_hash=kb.version.content_hash,
                    created_by_id=actor.staff_user_id,
                )
                audit.record(actor, "create", "consent_template", template.pk, detail={"version": template.version})
        except IntegrityError:  # another writer took this version number first
            continue
        return template
    raise ConflictError([Problem("version", "another consent version was being written at the same time; try again")])


def current_template(actor: Actor) -> ConsentTemplate | None:
    """The clinic's current consent version (the one clients sign), if any."""
    clinic_id = audit.require(actor, Action.VIEW_HEALTH, "consent_template")
    return ConsentTemplate.objects.filter(clinic_id=clinic_id).order_by("-version").first()


def templates(actor: Actor) -> list[ConsentTemplate]:
    """Every consent version of the clinic, newest first."""
    clinic_id = audit.require(actor, Action.MANAGE_CONSENT, "consent_template")
    return list(
        ConsentTemplate.objects.filter(clinic_id=clinic_id).select_related("created_by__staff").order_by("-version")
    )


@audit.records_not_found("consent_template")
def get_template(actor: Actor, template_id: int) -> ConsentTemplate:
    """One consent version of the clinic (NotFoundError for any other id)."""
    clinic_id = audit.require(actor, Action.MANAGE_CONSENT, "consent_template", template_id)
    template = (
        ConsentTemplate.objects.filter(pk=template_id, clinic_id=clinic_id).select_related("created_by__staff").first()
    )
    if template is None:
        raise NotFoundError([Problem("consent_template", "no such consent version in your clinic")])
    return template


@audit.records_not_found("client")
def signing(actor: Actor, client_id: int) -> tuple[Client, ConsentTemplate | None]:
    """What the signing page shows: the client and the current version (refused to roles that do not sign)."""
    clinic_id = audit.require(actor, Action.RECORD_TREATMENT, "consent", "", client_id)
    with transaction.atomic():
        client = own_client(clinic_id, client_id)
        audit.record(actor, "read", "client", client.pk, client_id=client.pk)
    return client, ConsentTemplate.objects.filter(clinic_id=clinic_id).order_by("-version").first()


@dataclass(frozen=True, slots=True)
class Signature:
    """How the client signed: a drawn PNG, or the scan of a signed paper form."""

    method: str
    signature_png: bytes | None
    scan: bytes | None


def _checked_signature(
    typed_name: str, lang: str, signature: Signature
) -> tuple[str, Lang, bytes | None, bytes | None, str]:
    problems = []
    name = " ".join(typed_name.split())
    if not name:
        problems.append(Problem("typed_name", "type the client's full name"))
    elif len(name) > NAME_LIMIT:
        problems.append(Problem("typed_name", f"at most {NAME_LIMIT} characters"))
    if lang not in {Lang.EN.value, Lang.ES.value}:
        problems.append(Problem("lang", "choose English or Spanish"))
    if signature.method not in METHODS:
        problems.append(Problem("method", "choose a drawn signature or a signed paper form"))
    if problems:
        raise InvalidInputError(problems)
    if signature.method == "drawn":
        return name, Lang(lang), consent_files.clean_signature(signature.signature_png or b""), None, ""
    scan, content_type = consent_files.clean_scan(signature.scan or b"")
    return name, Lang(lang), None, scan, content_type


@audit.records_not_found("client")
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
    clinic_id = audit.require(actor, Action.RECORD_TREATMENT, "consent", "", client_id)
    name, chosen, png, scanned, content_type = _checked_signature(
        typed_name, lang, Signature(method, signature_png, scan)
    )
    with transaction.atomic():
        client = own_client(clinic_id, client_id)
        if client.archived_at is not None:
            raise ConflictError([Problem("client", "this client is archived; restore them before signing")])
        template = ConsentTemplate.objects.filter(pk=template_id, clinic_id=clinic_id).first()
        if template is None:
            raise NotFoundError([Problem("consent_template", "no such consent version in your clinic")])
        current = current_version(clinic_id)
        if template.version != current:
            message = f"a newer consent version (v{current}) exists; have the client read and sign that one"
            raise ConflictError([Problem("template_id", message)])
        text = template.body_es if chosen is Lang.ES else template.body_en
        expected = template.digest_es if chosen is Lang.ES else template.digest_en
        if digest(text) != expected:
            message = "the stored consent text no longer matches its digest; write a new consent version"
            raise ConflictError([Problem("template_id", message)])
        consent = Consent.objects.create(
            clinic_id=clinic_id,
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
        audit.record(actor, "create", "consent", consent.pk, client_id=client.pk, detail=detail)
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


@audit.records_not_found("client")
def consent_status(actor: Actor, client_id: int) -> ConsentStatus:
    """The client's consent status (the read is recorded)."""
    clinic_id = audit.require(actor, Action.VIEW_HEALTH, "consent", "", client_id)
    with transaction.atomic():
        client = own_client(clinic_id, client_id)
        signed = latest_consent(clinic_id, client.pk)
        current = ConsentTemplate.objects.filter(clinic_id=clinic_id).order_by("-version").first()
        audit.record(actor, "read", "consent", signed.pk if signed else "", client_id=client.pk)
    return ConsentStatus(signed, current)


def _own_consent(clinic_id: int, consent_id: int, *, files: bool) -> Consent:
    rows = Consent.objects.select_related("client", "recorded_by__staff").filter(pk=consent_id, clinic_id=clinic_id)
    consent = (rows if files else rows.defer("signature_png", "scan")).first()
    if consent is None:
        raise NotFoundError([Problem("consent", "no such consent in your clinic")])
    return consent


@audit.records_not_found("consent")
def get_consent(actor: Actor, consent_id: int) -> Consent:
    """One signed consent of the clinic, with the text signed (the read is recorded)."""
    clinic_id = audit.require(actor, Action.VIEW_HEALTH, "consent", consent_id)
    with transaction.atomic():
        consent = _own_consent(clinic_id, consent_id, files=False)
        audit.record(actor, "read", "consent", consent.pk, client_id=consent.client_id)
    return consent


@audit.records_not_found("consent")
def signature_image(actor: Actor, consent_id: int) -> tuple[bytes, str]:
    """The drawn signature's PNG (NotFoundError for a paper consent; the read is recorded)."""
    clinic_id = audit.require(actor, Action.VIEW_HEALTH, "consent", consent_id)
    with transaction.atomic():
        consent = _own_consent(clinic_id, consent_id, files=True)
        if consent.signature_png is None:
            raise NotFoundError([Problem("signature", "this consent was signed on paper; see its scan")])
        audit.record(actor, "read", "consent", consent.pk, client_id=consent.client_id, detail={"file": "signature"})
    return bytes(consent.signature_png), consent_files.PNG


@audit.records_not_found("consent")
def scan_file(actor: Actor, consent_id: int) -> tuple[bytes, str]:
    """The signed paper form's scan and its content type (NotFoundError for a drawn signature)."""
    clinic_id = audit.require(actor, Action.VIEW_HEALTH, "consent", consent_id)
    with transaction.atomic():
        consent = _own_consent(clinic_id, consent_id, files=True)
        if consent.scan is None:
            raise NotFoundError([Problem("scan", "this consent was signed on screen; it has no scan")])
        audit.record(actor, "read", "consent", consent.pk, client_id=consent.client_id, detail={"file": "scan"})
    return bytes(consent.scan), consent.scan_content_type
