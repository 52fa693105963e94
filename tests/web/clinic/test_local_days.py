"""Stored UTC instants shown as days and times on the right clock: the clinic's to staff, the journal's to its person.

23:30 UTC on 7 December is already the 8th in Auckland (12:30 NZDT); 03:30 UTC on the 8th is still the
7th in Los Angeles (19:30 PST). A page that cut the stored text (``[:10]``) or took the UTC date showed
the wrong day.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from needlewise import bootstrap
from needlewise.domain.permissions import Role
from needlewise.domain.vocabulary import Lang
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.services import journal, journal_checks
from needlewise.storage.models import Clinic, ConsultationRequest
from needlewise.web.jinja import local_date, local_day
from web import journal_support as js
from web.clinic.referral_support import browser, form_of
from web.clinic.support import Site, staff_client

pytestmark = pytest.mark.django_db


def changed_and_sent(site: Site, kb: KnowledgeBase, zone: str | None = None, lang: str = "en") -> str:
    """A journal (its zone ``zone``) with a change reported, sent to the site's clinic now; its key."""
    document: Any = js.interview(kb, js.GLOW).document
    store = bootstrap.journals()
    key, _view = journal.start_journal(store, document, kb, Lang(lang), time_zone=zone)
    journal_checks.report_change(store, key, {**document, "goals": ["acne_scars"]}, kb, None)
    url = f"/journal/{key}/referral/{site.clinic.slug}/"
    assert browser(lang).post(url, form_of(browser(lang).get(url).content.decode())).status_code == 303
    return key


@pytest.mark.parametrize(
    "case",
    [
        ("2026-12-07T23:30Z", "Pacific/Auckland", "2026-12-08", "2026-12-07"),
        ("2026-12-08T03:30Z", "America/Los_Angeles", "2026-12-07", "2026-12-08"),
    ],
)
def test_staff_read_the_days_of_a_referred_journal_on_the_clinics_clock(
    site_a: Site, kb: KnowledgeBase, case: tuple[str, str, str, str]
) -> None:
    sent_at, zone, day, other_day = case  # when it was sent, the clinic's zone, its day there, the UTC day
    with time_machine.travel(sent_at, tick=False):
        changed_and_sent(site_a, kb)
    Clinic.objects.filter(pk=site_a.clinic.pk).update(time_zone=zone)
    row = ConsultationRequest.objects.get(journal_summary__isnull=False)
    nurse = staff_client(site_a.members[Role.NURSE])
    queue = nurse.get("/clinic/intake/").content.decode()
    assert f">{day} " in queue  # the day it was received
    page = nurse.get(f"/clinic/intake/{row.pk}/").content.decode()
    assert f"<dd>{day} " in page  # received
    assert f"Journal started</dt><dd>{day}</dd>" in page
    assert f"<li>{day}: " in page  # the change reported
    assert other_day not in page


@time_machine.travel("2026-12-07T23:30Z", tick=False)
@pytest.mark.parametrize(
    ("lang", "sent"), [("en", "Sent to Clinic Alpha on 8 December 2026."), ("es", "el 8 de diciembre de 2026.")]
)
def test_the_person_reads_when_it_was_sent_and_changed_on_the_journals_clock(
    site_a: Site, kb: KnowledgeBase, lang: str, sent: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = changed_and_sent(site_a, kb, "Pacific/Auckland", lang)
    page = browser(lang).get(f"/journal/{key}/").content.decode()
    assert sent in page
    assert "<strong>2026-12-08 12:30 NZDT</strong>" in page  # the change, in its history
    monkeypatch.setattr("needlewise.web.views.journal_data.render_pdf", lambda html: html.encode())
    printed = browser(lang).get(f"/journal/{key}/pdf/").content.decode()
    assert "2026-12-08 12:30 NZDT" in printed
    assert {"en": "Assessed on 8 December 2026", "es": "Evaluado el 8 de diciembre de 2026"}[lang] in printed


@time_machine.travel("2026-12-07T23:30Z", tick=False)
def test_a_journal_without_a_zone_shows_utc(site_a: Site, kb: KnowledgeBase) -> None:
    key = changed_and_sent(site_a, kb)
    page = browser().get(f"/journal/{key}/").content.decode()
    assert "Sent to Clinic Alpha on 7 December 2026." in page
    assert "<strong>2026-12-07 23:30 UTC</strong>" in page


def test_the_screening_pdf_says_when_on_the_clinics_clock(site_a: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    Clinic.objects.filter(pk=site_a.clinic.pk).update(time_zone="Pacific/Auckland")
    facts: list[Any] = []
    monkeypatch.setattr("needlewise.reports.staff_pdf.screening_pdf", lambda f, *_: facts.append(f) or b"%PDF")
    response = staff_client(site_a.members[Role.PROVIDER]).get(f"/clinic/screenings/{site_a.stop.pk}/pdf/")
    assert response.status_code == 200
    here = site_a.stop.created_at.astimezone(ZoneInfo("Pacific/Auckland"))
    assert facts[0].screened_on == here.strftime("%Y-%m-%d %H:%M %Z")
    assert facts[0].screened_on.endswith(("NZDT", "NZST"))


@pytest.mark.parametrize(
    ("value", "day"),
    [
        (dt.datetime(2026, 12, 7, 23, 30, tzinfo=dt.UTC), dt.date(2026, 12, 8)),
        ("2026-12-07T23:30:00+00:00", dt.date(2026, 12, 8)),
        ("2026-12-07T23:30:00", dt.date(2026, 12, 8)),  # no offset: UTC
        ("2026-12-07T12:30:00+13:00", dt.date(2026, 12, 7)),
        ("not a time", "not a time"),  # given back as it is, never an error
    ],
)
def test_local_day_reads_instants_and_their_iso_text(value: dt.datetime | str, day: dt.date | str) -> None:
    with timezone.override(ZoneInfo("Pacific/Auckland")):
        assert local_day(value) == day
        assert local_date(value) == (day.isoformat() if isinstance(day, dt.date) else day)
