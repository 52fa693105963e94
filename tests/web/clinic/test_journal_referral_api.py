"""A home journal's referral to a clinic through the JSON API: the consent text, sending, 404 and 422."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

import orjson
import pytest
from django.test import Client

from needlewise import bootstrap
from needlewise.api.journal_referral_routes import ReferralConsentOut, ReferralOut
from needlewise.api.schemas import ErrorOut
from needlewise.domain.vocabulary import Area, Lang
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.services import journal
from needlewise.services.journal_entries import SessionEntry
from needlewise.storage.models import AuditEntry, ConsultationRequest
from web import journal_support as js
from web.clinic.support import Site

pytestmark = pytest.mark.django_db


@pytest.fixture
def key(kb: KnowledgeBase) -> str:
    made = js.started(kb, lang=Lang.ES)
    entry = SessionEntry(date(2026, 11, 2), 0.25, frozenset({Area.FOREHEAD}))
    journal.log_session(bootstrap.journals(), made, entry, kb, None, date(2026, 12, 7))
    return made


def body(site: Site, **changes: Any) -> dict[str, Any]:
    return {
        "clinic": site.clinic.slug,
        "given_name": "Ottoline",
        "family_name": "Marchbanks",
        "birth_date": "1988-02-03",
        "email": "otto@example.org",
        "message": "Mornings, please.",
        "consent": True,
        **changes,
    }


def post(client: Client, path: str, data: dict[str, Any]) -> Any:
    return client.post(path, orjson.dumps(data), content_type="application/json")


def test_the_consent_text_then_the_referral(client: Client, site_a: Site, key: str) -> None:
    shown = client.get(f"/api/v1/journals/{key}/referrals/consent?clinic={site_a.clinic.slug}")
    assert shown.status_code == 200
    assert shown["Cache-Control"] == "no-store"
    consent = ReferralConsentOut.model_validate(shown.json())
    assert consent.lang == "es"  # the journal's own language
    assert consent.consent_text.startswith("Acepto que needlewise envíe a Clinic Alpha (Alphaville) mi diario")
    assert consent.consent_digest == hashlib.sha256(consent.consent_text.encode()).hexdigest()
    english = client.get(f"/api/v1/journals/{key}/referrals/consent?clinic={site_a.clinic.slug}&lang=en").json()
    assert "the sessions I logged (1)" in english["consent_text"]
    sent = post(client, f"/api/v1/journals/{key}/referrals", body(site_a, consent_digest=consent.consent_digest))
    assert sent.status_code == 201, sent.content
    out = ReferralOut.model_validate(sent.json())
    assert (out.clinic, out.clinic_name, out.consent_text) == (site_a.clinic.slug, "Clinic Alpha", consent.consent_text)
    row = ConsultationRequest.objects.get(journal_summary__isnull=False)
    assert (row.consent_text, row.consent_digest, row.lang) == (consent.consent_text, consent.consent_digest, "es")
    assert [s["on"] for s in row.journal_summary["sessions"]] == ["2026-11-02"]
    assert AuditEntry.objects.filter(object_type="consultation_request", object_id=str(row.pk)).count() == 1


def test_without_consent_or_with_another_text_nothing_is_sent(client: Client, site_a: Site, key: str) -> None:
    path = f"/api/v1/journals/{key}/referrals"
    refused = post(client, path, body(site_a, consent=False, email=""))
    assert refused.status_code == 422
    assert {p.field for p in ErrorOut.model_validate(refused.json()).problems} == {"consent", "email"}
    stale = post(client, path, body(site_a, consent_digest="0" * 64))
    assert stale.status_code == 422
    assert [p.field for p in ErrorOut.model_validate(stale.json()).problems] == ["consent"]
    assert not ConsultationRequest.objects.filter(journal_summary__isnull=False).exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"clinic": "no spaces"}, "clinic"),
        ({"consent": "perhaps"}, "consent"),
        ({"birth_date": "1988-02-30"}, "birth_date"),
        ({"message": "x" * 2001}, "message"),
        ({"consent_digest": "abc"}, "consent_digest"),
        ({"extra": 1}, "extra"),
        ({"given_name": ""}, "given_name"),
    ],
)
def test_bad_input_is_422_naming_the_field(client: Client, site_a: Site, key: str, changes: dict, field: str) -> None:
    response = post(client, f"/api/v1/journals/{key}/referrals", body(site_a, **changes))
    assert response.status_code == 422, response.content
    named = {p.field for p in ErrorOut.model_validate(response.json()).problems}
    assert named & {field, f"body.{field}"}, named


def test_no_journal_or_no_such_clinic_is_404(client: Client, site_a: Site, key: str) -> None:
    for path, data in (
        ("/api/v1/journals/no-such-key/referrals", body(site_a)),
        (f"/api/v1/journals/{key}/referrals", body(site_a, clinic="no-such-clinic")),
    ):
        response = post(client, path, data)
        assert response.status_code == 404
        assert ErrorOut.model_validate(response.json()).error == "not_found"
    assert client.get("/api/v1/journals/no-such-key/referrals/consent?clinic=clinic-alpha").status_code == 404
    assert client.get(f"/api/v1/journals/{key}/referrals/consent?clinic=no-such-clinic").status_code == 404
    assert client.get(f"/api/v1/journals/{key}/referrals/consent").status_code == 422


def test_referrals_are_limited_per_address(client: Client, site_a: Site, key: str, settings) -> None:
    settings.PUBLIC_LIMITS = {**settings.PUBLIC_LIMITS, "clinic_request": (1, 3600)}
    path = f"/api/v1/journals/{key}/referrals"
    assert post(client, path, body(site_a)).status_code == 201
    refused = post(client, path, body(site_a))
    assert refused.status_code == 429
    assert ErrorOut.model_validate(refused.json()).error == "rate_limited"
