"""Re-screening: whose latest stored result would come out higher under today's knowledge base."""

from __future__ import annotations

import pytest

from clinic.support import CLINIC_OK, CLINIC_REVIEW, CLINIC_STOP, details
from needlewise.clinic.clients import clients
from needlewise.clinic.followup import rescreen
from needlewise.clinic.records import screenings
from needlewise.domain.permissions import Role
from needlewise.domain.tier import Tier
from needlewise.domain.vocabulary import Lang
from needlewise.storage.models import Screening

pytestmark = pytest.mark.django_db

OLD = "sha256:" + "0" * 64


def client_with(site, kb, family, *profiles):
    """A client of ``site`` screened with ``profiles`` in order (the last is the latest)."""
    client = clients.create(site.actor(Role.FRONT_DESK), details(given_name="Pat", family_name=family))
    made = [
        screenings.record(site.actor(Role.NURSE), client_id=client.pk, profile=p, kb=kb, lang=Lang.EN) for p in profiles
    ]
    return client, made


def as_if_older(screening: Screening, tier: str | None = None, profile: dict | None = None) -> None:
    """Pretend ``screening`` was made under an older knowledge base that gave ``tier``."""
    changes: dict[str, object] = {"kb_hash": OLD, "kb_version": "0.9.0"}
    if tier is not None:
        changes["tier"] = tier
    if profile is not None:
        changes["profile"] = profile
    Screening.objects.filter(pk=screening.pk).update(**changes)


@pytest.fixture
def clinic(site_a):
    # The site's own client is screened under today's knowledge base: never outdated.
    return site_a


def test_a_result_now_higher_is_listed_with_stored_and_now(clinic, kb):
    client, [screening] = client_with(clinic, kb, "Raised", CLINIC_STOP)
    as_if_older(screening, tier="home_ok")
    report = rescreen.report(clinic.actor(Role.PROVIDER), kb)
    assert (report.kb_version, report.outdated) == (kb.version.version, 1)
    [entry] = report.higher
    assert (entry.client, entry.screening, entry.stored, entry.now) == (client, screening, Tier.HOME_OK, Tier.STOP)
    assert "pregnancy-breastfeeding" in entry.new_rules


def test_results_under_todays_knowledge_base_are_not_listed(clinic, kb):
    _, [screening] = client_with(clinic, kb, "Current", CLINIC_STOP)
    Screening.objects.filter(pk=screening.pk).update(tier="home_ok")  # lower, but same knowledge base
    report = rescreen.report(clinic.actor(Role.NURSE), kb)
    assert (report.outdated, report.higher) == (0, [])


def test_an_outdated_result_that_is_not_higher_is_counted_not_listed(clinic, kb):
    _, [same] = client_with(clinic, kb, "Same", CLINIC_REVIEW)
    _, [lower] = client_with(clinic, kb, "Lower", CLINIC_OK)
    as_if_older(same)
    as_if_older(lower, tier="stop")  # the old knowledge base was stricter
    report = rescreen.report(clinic.actor(Role.AESTHETICIAN), kb)
    assert (report.outdated, report.higher) == (2, [])


def test_only_the_latest_screening_counts(clinic, kb):
    _, [old, new] = client_with(clinic, kb, "Rescreened", CLINIC_STOP, CLINIC_STOP)
    as_if_older(old, tier="home_ok")
    assert rescreen.report(clinic.actor(Role.PROVIDER), kb).outdated == 0
    as_if_older(new, tier="home_ok")
    [entry] = rescreen.report(clinic.actor(Role.PROVIDER), kb).higher
    assert entry.screening == new


def test_archived_clients_are_not_listed(clinic, kb):
    client, [screening] = client_with(clinic, kb, "Archived", CLINIC_STOP)
    as_if_older(screening, tier="home_ok")
    clients.set_archived(clinic.actor(Role.OWNER), client.pk, archived=True)
    report = rescreen.report(clinic.actor(Role.PROVIDER), kb)
    assert (report.outdated, report.higher) == (0, [])


def test_answers_todays_knowledge_base_rejects_are_listed_with_no_tier(clinic, kb):
    client, [screening] = client_with(clinic, kb, "Retired", CLINIC_STOP)
    as_if_older(screening, profile={"setting": "clinic", "age": 30, "retired_question": True})
    [entry] = rescreen.report(clinic.actor(Role.PROVIDER), kb).higher
    assert (entry.client, entry.stored, entry.now, entry.new_rules) == (client, Tier.STOP, None, ())


def test_listed_by_family_then_given_name_and_identical_answers_assessed_once(clinic, kb, monkeypatch):
    made = {}
    for family in ("Young", "Adams", "Moreno"):
        _, [screening] = client_with(clinic, kb, family, CLINIC_STOP)
        as_if_older(screening, tier="clinic")
        made[family] = screening
    _, [invalid_1] = client_with(clinic, kb, "Baker", CLINIC_OK)
    _, [invalid_2] = client_with(clinic, kb, "Cole", CLINIC_OK)
    for screening in (invalid_1, invalid_2):
        as_if_older(screening, profile={"setting": "clinic"})
    calls = []
    real_assess = rescreen.assess
    monkeypatch.setattr(rescreen, "assess", lambda *args: calls.append(args) or real_assess(*args))
    report = rescreen.report(clinic.actor(Role.PROVIDER), kb)
    assert [e.client.family_name for e in report.higher] == ["Adams", "Baker", "Cole", "Moreno", "Young"]
    assert [e.now for e in report.higher] == [Tier.STOP, None, None, Tier.STOP, Tier.STOP]
    assert len(calls) == 1  # three identical answers assessed once; the invalid ones never reach the engine
    assert report.outdated == 5
