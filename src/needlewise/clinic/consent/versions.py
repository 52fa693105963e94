"""The clinic's consent versions: its introduction in English and Spanish around the knowledge base's risks.

A template version is the clinic's introduction around the knowledge base's risks (see
:mod:`needlewise.clinic.consent.wording`); versions count 1, 2, ... per clinic and are never changed.
A newer template version means every client signs again before their next session.
"""

from __future__ import annotations

from typing import Annotated

from django.db import IntegrityError, transaction
from django.db.models import Max
from pydantic import AfterValidator, BaseModel, ConfigDict

from needlewise.clinic import forms
from needlewise.clinic.access.actor import Actor
from needlewise.clinic.access.guard import use_case
from needlewise.clinic.access.tenancy import access_consent_template
from needlewise.clinic.audit import log as audit_log
from needlewise.clinic.consent import update_notes
from needlewise.clinic.consent.wording import compose, digest
from needlewise.domain.permissions import Action
from needlewise.domain.vocabulary import Lang
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.errors import N_, ConflictError, InvalidInputError, Problem
from needlewise.services.ports import MessageSender
from needlewise.storage.models import Clinic, ConsentTemplate

INTRO_LIMIT = 5000
_ATTEMPTS = 3


def current_version(clinic_id: int) -> int | None:
    """The clinic's current (highest) template version, if it has one. Not audited: for other use cases."""
    version: int | None = ConsentTemplate.objects.filter(clinic_id=clinic_id).aggregate(v=Max("version"))["v"]
    return version


def _intro(typed: str) -> str:
    """The introduction with plain line breaks and no space around it; refused when blank or too long."""
    intro = typed.replace("\r\n", "\n").strip()
    if not intro:
        forms.fail(N_("write the clinic's introduction in this language"))
    if len(intro) > INTRO_LIMIT:
        forms.refuse(Problem.worded("", N_("at most %(limit)s characters"), limit=str(INTRO_LIMIT)))
    return intro


Intro = Annotated[str, AfterValidator(_intro)]


class TemplateFields(BaseModel):
    """Every field the consent version form posts: the clinic's introduction in English and in Spanish."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    intro_en: Intro
    intro_es: Intro


def _next_version(clinic_id: int) -> int:
    return (current_version(clinic_id) or 0) + 1


@use_case(Action.MANAGE_CONSENT, "consent_template", atomic=False)
def create_template(
    actor: Actor, *, intro_en: str, intro_es: str, kb: KnowledgeBase, sender: MessageSender | None = None
) -> ConsentTemplate:
    """Write the clinic's next consent version from its introductions and the knowledge base's risks.

    The clinic's row is locked while the version number is chosen; should two writers still pick the
    same number (the unique constraint refuses the second), the next number is tried. Clients with an
    appointment to come who signed an older version are told through ``sender`` (``None``: no one;
    :mod:`~needlewise.clinic.consent.update_notes`).
    """
    problems: list[Problem] = []
    intros = forms.parse(TemplateFields, {"intro_en": intro_en, "intro_es": intro_es}, problems)
    if intros is None:
        raise InvalidInputError(problems)
    intro_en, intro_es = intros.intro_en, intros.intro_es
    body_en, body_es = compose(intro_en, kb, Lang.EN), compose(intro_es, kb, Lang.ES)
    for _attempt in range(_ATTEMPTS):
        try:
            with transaction.atomic():
                Clinic.objects.select_for_update().only("pk").get(pk=actor.staff_clinic_id)
                template = ConsentTemplate.objects.create(
                    clinic_id=actor.staff_clinic_id,
                    version=_next_version(actor.staff_clinic_id),
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
                notes = update_notes.notify(template, sender)
                detail: dict[str, object] = {"version": template.version, "notes": notes}
                audit_log.record(actor, "create", "consent_template", template.pk, detail=detail)
        except IntegrityError:  # another writer took this version number first
            continue
        return template
    raise ConflictError(
        [Problem("version", N_("another consent version was being written at the same time; try again"))]
    )


@use_case(Action.VIEW_HEALTH, "consent_template", audited=False)
def current_template(actor: Actor) -> ConsentTemplate | None:
    """The clinic's current consent version (the one clients sign), if any."""
    return ConsentTemplate.objects.filter(clinic_id=actor.staff_clinic_id).order_by("-version").first()


@use_case(Action.MANAGE_CONSENT, "consent_template", audited=False)
def templates(actor: Actor) -> list[ConsentTemplate]:
    """Every consent version of the clinic, newest first."""
    return list(
        ConsentTemplate.objects.filter(clinic_id=actor.staff_clinic_id)
        .select_related("created_by__staff")
        .order_by("-version")
    )


@use_case(Action.MANAGE_CONSENT, "consent_template", record="template_id", missing="consent_template", audited=False)
def get_template(actor: Actor, template_id: int) -> ConsentTemplate:
    """One consent version of the clinic (NotFoundError for any other id)."""
    return access_consent_template(actor, template_id)
