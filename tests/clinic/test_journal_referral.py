"""From a home journal to a clinic: the consented referral and what it carries (issue 15)."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest

from clinic.support import request_form
from needlewise import bootstrap
from needlewise.clinic.access.actor import Actor
from needlewise.clinic.accounts import clinic_settings
from needlewise.clinic.accounts.clinic_settings import ClinicPage
from needlewise.clinic.intake import inbox, referral
from needlewise.domain.permissions import Role
from needlewise.domain.treatment import Answer
from needlewise.domain.vocabulary import Area, DeviceKind, Lang, Product
from needlewise.errors import InvalidInputError, NotFoundError
from needlewise.services import journal, journal_checks
from needlewise.services.journal_entries import DeviceEntry, SessionEntry
from needlewise.services.journal_summary import SUMMARY_SCHEMA
from needlewise.storage.models import AuditEntry, ConsultationRequest, Screening
from web import journal_support as js

pytestmark = pytest.mark.django_db

PUBLIC = Actor.anonymous("192.0.2.45", "req-referral")
TODAY = date(2026, 12, 7)


def kept(kb, answers=None, lang=Lang.EN) -> str:
    """A journal with a device and two sessions, the second a retinoid afterwards; its key."""
    key = js.started(kb, answers, lang)
    store = bootstrap.journals()
    journal.record_device(store, key, DeviceEntry(DeviceKind.ROLLER, 0.25, date(2026, 11, 1), 3), kb, lang, TODAY)
    journal.log_session(store, key, SessionEntry(date(2026, 11, 20), 0.25, frozenset({Area.CHEEKS})), kb, lang, TODAY)
    second = SessionEntry(
        date(2026, 11, 22), 0.25, frozenset({Area.CHEEKS, Area.CHIN}), frozenset({Product.RETINOID_SERUM})
    )
    journal.log_session(store, key, second, kb, lang, TODAY)
    return key


def checked_and_changed(kb, key: str) -> str:
    """A skin check the day after the last session (one yes), and a change that pauses the journal."""
    store = bootstrap.journals()
    day = date(2026, 11, 23)
    asked = journal_checks.check_questions_for(store, key, kb, day)
    answers = {q.question_id: Answer.YES if i == 0 else Answer.NO for i, q in enumerate(asked.questions)}
    _, result = journal_checks.check_skin(store, key, answers, kb, Lang.EN, day)
    document = dict(store.get(journal.digest(key)).profile)
    journal_checks.report_change(store, key, {**document, "goals": ["acne_scars"]}, kb, None)
    return result.triage.value


def refer(site, kb, key, lang=Lang.EN, shown=None, **changes):
    form = request_form(**changes)
    return referral.refer(
        PUBLIC, bootstrap.journals(), key, site.clinic.slug, form=form, kb=kb, lang=lang, shown_digest=shown
    )


def wheres(error: pytest.ExceptionInfo[Exception]) -> list[str]:
    return [p.where for p in error.value.problems]  # type: ignore[attr-defined]


def test_a_referral_carries_the_journal_summary_with_the_consent_text_and_its_digest(site_a, kb):
    key = kept(kb)
    shown = referral.prepare(bootstrap.journals(), key, site_a.clinic.slug, kb, Lang.EN)
    stored = refer(site_a, kb, key, shown=shown.consent_digest)
    row = ConsultationRequest.objects.get(pk=stored.pk)
    assert row.consent_text == shown.consent_text
    assert "Clinic Alpha (Alphaville) my home journal" in row.consent_text
    assert "the sessions I logged (2)" in row.consent_text
    assert "the skin checks I recorded (0) with my answers, the changes I reported (0)" in row.consent_text
    assert row.consent_digest == hashlib.sha256(row.consent_text.encode()).hexdigest()
    assert (row.lang, row.status, row.contact_email, row.message) == (
        "en",
        "open",
        "otto@example.org",
        "Please call me.",
    )
    assert row.profile == bootstrap.journals().get(journal.digest(key)).profile
    summary = row.journal_summary
    assert summary["schema"] == SUMMARY_SCHEMA
    assert "disclaimer" not in summary
    assert summary["tier"] == row.tier == shown.view.assessment.tier.value
    assert summary["paused"] is None
    assert summary["device"] == {"kind": "roller", "needle_mm": 0.25, "bought_on": "2026-11-01", "uses": 5}
    days = [(s["on"], s["needle_mm"], s["areas"], s["products"]) for s in summary["sessions"]]
    assert days == [
        ("2026-11-20", 0.25, ["cheeks"], []),
        ("2026-11-22", 0.25, ["cheeks", "chin"], ["retinoid_serum"]),
    ]
    found = [f for s in summary["sessions"] for f in s["findings"]]
    assert found, "two days apart and a retinoid afterwards raise findings"
    cited = {c for f in found for c in f["citations"]}
    assert cited
    assert cited <= set(summary["sources"])
    assert summary["findings"] == summary["sessions"][-1]["findings"]
    assert (summary["checks"], summary["changes"], summary["attention"]) == ([], [], None)
    audit = AuditEntry.objects.get(object_type="consultation_request", object_id=str(row.pk))
    assert (audit.action, audit.clinic_id, audit.detail) == ("create", site_a.clinic.pk, {"from": "journal"})


def test_the_skin_checks_and_changes_go_with_it_and_the_text_counts_them(site_a, kb):
    key = kept(kb)
    triage = checked_and_changed(kb, key)
    stored = refer(site_a, kb, key)
    assert "the skin checks I recorded (1) with my answers, the changes I reported (1)" in stored.consent_text
    summary = stored.journal_summary
    (check,) = summary["checks"]
    assert (check["on"], check["session_on"], check["day"]) == ("2026-11-23", "2026-11-22", 1)
    assert check["answers"][0]["yes"] is True
    assert check["triage"] == triage
    (change,) = summary["changes"]
    assert change["paused"] is True
    assert {c for r in change["reasons"] for c in r["citations"]} <= set(summary["sources"])
    assert summary["paused"] is not None


def test_the_summary_is_sealed_at_rest(site_a, kb):
    from django.db import connection  # noqa: PLC0415 - only this test reads the raw column

    stored = refer(site_a, kb, kept(kb))
    with connection.cursor() as cursor:
        cursor.execute("SELECT journal_summary FROM consultation_request WHERE id = %s", [stored.pk])
        (raw,) = cursor.fetchone()
    assert "retinoid_serum" not in raw
    assert "2026-11-22" not in raw


def test_nothing_is_sent_without_consent(site_a, kb):
    key = kept(kb)
    before = ConsultationRequest.objects.count()
    with pytest.raises(InvalidInputError) as refused:
        refer(site_a, kb, key, consent=False, email="", phone="", birth_date=None)
    assert wheres(refused) == ["consent", "email", "birth_date"]
    assert ConsultationRequest.objects.count() == before


def test_a_journal_that_changed_since_the_text_was_shown_is_not_sent(site_a, kb):
    key = kept(kb)
    shown = referral.prepare(bootstrap.journals(), key, site_a.clinic.slug, kb, Lang.EN)
    entry = SessionEntry(date(2026, 12, 1), 0.25, frozenset({Area.FOREHEAD}))
    journal.log_session(bootstrap.journals(), key, entry, kb, Lang.EN, TODAY)
    with pytest.raises(InvalidInputError, match="your journal changed since") as refused:
        refer(site_a, kb, key, shown=shown.consent_digest)
    assert wheres(refused) == ["consent"]
    again = referral.prepare(bootstrap.journals(), key, site_a.clinic.slug, kb, Lang.EN)
    assert "the sessions I logged (3)" in again.consent_text
    assert refer(site_a, kb, key, shown=again.consent_digest).consent_text == again.consent_text


def test_no_journal_or_no_such_clinic_is_not_found(site_a, site_b, kb):
    key = kept(kb)
    with pytest.raises(NotFoundError, match="No journal has this link"):
        refer(site_a, kb, "no-such-key")
    with pytest.raises(NotFoundError, match="No journal has this link"):
        referral.prepare(bootstrap.journals(), "no-such-key", site_a.clinic.slug, kb, Lang.EN)
    with pytest.raises(NotFoundError, match="does not take requests"):
        referral.refer(PUBLIC, bootstrap.journals(), key, "no-such-clinic", form=request_form(), kb=kb, lang=Lang.EN)
    clinic_settings.update_clinic(site_b.actor(Role.OWNER), ClinicPage("Clinic Beta", "B", "", accepts_requests=False))
    with pytest.raises(NotFoundError, match="does not take requests"):
        referral.prepare(bootstrap.journals(), key, site_b.clinic.slug, kb, Lang.EN)
    assert not ConsultationRequest.objects.filter(journal_summary__isnull=False).exists()


def test_a_paused_journal_may_be_referred_with_its_reasons(site_a, kb):
    key = js.started(kb, {**js.GLOW, "goals": ["acne_scars"]})
    stored = refer(site_a, kb, key)
    paused = stored.journal_summary["paused"]
    assert paused["tier"] == stored.tier
    assert paused["reasons"]
    assert all(r["citations"] for r in paused["reasons"])
    assert stored.journal_summary["sessions"] == []
    assert "the sessions I logged (0)" in stored.consent_text


def test_the_consent_text_is_in_the_persons_language(site_a, kb):
    stored = refer(site_a, kb, kept(kb, lang=Lang.ES), lang=Lang.ES)
    assert stored.consent_text.startswith("Acepto que needlewise envíe a Clinic Alpha (Alphaville) mi diario en casa")
    assert "las sesiones que he registrado (2)" in stored.consent_text
    assert stored.lang == "es"


def test_the_clinic_makes_a_client_from_a_referral(site_a, kb):
    stored = refer(site_a, kb, kept(kb))
    client = inbox.accept(site_a.actor(Role.NURSE), stored.pk, kb)
    screening = Screening.objects.get(client=client)
    assert screening.profile["setting"] == "clinic"
    assert "device" not in screening.profile
    assert (client.given_name, client.email) == ("Ottoline", "otto@example.org")
