"""A home journal's referral to a clinic (JSON API), beside :mod:`needlewise.api.journal_routes`.

As the journal's page does (:mod:`needlewise.web.views.journal_referral`): ``GET …/referrals/consent``
gives the exact consent text for a clinic and this journal, and its digest; ``POST …/referrals``
sends the journal's summary with the person's contact details and message when ``consent`` is true
(with ``consent_digest``, only if the text is still the one shown). An unknown key or clinic is 404,
bad input 422 naming the field; sending is limited per address (``PUBLIC_LIMITS["clinic_request"]``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from django.http import HttpRequest, HttpResponse
from ninja import Router
from pydantic import BaseModel, ConfigDict, Field

from needlewise import bootstrap
from needlewise.api.journal_routes import ERRORS
from needlewise.api.journal_schemas import Key, LangParam
from needlewise.api.responses import json_response
from needlewise.clinic.access.actor import Actor
from needlewise.clinic.intake import referral
from needlewise.clinic.intake.public import RequestForm, public_clinic, text_digest
from needlewise.domain.json_types import JsonValue
from needlewise.domain.vocabulary import Lang
from needlewise.edge.request_actor import client_ip

router = Router(tags=["journal"])
Slug = Annotated[
    str,
    Field(min_length=1, max_length=50, pattern=r"^[-a-zA-Z0-9_]+$", description="The clinic's id: /clinics/<id>/."),
]
Digest = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$", description="The SHA-256 digest of the consent text shown.")]
NO_STORE = {"Cache-Control": "no-store"}


class ReferralIn(BaseModel):
    """The clinic, the person's contact details and message, and their consent to the text for this journal."""

    model_config = ConfigDict(extra="forbid")

    clinic: Slug
    given_name: Annotated[str, Field(max_length=100)]
    family_name: Annotated[str, Field(max_length=100)]
    birth_date: date | None = None
    email: Annotated[str, Field(max_length=254)] = ""
    phone: Annotated[str, Field(max_length=40)] = ""
    message: Annotated[str, Field(max_length=2000)] = ""
    consent: bool = Field(description="True: the person agrees to the consent text (nothing is sent otherwise).")
    consent_digest: Digest | None = None


class ReferralConsentOut(BaseModel):
    """The exact text the person agrees to for this clinic and this journal, and its digest."""

    model_config = ConfigDict(extra="forbid")

    clinic: str
    clinic_name: str
    lang: LangParam
    consent_text: str
    consent_digest: str


class ReferralOut(ReferralConsentOut):
    """The referral as sent: the clinic, when, and the consent text stored with it."""

    sent_at: datetime


def _consent_json(clinic: str, clinic_name: str, lang: Lang, text: str) -> dict[str, JsonValue]:
    return {
        "clinic": clinic,
        "clinic_name": clinic_name,
        "lang": lang.value,
        "consent_text": text,
        "consent_digest": text_digest(text),
    }


@router.get(
    "/journals/{key}/referrals/consent",
    response={200: ReferralConsentOut, **ERRORS},
    summary="The consent text for referring a home journal to a clinic",
)
def consent(request: HttpRequest, key: Key, clinic: Slug, lang: LangParam | None = None) -> HttpResponse:
    """The sentence the person agrees to, naming what is sent (``lang``: the journal's own by default)."""
    del request
    about = referral.prepare(bootstrap.journals(), key, clinic, bootstrap.knowledge_base(), _lang(lang))
    data = _consent_json(about.clinic.slug, about.clinic.name, about.view.lang, about.consent_text)
    return json_response(data, headers=NO_STORE)


@router.post(
    "/journals/{key}/referrals",
    response={201: ReferralOut, **ERRORS},
    summary="Refer a home journal to a clinic, with consent",
)
def send(request: HttpRequest, key: Key, body: ReferralIn, lang: LangParam | None = None) -> HttpResponse:
    """Send the journal's summary, the contact details and the message to the clinic's intake."""
    form = RequestForm(
        body.given_name, body.family_name, body.birth_date, body.email, body.phone, body.message, body.consent
    )
    actor = Actor.anonymous(client_ip(request), str(request.META.get("NEEDLEWISE_REQUEST_ID", "")))
    stored = referral.refer(
        actor,
        bootstrap.journals(),
        key,
        body.clinic,
        form=form,
        kb=bootstrap.knowledge_base(),
        lang=_lang(lang),
        shown_digest=body.consent_digest,
    )
    clinic = public_clinic(body.clinic)
    data = _consent_json(clinic.slug, clinic.name, Lang(stored.lang), stored.consent_text)
    data["sent_at"] = stored.created_at.isoformat()
    return json_response(data, status=201, headers=NO_STORE)


def _lang(lang: LangParam | None) -> Lang | None:
    return Lang(lang) if lang is not None else None
