"""Screenings, the client's status and providers' clearances."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from clinic.support import (
    CLINIC_CAUTION,
    CLINIC_CLINIC,
    CLINIC_OK,
    CLINIC_REVIEW,
    CLINIC_STOP,
    HOME_CLINIC,
    HOME_OK,
    HOME_REVIEW,
    clearance_form,
    details,
    last_seq,
    rows_after,
)
from needlewise.clinic.clients import clients
from needlewise.clinic.records import screenings
from needlewise.clinic.records.screenings import ClearanceForm
from needlewise.domain.permissions import Role
from needlewise.domain.tier import Tier
from needlewise.domain.vocabulary import Lang
from needlewise.engine.evaluate import assess
from needlewise.errors import ConflictError, InvalidInputError, NotAllowedError, NotFoundError, ProfileError
from needlewise.services.profiles import parse_profile
from needlewise.storage.models import AssessmentDocument, Clearance, Screening

pytestmark = pytest.mark.django_db

NOW = datetime(2031, 6, 15, 12, 0, tzinfo=UTC)
TODAY = NOW.date()


@pytest.fixture
def at_noon():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.mark.parametrize(
    ("profile", "tier"),
    [
        (CLINIC_OK, Tier.HOME_OK),
        (CLINIC_CAUTION, Tier.HOME_CAUTION),
        (CLINIC_CLINIC, Tier.CLINIC),
        (CLINIC_REVIEW, Tier.MEDICAL_REVIEW),
        (CLINIC_STOP, Tier.STOP),
        (HOME_OK, Tier.HOME_OK),
        (HOME_CLINIC, Tier.CLINIC),
        (HOME_REVIEW, Tier.MEDICAL_REVIEW),
    ],
)
def test_the_profiles_these_tests_rely_on(kb, profile, tier):
    assert assess(parse_profile(profile), kb, Lang.EN).tier is tier


def screen(site, kb, profile, role=Role.NURSE, lang=Lang.EN):
    return screenings.record(site.actor(role), client_id=site.client.pk, profile=profile, kb=kb, lang=lang)


# --- recording ---


def test_record_keeps_everything_needed_to_replay_it(site_a, kb):
    screening = screen(site_a, kb, CLINIC_REVIEW, role=Role.AESTHETICIAN, lang=Lang.ES)
    stored = Screening.objects.get(pk=screening.pk)
    assert stored.profile == CLINIC_REVIEW
    assert (stored.tier, stored.lang, stored.source) == ("medical_review", "es", "staff")
    assert (stored.kb_version, stored.kb_hash) == (kb.version.version, kb.version.content_hash)
    assert stored.ran_by_id == site_a.members[Role.AESTHETICIAN].user_id
    assert (stored.clinic_id, stored.client_id) == (site_a.clinic.pk, site_a.client.pk)
    expected = assess(parse_profile(CLINIC_REVIEW), kb, Lang.ES).to_json()
    assert stored.document.body == expected
    assert str(stored) == f"screening {stored.pk} (medical_review)"


def test_identical_screenings_share_one_document(site_a, kb):
    documents = AssessmentDocument.objects.count()
    first, second = screen(site_a, kb, CLINIC_REVIEW), screen(site_a, kb, CLINIC_REVIEW, role=Role.PROVIDER)
    assert first.pk != second.pk
    assert first.document_id == second.document_id
    assert AssessmentDocument.objects.count() == documents + 1
    assert screen(site_a, kb, CLINIC_REVIEW, lang=Lang.ES).document_id != first.document_id
    assert screen(site_a, kb, CLINIC_CLINIC).document_id != first.document_id
    # The site's own stop screening made the same document as a new one with the same answers.
    assert screen(site_a, kb, CLINIC_STOP).document_id == site_a.stop.document_id


def test_store_document_when_another_writer_stored_it_first(monkeypatch):
    body = {"tier": "stop", "answer": 42}
    stored = screenings.store_document(body)
    assert screenings.store_document(body) == stored
    with monkeypatch.context() as patch:
        # Our look-up misses: another writer inserts the same digest before our insert.
        patch.setattr(AssessmentDocument.objects, "filter", lambda **_: AssessmentDocument.objects.none())
        assert screenings.store_document(body) == stored
    assert AssessmentDocument.objects.filter(digest=stored.digest).count() == 1
    assert str(stored) == f"assessment {stored.digest[:12]}"


@pytest.mark.parametrize("profile", [HOME_OK, HOME_REVIEW])
def test_a_clinic_screening_must_be_answered_for_the_clinic(site_a, kb, profile):
    count = Screening.objects.count()
    with pytest.raises(InvalidInputError) as invalid:
        screen(site_a, kb, profile)
    assert [p.where for p in invalid.value.problems] == ["setting"]
    assert Screening.objects.count() == count


@pytest.mark.parametrize(
    ("profile", "where"),
    [
        ({"setting": "clinic", "age": 200}, "age"),
        ({"setting": "clinic"}, "age"),
        ({"setting": "clinic", "age": 30, "goals": ["tan"]}, "goals[0]"),
        ({"setting": "clinic", "age": 30, "mood": "good"}, "mood"),
    ],
)
def test_an_invalid_profile_is_a_profile_error(site_a, kb, profile, where):
    count = Screening.objects.count()
    with pytest.raises(ProfileError) as invalid:
        screen(site_a, kb, profile)
    assert invalid.value.first.where == where
    assert Screening.objects.count() == count


def test_an_archived_client_cannot_be_screened(site_a, kb):
    clients.set_archived(site_a.actor(Role.OWNER), site_a.client.pk, archived=True)
    with pytest.raises(ConflictError, match="restore them before screening"):
        screen(site_a, kb, CLINIC_OK)
    assert Screening.objects.filter(client=site_a.client).count() == 2


def test_screening_a_missing_client_is_not_found(site_a, kb):
    with pytest.raises(NotFoundError):
        screenings.record(site_a.actor(Role.NURSE), client_id=10**9, profile=CLINIC_OK, kb=kb, lang=Lang.EN)


def test_get_returns_the_screening_and_its_assessment(site_a):
    screening, body = screenings.get(site_a.actor(Role.AESTHETICIAN), site_a.stop.pk)
    assert screening == site_a.stop
    assert body == site_a.stop.document.body
    assert body["tier"] == "stop"
    with pytest.raises(NotFoundError, match="no such screening in your clinic"):
        screenings.get(site_a.actor(Role.AESTHETICIAN), 10**9)


# --- the client's status ---


def new_client(site):
    return clients.create(site.actor(Role.FRONT_DESK), details(given_name="Fresh"))


def test_a_client_never_screened_is_blocked(site_a):
    client = new_client(site_a)
    record = screenings.client_record(site_a.actor(Role.NURSE), client.pk)
    status = record.status
    assert status is not None
    assert (status.latest, status.tier, status.clearance) == (None, None, None)
    assert not status.needs_clearance
    assert status.blocked
    assert (record.client, record.screenings, record.clearances) == (client, [], [])


@pytest.mark.parametrize(
    ("profile", "blocked"),
    [(CLINIC_OK, False), (CLINIC_CAUTION, False), (CLINIC_CLINIC, False), (CLINIC_REVIEW, True), (CLINIC_STOP, True)],
)
def test_status_follows_the_latest_screening(site_a, kb, profile, blocked):
    screening = screen(site_a, kb, profile)
    status = screenings.client_record(site_a.actor(Role.NURSE), site_a.client.pk).status
    assert status is not None
    assert status.latest == screening
    assert status.tier == Tier(screening.tier)
    assert (status.needs_clearance, status.blocked) == (blocked, blocked)


def test_a_provider_clearance_lifts_the_block(site_a, at_noon):
    del at_noon
    provider = site_a.actor(Role.PROVIDER)
    before = screenings.client_record(provider, site_a.client.pk).status
    assert before is not None
    assert before.blocked  # the site's latest screening is "stop"
    clearance = screenings.clear(provider, site_a.stop.pk, clearance_form(TODAY, reason="  " + "r" * 20 + "  "))
    stored = Clearance.objects.get(pk=clearance.pk)
    assert (stored.reason, stored.cleared_on, stored.expires_on) == ("r" * 20, TODAY, TODAY + timedelta(days=90))
    assert (stored.provider_id, stored.client_id, stored.clinic_id) == (
        provider.user_id,
        site_a.client.pk,
        site_a.clinic.pk,
    )
    assert str(stored) == f"clearance {stored.pk} until {TODAY + timedelta(days=90)}"
    record = screenings.client_record(site_a.actor(Role.NURSE), site_a.client.pk)
    assert record.status is not None
    assert (record.status.blocked, record.status.clearance) == (False, stored)
    assert record.clearances == [stored]
    assert record.screenings == [site_a.stop, site_a.ok]


def test_a_new_result_needing_clearance_needs_a_new_clearance(site_a, kb, at_noon):
    del at_noon
    provider = site_a.actor(Role.PROVIDER)
    screenings.clear(provider, site_a.stop.pk, clearance_form(TODAY))
    review = screen(site_a, kb, CLINIC_REVIEW)
    status = screenings.client_record(provider, site_a.client.pk).status
    assert status is not None
    assert (status.latest, status.blocked) == (review, True)
    screenings.clear(provider, review.pk, clearance_form(TODAY))
    status = screenings.client_record(provider, site_a.client.pk).status
    assert status is not None
    assert not status.blocked


def test_an_expired_clearance_no_longer_counts(site_a):
    provider = site_a.actor(Role.PROVIDER)
    with time_machine.travel(NOW, tick=False):
        screenings.clear(provider, site_a.stop.pk, clearance_form(TODAY, expires_on=TODAY + timedelta(days=10)))
    for days, blocked in ((10, False), (11, True)):
        with time_machine.travel(NOW + timedelta(days=days), tick=False):
            status = screenings.client_record(provider, site_a.client.pk).status
            assert status is not None
            assert status.blocked is blocked
            assert status.today == TODAY + timedelta(days=days)


def test_the_longest_valid_clearance_is_shown(site_a, at_noon):
    del at_noon
    provider = site_a.actor(Role.PROVIDER)
    screenings.clear(provider, site_a.stop.pk, clearance_form(TODAY, expires_on=TODAY + timedelta(days=5)))
    longest = screenings.clear(provider, site_a.stop.pk, clearance_form(TODAY, expires_on=TODAY + timedelta(days=50)))
    status = screenings.client_record(provider, site_a.client.pk).status
    assert status is not None
    assert status.clearance == longest


def test_history_holds_the_20_latest_screenings_newest_first(site_a, kb):
    made = [screen(site_a, kb, CLINIC_OK) for _ in range(20)]
    record = screenings.client_record(site_a.actor(Role.NURSE), site_a.client.pk)
    assert len(record.screenings) == screenings.HISTORY_LIMIT == 20
    assert record.screenings == made[::-1]


def test_the_front_desk_sees_details_but_no_health_record(site_a):
    record = screenings.client_record(site_a.actor(Role.FRONT_DESK), site_a.client.pk)
    assert record.client == site_a.client
    assert (record.status, record.screenings, record.clearances) == (None, [], [])


def test_client_record_of_a_missing_client_is_not_found(site_a):
    with pytest.raises(NotFoundError):
        screenings.client_record(site_a.actor(Role.FRONT_DESK), 10**9)


# --- clearance validation ---


def clear_problems(site, form: ClearanceForm) -> list[tuple[str, str]]:
    with pytest.raises(InvalidInputError) as invalid:
        screenings.clear(site.actor(Role.PROVIDER), site.stop.pk, form)
    return [(p.where, p.message) for p in invalid.value.problems]


REASON = ("reason", "give the clinical reason in at least 20 characters")
WHEN = ("cleared_on", "the clearance date must be within the last 30 days")
ORDER = ("expires_on", "the expiry must be on or after the clearance date")
LENGTH = ("expires_on", "a clearance lasts at most 365 days")


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"reason": "too short"}, [REASON]),
        ({"reason": "   " + "x" * 19 + "   "}, [REASON]),
        ({"cleared_on": None}, [WHEN, ORDER]),
        ({"cleared_on": TODAY - timedelta(days=31)}, [WHEN]),
        ({"cleared_on": TODAY + timedelta(days=1)}, [WHEN]),
        ({"expires_on": None}, [ORDER]),
        ({"expires_on": TODAY - timedelta(days=1)}, [ORDER]),
        ({"expires_on": TODAY + timedelta(days=366)}, [LENGTH]),
        ({"reason": "", "cleared_on": None, "expires_on": None}, [REASON, WHEN, ORDER]),
    ],
    ids=["short", "short-after-strip", "no-date", "too-old", "future", "no-expiry", "expiry-first", "too-long", "all"],
)
def test_clearance_validation(site_a, at_noon, changes, expected):
    del at_noon
    assert clear_problems(site_a, clearance_form(TODAY, **changes)) == expected
    assert not Clearance.objects.exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"cleared_on": TODAY - timedelta(days=30), "expires_on": TODAY - timedelta(days=30)},
        {"expires_on": TODAY},
        {"expires_on": TODAY + timedelta(days=365)},
        {"reason": "x" * 20},
    ],
)
def test_clearance_limits_are_inclusive(site_a, at_noon, changes):
    del at_noon
    assert screenings.clear(site_a.actor(Role.PROVIDER), site_a.stop.pk, clearance_form(TODAY, **changes)).pk


@pytest.mark.parametrize("profile", [CLINIC_OK, CLINIC_CAUTION, CLINIC_CLINIC])
def test_only_results_needing_it_can_be_cleared(site_a, kb, profile):
    screening = screen(site_a, kb, profile)
    with pytest.raises(ConflictError, match="only a medical_review or stop result needs a clearance"):
        screenings.clear(site_a.actor(Role.PROVIDER), screening.pk, clearance_form(timezone.localdate()))
    assert not Clearance.objects.exists()


def test_clearing_a_missing_screening_is_not_found(site_a):
    with pytest.raises(NotFoundError):
        screenings.clear(site_a.actor(Role.PROVIDER), 10**9, clearance_form(timezone.localdate()))


# --- checks the web edges make before showing a form ---


@pytest.mark.parametrize("role", list(Role))
def test_require_screener(site_a, role):
    before = last_seq()
    if role in {Role.PROVIDER, Role.NURSE, Role.AESTHETICIAN}:
        screenings.require_screener(site_a.actor(role), site_a.client.pk)
        assert last_seq() == before
    else:
        with pytest.raises(NotAllowedError):
            screenings.require_screener(site_a.actor(role), site_a.client.pk)
        [row] = rows_after(before)
        assert (row.action, row.object_type, row.client_id, row.outcome) == (
            "screen_clients",
            "screening",
            site_a.client.pk,
            "denied",
        )


@pytest.mark.parametrize("role", list(Role))
def test_require_clearance_role(site_a, role):
    before = last_seq()
    if role is Role.PROVIDER:
        screenings.require_clearance_role(site_a.actor(role), site_a.stop.pk)
        assert last_seq() == before
    else:
        with pytest.raises(NotAllowedError):
            screenings.require_clearance_role(site_a.actor(role), site_a.stop.pk)
        [row] = rows_after(before)
        assert (row.action, row.object_type, row.object_id, row.outcome) == (
            "record_clearance",
            "clearance",
            str(site_a.stop.pk),
            "denied",
        )
