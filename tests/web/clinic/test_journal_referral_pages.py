"""From the home journal's page to a clinic, without JavaScript; the referral in the clinic's inbox, by role."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
import time_machine

from needlewise import bootstrap
from needlewise.bootstrap import knowledge_base
from needlewise.clinic.accounts import clinic_settings
from needlewise.clinic.accounts.clinic_settings import ClinicPage
from needlewise.domain.contact import Contact
from needlewise.domain.permissions import Role
from needlewise.domain.treatment import Answer
from needlewise.domain.vocabulary import Area, DeviceKind, Lang, Product
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.services import journal, journal_checks
from needlewise.services.journal_entries import DeviceEntry, SessionEntry
from needlewise.services.journal_referrals import MAX_REFERRALS
from needlewise.storage.models import ConsultationRequest
from web import journal_support as js
from web.clinic.referral_support import CONTACT, DIGEST, browser, form_of, sent_and_opened
from web.clinic.support import Site, actor_for, staff_client

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 7)


@pytest.fixture
def key(kb: KnowledgeBase) -> str:
    """A journal with a pen, two sessions (a retinoid after the second)."""
    made = js.started(kb)
    store = bootstrap.journals()
    journal.record_device(store, made, DeviceEntry(DeviceKind.PEN, 0.5, date(2026, 10, 1), 7), kb, None, TODAY)
    journal.log_session(store, made, SessionEntry(date(2026, 11, 2), 0.25, frozenset({Area.FOREHEAD})), kb, None, TODAY)
    last = SessionEntry(date(2026, 11, 4), 0.25, frozenset({Area.CHEEKS}), frozenset({Product.RETINOID_SERUM}))
    journal.log_session(store, made, last, kb, None, TODAY)
    return made


def private(response: object) -> None:
    assert response["Cache-Control"] == "no-store"  # type: ignore[index]
    assert response["X-Robots-Tag"] == "noindex, nofollow"  # type: ignore[index]
    assert response["Referrer-Policy"] == "same-origin"  # type: ignore[index]


def test_the_journal_page_leads_to_the_clinics_and_each_to_its_form(site_a: Site, key: str) -> None:
    journal_page = browser().get(f"/journal/{key}/").content.decode()
    assert f'href="/journal/{key}/referral/"' in journal_page
    listed = browser().get(f"/journal/{key}/referral/")
    assert listed.status_code == 200
    private(listed)
    assert f'href="/journal/{key}/referral/{site_a.clinic.slug}/"' in listed.content.decode()
    shown = browser().get(f"/journal/{key}/referral/{site_a.clinic.slug}/")
    assert shown.status_code == 200
    private(shown)
    page = shown.content.decode()
    assert "Send your journal to Clinic Alpha" in page
    assert "The 2 sessions you logged" in page
    assert "Your device: Motorised pen, 0.5 mm, 9 uses so far." in page
    assert "That your journal is not paused." in page
    assert "0 skin checks you recorded, with your answers." in page
    assert "I agree that needlewise sends Clinic Alpha (Alphaville) my home journal" in page
    assert DIGEST.search(page)


def test_sending_stores_the_referral_and_says_so(site_a: Site, key: str) -> None:
    url = f"/journal/{key}/referral/{site_a.clinic.slug}/"
    sent = browser().post(url, form_of(browser().get(url).content.decode()))
    assert sent.status_code == 303  # Post/Redirect/Get: a reload sends nothing again
    private(sent)
    where = sent["Location"]
    assert where.startswith(f"{url}sent/?r=")
    assert "otto" not in where.lower()
    assert "Mornings" not in where
    for _reload in range(2):
        shown = browser().get(where)
        assert shown.status_code == 200
        private(shown)
        assert "Your journal was sent to Clinic Alpha" in shown.content.decode()
    row = ConsultationRequest.objects.get(journal_summary__isnull=False)
    assert (row.clinic_id, row.contact_email, row.message) == (
        site_a.clinic.pk,
        "otto@example.org",
        "Mornings, please.",
    )
    assert [s["on"] for s in row.journal_summary["sessions"]] == ["2026-11-02", "2026-11-04"]


def test_without_consent_the_form_comes_back_422_naming_the_fields(site_a: Site, key: str) -> None:
    url = f"/journal/{key}/referral/{site_a.clinic.slug}/"
    form = {**form_of(browser().get(url).content.decode()), "email": "", "birth_date": "not a day"}
    del form["consent"]
    refused = browser().post(url, form)
    assert refused.status_code == 422
    private(refused)
    page = refused.content.decode()
    assert 'href="#f-consent"' in page
    assert 'href="#f-email"' in page
    assert 'href="#f-birth_date"' in page
    assert 'aria-invalid="true" aria-describedby="consent-error-1"' in page
    assert 'value="Ottoline"' in page
    assert not ConsultationRequest.objects.filter(journal_summary__isnull=False).exists()


def test_a_journal_changed_since_the_page_was_shown_is_not_sent(site_a: Site, key: str, kb: KnowledgeBase) -> None:
    url = f"/journal/{key}/referral/{site_a.clinic.slug}/"
    form = form_of(browser().get(url).content.decode())
    entry = SessionEntry(date(2026, 12, 1), 0.25, frozenset({Area.CHIN}))
    journal.log_session(bootstrap.journals(), key, entry, kb, None, TODAY)
    refused = browser().post(url, form)
    assert refused.status_code == 422
    assert "your journal changed since this page was shown" in refused.content.decode()
    assert "The 3 sessions you logged" in refused.content.decode()


def test_in_spanish(site_a: Site, key: str) -> None:
    url = f"/journal/{key}/referral/{site_a.clinic.slug}/"
    page = browser("es").get(url).content.decode()
    assert "Acepto que needlewise envíe a Clinic Alpha (Alphaville) mi diario en casa" in page
    assert '<input type="date" id="f-birth_date"' in page
    assert "AAAA-MM-DD" not in page  # the date picker shows the day in its own format (dd/mm/aaaa in Spain)
    refused = browser("es").post(url, {**form_of(page), "consent": ""})
    assert refused.status_code == 422
    assert "Envía tu diario a Clinic Alpha" in refused.content.decode()
    assert "Las 2 sesiones que has anotado" in refused.content.decode()
    sent = browser("es").post(url, form_of(page))
    assert sent.status_code == 303
    shown = browser("es").get(sent["Location"]).content.decode()
    assert "Tu diario se ha enviado a Clinic Alpha" in shown
    assert "Para llamar tú a Clinic Alpha:" in shown
    assert ConsultationRequest.objects.get(journal_summary__isnull=False).lang == "es"


@pytest.mark.parametrize("method", ["get", "post"])
def test_no_journal_or_no_such_clinic_is_404(site_a: Site, key: str, method: str) -> None:
    def send(url: str) -> int:
        response = getattr(browser(), method)(url, CONTACT if method == "post" else None)
        private(response)
        return int(response.status_code)

    assert send(f"/journal/no-such-key/referral/{site_a.clinic.slug}/") == 404
    gone = getattr(browser(), method)(f"/journal/no-such-key/referral/{site_a.clinic.slug}/", CONTACT)
    assert "This journal does not exist or was deleted" in gone.content.decode()
    assert send(f"/journal/{key}/referral/no-such-clinic/") == 404
    no_clinic = getattr(browser(), method)(f"/journal/{key}/referral/no-such-clinic/", CONTACT).content.decode()
    assert "this clinic does not take requests here" in no_clinic
    assert "This journal does not exist" not in no_clinic
    clinic_settings.update_clinic(
        actor_for(site_a.members[Role.OWNER]), ClinicPage("Clinic Alpha", "A", "", accepts_requests=False)
    )
    assert send(f"/journal/{key}/referral/{site_a.clinic.slug}/") == 404
    assert browser().get("/journal/no-such-key/referral/").status_code == 404


def test_the_sent_page_gives_the_clinics_phone_when_it_has_one(site_a: Site, key: str) -> None:
    owner = actor_for(site_a.members[Role.OWNER])
    contact = Contact("+34 600 000 000", "Calle Mayor 1", "", "Europe/Madrid")
    clinic_settings.update_clinic(owner, ClinicPage("Clinic Alpha", "A", "", accepts_requests=True, contact=contact))
    url = f"/journal/{key}/referral/{site_a.clinic.slug}/"
    where = browser().post(url, form_of(browser().get(url).content.decode()))["Location"]
    page = browser().get(where).content.decode()
    assert 'href="tel:+34600000000">+34 600 000 000</a>' in page


def test_a_sent_page_without_its_receipt_is_404(site_a: Site, key: str) -> None:
    url = f"/journal/{key}/referral/{site_a.clinic.slug}/"
    where = browser().post(url, form_of(browser().get(url).content.decode()))["Location"]
    receipt = where.split("?r=")[1]
    assert browser().get(f"{url}sent/").status_code == 404
    assert browser().get(f"{url}sent/?r=forged").status_code == 404
    other = js.started(knowledge_base())  # another journal's address with this receipt
    assert browser().get(f"/journal/{other}/referral/{site_a.clinic.slug}/sent/?r={receipt}").status_code == 404
    assert browser().get(f"/journal/no-such-key/referral/{site_a.clinic.slug}/sent/?r={receipt}").status_code == 404
    assert browser().get(f"/journal/{key}/referral/no-such-clinic/sent/?r={receipt}").status_code == 404


def test_the_clinics_page_says_when_no_clinic_takes_requests(key: str) -> None:
    page = browser().get(f"/journal/{key}/referral/").content.decode()
    assert "No clinic on this installation takes requests yet." in page


@pytest.mark.parametrize("role", [Role.OWNER, Role.PROVIDER, Role.NURSE])
def test_staff_who_handle_requests_read_the_journal_summary(site_a: Site, key: str, role: Role) -> None:
    url = f"/journal/{key}/referral/{site_a.clinic.slug}/"
    browser().post(url, form_of(browser().get(url).content.decode()))
    row = ConsultationRequest.objects.get(journal_summary__isnull=False)
    queue = staff_client(site_a.members[role]).get("/clinic/intake/").content.decode()
    assert f"/clinic/intake/{row.pk}/" in queue
    assert queue.count('<span class="badge">Home journal</span>') == 1  # the result's request has none
    page = staff_client(site_a.members[role]).get(f"/clinic/intake/{row.pk}/").content.decode()
    assert "Their home journal (as sent)" in page
    assert "Sessions logged (2)" in page
    assert "2026-11-04" in page
    assert "etinoid" in page
    assert "Motorised pen, 0.5 mm" in page
    assert "sources:" in page
    assert "I agree that needlewise sends Clinic Alpha (Alphaville) my home journal" in page


def test_staff_read_the_skin_checks_and_changes(site_a: Site, key: str, kb: KnowledgeBase) -> None:
    store = bootstrap.journals()
    asked = journal_checks.check_questions_for(store, key, kb, date(2026, 11, 5))
    journal_checks.check_skin(
        store, key, {q.question_id: Answer.NO for q in asked.questions}, kb, Lang.EN, date(2026, 11, 5)
    )
    document = dict(store.get(journal.digest(key)).profile)
    journal_checks.report_change(store, key, {**document, "goals": ["acne_scars"]}, kb, None)
    url = f"/journal/{key}/referral/{site_a.clinic.slug}/"
    page = browser().get(url).content.decode()
    assert "1 skin check you recorded, with your answers." in page
    assert "1 change you reported" in page
    assert "That your journal is paused, and why:" in page
    _, staff = sent_and_opened(site_a, url, page)
    assert "Skin checks (1)" in staff
    assert 'data-triage="expected">Expected course' in staff
    assert "Changes reported (1)" in staff
    assert "Paused</dt><dd>Yes" in staff


@pytest.mark.parametrize("role", [Role.AESTHETICIAN, Role.FRONT_DESK])
def test_staff_without_intake_access_see_no_referral(site_a: Site, key: str, role: Role) -> None:
    url = f"/journal/{key}/referral/{site_a.clinic.slug}/"
    status, page = sent_and_opened(site_a, url, browser().get(url).content.decode(), role)
    assert status == 403
    assert "2026-11-04" not in page


def test_a_request_from_a_result_shows_no_journal(site_a: Site) -> None:
    page = staff_client(site_a.members[Role.NURSE]).get(f"/clinic/intake/{site_a.request.pk}/").content.decode()
    assert "Their home journal" not in page


def test_a_paused_journal_without_sessions_or_device(site_a: Site, kb: KnowledgeBase) -> None:
    paused = js.started(kb, {**js.GLOW, "goals": ["acne_scars"]}, Lang.EN)
    url = f"/journal/{paused}/referral/{site_a.clinic.slug}/"
    page = browser().get(url).content.decode()
    assert "That your journal is paused, and why:" in page
    assert "Your device: none recorded." in page
    assert "The 0 sessions you logged" in page
    _, staff = sent_and_opened(site_a, url, page)
    assert "No session logged yet." in staff
    assert "No skin check recorded." in staff
    assert "No change reported." in staff
    assert "Paused</dt><dd>Yes" in staff


SENT_WORDS = {
    "en": (
        "Sent to Clinic Alpha on 7 December 2026.",
        "To call Clinic Alpha yourself:",
        "The copy you already sent to Clinic Alpha stays with that clinic: deleting this journal does not delete it.",
    ),
    "es": (
        "Enviado a Clinic Alpha el 7 de diciembre de 2026.",
        "Para llamar tú a Clinic Alpha:",
        "La copia que ya enviaste a Clinic Alpha se queda en esa clínica: borrar este diario no la borra.",
    ),
}


@time_machine.travel("2026-12-07T23:30Z", tick=False)
@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_sent_journal_says_where_it_went_and_that_the_clinic_keeps_its_copy(
    site_a: Site, key: str, lang: str
) -> None:
    trace, phone, kept = SENT_WORDS[lang]
    owner = actor_for(site_a.members[Role.OWNER])
    assert "Sent to" not in browser().get(f"/journal/{key}/").content.decode()
    assert "stays with" not in browser().get(f"/journal/{key}/delete/").content.decode()
    url = f"/journal/{key}/referral/{site_a.clinic.slug}/"
    for number in ("", "+34 910 000 000"):  # no phone on file: none given
        contact = Contact(phone=number, time_zone="Europe/Madrid")
        clinic_settings.update_clinic(
            owner, ClinicPage("Clinic Alpha", "Alphaville", "", accepts_requests=True, contact=contact)
        )
        posted = browser(lang).post(url, form_of(browser(lang).get(url).content.decode()))
        sent = browser(lang).get(posted["Location"]).content.decode()
        assert (phone in sent) is bool(number)
    assert 'href="tel:+34910000000">+34 910 000 000</a>' in sent
    assert browser(lang).get(f"/journal/{key}/").content.decode().count(trace) == 2
    delete_page = browser(lang).get(f"/journal/{key}/delete/").content.decode()
    assert delete_page.count(kept) == 1
    state = bootstrap.journals().get(journal.digest(key)).state  # type: ignore[union-attr]
    assert state["referrals"] == 2 * [
        {"clinic": "Clinic Alpha", "slug": site_a.clinic.slug, "at": "2026-12-07T23:30:00+00:00"}
    ]


def test_two_clinics_are_named_on_the_delete_page_and_only_the_latest_referrals_are_kept(
    site_a: Site, key: str, kb: KnowledgeBase
) -> None:
    url = f"/journal/{key}/referral/{site_a.clinic.slug}/"
    for _ in range(MAX_REFERRALS + 1):
        browser().post(url, form_of(browser().get(url).content.decode()))
    store = bootstrap.journals()
    state = store.get(journal.digest(key)).state  # type: ignore[union-attr]
    assert len(state["referrals"]) == MAX_REFERRALS  # type: ignore[arg-type]
    beta = {"clinic": "Clinic Beta", "slug": "beta", "at": "2026-12-07T10:00:00+00:00"}
    store.change(journal.digest(key), lambda r: replace(r, state={**r.state, "referrals": [*state["referrals"], beta]}))  # type: ignore[misc]
    page = browser().get(f"/journal/{key}/delete/").content.decode()
    assert "The copies you already sent to Clinic Alpha, Clinic Beta stay with those clinics" in page
    assert journal.open_journal(store, key, kb, None).referrals[-1].clinic == "Clinic Beta"
