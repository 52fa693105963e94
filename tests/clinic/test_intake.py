"""From a person's result to a clinic: public pages, consented requests, the intake queue."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from clinic.support import CLINIC_REVIEW, HOME_CLINIC, HOME_OK, HOME_REVIEW, PASSWORD, request_form
from needlewise.clinic.access.actor import Actor
from needlewise.clinic.accounts import clinic_settings, staff
from needlewise.clinic.accounts.clinic_settings import ClinicPage
from needlewise.clinic.accounts.staff import NewStaff
from needlewise.clinic.clients import clients
from needlewise.clinic.clients.clients import SearchQuery
from needlewise.clinic.intake import inbox, public
from needlewise.domain.permissions import Role
from needlewise.domain.vocabulary import Lang
from needlewise.engine.evaluate import assess
from needlewise.errors import ConflictError, InvalidInputError, NotFoundError, ProfileError
from needlewise.services.profiles import parse_profile
from needlewise.storage.models import Client, ConsultationRequest, Screening

pytestmark = pytest.mark.django_db

PUBLIC = Actor.anonymous("192.0.2.44", "req-public")


def submit(site, kb, profile=HOME_CLINIC, lang=Lang.EN, **changes):
    return public.submit(PUBLIC, site.clinic.slug, profile=profile, form=request_form(**changes), kb=kb, lang=lang)


def wheres(error: pytest.ExceptionInfo[Exception]) -> list[str]:
    return [p.where for p in error.value.problems]  # type: ignore[attr-defined]


# --- public pages ---


def test_public_clinic_counts_active_practitioners_by_role(site_a):
    owner = site_a.actor(Role.OWNER)
    page = public.public_clinic(site_a.clinic.slug)
    assert (page.slug, page.name, page.city, page.services, page.accepts_requests) == (
        "clinic-alpha",
        "Clinic Alpha",
        "Alphaville",
        "",
        True,
    )
    assert page.roles == {"owner": 1, "provider": 1, "nurse": 1, "aesthetician": 1}
    staff.add_staff(owner, NewStaff("nurse2@alpha.example.org", "Second Nurse", Role.NURSE))
    staff.add_staff(owner, NewStaff("desk2@alpha.example.org", "Second Desk", Role.FRONT_DESK))
    staff.set_active(owner, site_a.members[Role.AESTHETICIAN].pk, active=False)
    assert public.public_clinic(site_a.clinic.slug).roles == {"owner": 1, "provider": 1, "nurse": 2}


def test_unknown_clinic_is_not_found():
    with pytest.raises(NotFoundError, match="no clinic with this address"):
        public.public_clinic("no-such-clinic")


def test_directory_lists_clinics_taking_requests_by_city_then_name(sites):
    site_a, site_b = sites
    for name, city in (("Zeta", "Alphaville"), ("Eta", "Alphaville"), ("Theta", "Aardvark")):
        staff.create_clinic(
            name=name,
            city=city,
            owner_email=f"o@{name}.example.org",
            owner_name="O",
            owner_password=PASSWORD,
        )
    assert [(c.city, c.name) for c in public.directory()] == [
        ("Aardvark", "Theta"),
        ("Alphaville", "Clinic Alpha"),
        ("Alphaville", "Eta"),
        ("Alphaville", "Zeta"),
        ("Betaville", "Clinic Beta"),
    ]
    clinic_settings.update_clinic(
        site_b.actor(Role.OWNER), ClinicPage("Clinic Beta", "Betaville", "", accepts_requests=False)
    )
    assert "clinic-beta" not in [c.slug for c in public.directory()]
    assert not public.public_clinic("clinic-beta").accepts_requests
    assert public.directory()[1].roles == {"owner": 1, "provider": 1, "nurse": 1, "aesthetician": 1}
    assert public.directory()[1].slug == site_a.clinic.slug


@pytest.mark.parametrize(("lang", "start"), [(Lang.EN, "I agree that needlewise sends"), (Lang.ES, "Acepto que")])
def test_consent_text_names_the_clinic(site_a, lang, start):
    text = public.consent_text(public.public_clinic(site_a.clinic.slug), lang)
    assert text.startswith(start)
    assert "Clinic Alpha (Alphaville)" in text


# --- submitting ---


def test_submit_stores_the_request_with_the_exact_consent(site_a, kb):
    request = submit(site_a, kb, lang=Lang.ES, message="  Llámenme por la tarde.  ", phone="+34 600 000 000")
    stored = ConsultationRequest.objects.get(pk=request.pk)
    text = public.consent_text(public.public_clinic(site_a.clinic.slug), Lang.ES)
    assert stored.consent_text == text
    assert stored.consent_digest == hashlib.sha256(text.encode()).hexdigest()
    assert (stored.contact_name, stored.contact_email, stored.contact_phone) == (
        "Ottoline\nMarchbanks",
        "otto@example.org",
        "+34 600 000 000",
    )
    assert (stored.birth_date, stored.message, stored.lang, stored.status) == (
        date(1988, 2, 3),
        "Llámenme por la tarde.",
        "es",
        "open",
    )
    assert (stored.profile, stored.tier) == (HOME_CLINIC, "clinic")
    assert (stored.kb_version, stored.kb_hash) == (kb.version.version, kb.version.content_hash)
    assert stored.document.body == assess(parse_profile(HOME_CLINIC), kb, Lang.ES).to_json()
    assert (stored.clinic_id, stored.client_id, stored.handled_by_id) == (site_a.clinic.pk, None, None)
    assert str(stored) == f"request {stored.pk} (open)"


@pytest.mark.parametrize("profile", [HOME_CLINIC, HOME_REVIEW, CLINIC_REVIEW])
def test_clinic_and_medical_review_results_can_be_sent(site_a, kb, profile):
    assert submit(site_a, kb, profile=profile).tier in {"clinic", "medical_review"}


@pytest.mark.parametrize("profile", [HOME_OK, {"setting": "home", "age": 30, "pregnant_or_breastfeeding": True}])
def test_other_results_cannot_be_sent(site_a, kb, profile):
    count = ConsultationRequest.objects.count()
    with pytest.raises(ConflictError, match="only a 'clinic' or 'medical review' result"):
        submit(site_a, kb, profile=profile)
    assert ConsultationRequest.objects.count() == count


def test_an_invalid_profile_is_refused(site_a, kb):
    with pytest.raises(ProfileError):
        submit(site_a, kb, profile={"setting": "home"})


def test_consent_is_required(site_a, kb):
    with pytest.raises(InvalidInputError) as invalid:
        submit(site_a, kb, consent=False)
    assert wheres(invalid) == ["consent"]
    assert ConsultationRequest.objects.count() == 1


def test_a_way_to_reply_is_required(site_a, kb):
    with pytest.raises(InvalidInputError) as invalid:
        submit(site_a, kb, email="  ", phone="")
    assert wheres(invalid) == ["email"]
    assert submit(site_a, kb, email="", phone="555 0100").contact_phone == "555 0100"


def test_every_problem_of_the_form_is_listed(site_a, kb):
    with pytest.raises(InvalidInputError) as invalid:
        submit(site_a, kb, consent=False, email="", message="m" * 2001, given_name="", birth_date=None)
    assert wheres(invalid) == ["consent", "email", "message", "given_name", "birth_date"]
    with pytest.raises(InvalidInputError) as invalid:
        submit(site_a, kb, email="not-an-address", phone="12")
    assert wheres(invalid) == ["phone", "email"]


def test_a_clinic_not_taking_requests_is_not_found(site_a, kb):
    clinic_settings.update_clinic(site_a.actor(Role.OWNER), ClinicPage("Clinic Alpha", "A", "", accepts_requests=False))
    with pytest.raises(NotFoundError, match="does not take requests"):
        submit(site_a, kb)
    with pytest.raises(NotFoundError):
        public.submit(PUBLIC, "nowhere", profile=HOME_CLINIC, form=request_form(), kb=kb, lang=Lang.EN)


# --- the queue ---


def test_queue_by_status_newest_first(site_a, kb):
    nurse = site_a.actor(Role.NURSE)
    made = []
    for n in range(4):
        with time_machine.travel(datetime(2031, 1, 1, 9, tzinfo=UTC) + timedelta(hours=n), tick=False):
            made.append(submit(site_a, kb))
    inbox.decline(nurse, made[0].pk)
    inbox.accept(nurse, made[1].pk, kb)
    assert inbox.queue(nurse) == [made[3], made[2], site_a.request]
    assert inbox.queue(nurse, "declined") == [made[0]]
    assert inbox.queue(nurse, "accepted") == [made[1]]
    assert inbox.queue(nurse, "nonsense") == []


def test_queue_shows_at_most_100(site_a):
    document = site_a.request.document
    ConsultationRequest.objects.bulk_create(
        [
            ConsultationRequest(
                clinic=site_a.clinic,
                lang="en",
                contact_name="A\nB",
                profile=HOME_CLINIC,
                tier="clinic",
                kb_version="1",
                kb_hash="h",
                document=document,
                consent_text="t",
                consent_digest="d",
            )
            for _ in range(105)
        ]
    )
    assert len(inbox.queue(site_a.actor(Role.PROVIDER))) == inbox.QUEUE_LIMIT == 100


def test_get_a_request(site_a):
    assert inbox.get(site_a.actor(Role.PROVIDER), site_a.request.pk) == site_a.request
    with pytest.raises(NotFoundError, match="no such request in your clinic"):
        inbox.get(site_a.actor(Role.PROVIDER), 10**9)


# --- accepting and declining ---


def test_accept_makes_a_client_and_a_clinic_screening(site_a, kb):
    nurse = site_a.actor(Role.NURSE)
    request = submit(site_a, kb, given_name="Élodie", family_name="Van der Berg", phone="+33 (6) 12-34", message="Hi")
    with time_machine.travel(datetime(2031, 5, 5, 10, tzinfo=UTC), tick=False):
        client = inbox.accept(nurse, request.pk, kb)
    stored = Client.objects.get(pk=client.pk)
    assert (stored.given_name, stored.family_name, stored.given_key, stored.family_key) == (
        "Élodie",
        "Van der Berg",
        "elodie",
        "van der berg",
    )
    assert (stored.birth_date, stored.email, stored.phone, stored.phone_digits, stored.clinical_notes) == (
        date(1988, 2, 3),
        "otto@example.org",
        "+33 (6) 12-34",
        "3361234",
        "Hi",
    )
    assert (stored.clinic_id, stored.created_by_id) == (site_a.clinic.pk, nurse.user_id)
    assert clients.search(nurse, SearchQuery(text="berg elo", phone="61234")) == [stored]  # indexed on accept
    [screening] = Screening.objects.filter(client=client)
    clinic_profile = {**HOME_CLINIC, "setting": "clinic"}
    assert (screening.source, screening.profile, screening.ran_by_id) == (
        "consumer_request",
        clinic_profile,
        nurse.user_id,
    )
    assert screening.tier == assess(parse_profile(clinic_profile), kb, Lang.EN).tier.value
    assert screening.document.body["setting"] == "clinic"
    request.refresh_from_db()
    assert (request.status, request.client_id, request.handled_by_id) == ("accepted", client.pk, nurse.user_id)
    assert request.handled_at == datetime(2031, 5, 5, 10, tzinfo=UTC)
    assert request.profile == HOME_CLINIC  # what the person sent is kept as sent


def test_accept_keeps_the_requests_language(site_a, kb):
    request = submit(site_a, kb, lang=Lang.ES)
    client = inbox.accept(site_a.actor(Role.PROVIDER), site_a.request.pk, kb)
    assert Screening.objects.get(client=client).lang == "en"
    client = inbox.accept(site_a.actor(Role.PROVIDER), request.pk, kb)
    assert Screening.objects.get(client=client).lang == "es"


def test_a_request_is_handled_once(site_a, kb):
    nurse = site_a.actor(Role.NURSE)
    other = submit(site_a, kb)
    inbox.accept(nurse, site_a.request.pk, kb)
    clients_before = Client.objects.count()
    with pytest.raises(ConflictError, match="this request is already accepted"):
        inbox.accept(nurse, site_a.request.pk, kb)
    with pytest.raises(ConflictError, match="this request is already accepted"):
        inbox.decline(nurse, site_a.request.pk)
    assert Client.objects.count() == clients_before
    declined = inbox.decline(nurse, other.pk)
    assert (declined.status, declined.handled_by_id, declined.client_id) == ("declined", nurse.user_id, None)
    assert declined.handled_at is not None
    with pytest.raises(ConflictError, match="this request is already declined"):
        inbox.accept(nurse, other.pk, kb)
    with pytest.raises(ConflictError, match="this request is already declined"):
        inbox.decline(nurse, other.pk)
    assert Client.objects.count() == clients_before


def test_accepting_missing_or_unreadable_requests_changes_nothing(site_a, kb):
    nurse = site_a.actor(Role.NURSE)
    with pytest.raises(NotFoundError):
        inbox.accept(nurse, 10**9, kb)
    with pytest.raises(NotFoundError):
        inbox.decline(nurse, 10**9)
    ConsultationRequest.objects.filter(pk=site_a.request.pk).update(profile=["not", "an", "object"])
    clients_before, screenings_before = Client.objects.count(), Screening.objects.count()
    with pytest.raises(ProfileError):
        inbox.accept(nurse, site_a.request.pk, kb)
    assert (Client.objects.count(), Screening.objects.count()) == (clients_before, screenings_before)
    assert ConsultationRequest.objects.get(pk=site_a.request.pk).status == "open"
