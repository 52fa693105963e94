"""A home journal's "today" is the day on the journal's own clock, never the server's UTC day.

23:30 UTC on 7 December is already the 8th in Auckland; 03:30 UTC on the 8th is still the 7th in Los
Angeles. The session form's default day, "any day from today", the skin check's questions and its day
(on the page and in the JSON API), and the PDF's "assessed on" each follow the journal's zone.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from needlewise import bootstrap
from needlewise.domain.vocabulary import Area, Lang
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.services import journal
from needlewise.services.journal_entries import SessionEntry, latest_today
from web import journal_support as js

pytestmark = pytest.mark.django_db

#: (the server's clock, the journal's zone, its day there, the UTC day)
AUCKLAND = ("2026-12-07T23:30Z", "Pacific/Auckland", date(2026, 12, 8), date(2026, 12, 7))
LOS_ANGELES = ("2026-12-08T03:30Z", "America/Los_Angeles", date(2026, 12, 7), date(2026, 12, 8))
CLOCKS = pytest.mark.parametrize("clock", [AUCKLAND, LOS_ANGELES], ids=["auckland", "los_angeles"])
#: The question the check asks from the third day after a session (not on the second).
DAY_3 = "firm_bumps"


def with_session(kb: KnowledgeBase, zone: str, on: date, lang: Lang = Lang.EN) -> str:
    """A journal in ``zone`` (in ``lang``) with a 0.25 mm session logged on ``on``; its key."""
    document: Any = js.interview(kb, js.GLOW).document
    store = bootstrap.journals()
    key, _view = journal.start_journal(store, document, kb, lang, time_zone=zone)
    entry = SessionEntry(on, 0.25, frozenset({Area.CHEEKS}))
    journal.log_session(store, key, entry, kb, None, latest_today())
    return key


@CLOCKS
def test_the_session_form_offers_the_journals_today(kb: KnowledgeBase, clock: tuple[str, str, date, date]) -> None:
    now, zone, today, utc_day = clock
    with time_machine.travel(now, tick=False):
        document: Any = js.interview(kb, js.GLOW).document
        key, _view = journal.start_journal(bootstrap.journals(), document, kb, Lang.EN, time_zone=zone)
        page = Client().get(f"/journal/{key}/").content.decode()
    assert f'name="on" value="{today.isoformat()}"' in page
    assert f'name="on" value="{utc_day.isoformat()}"' not in page


@CLOCKS
@pytest.mark.parametrize(
    ("lang", "passed", "waiting"),
    [
        (Lang.EN, "any day from today", "not before"),
        (Lang.ES, "cualquier día a partir de hoy", "no antes del"),
    ],
)
def test_the_next_session_day_has_passed_by_the_journals_clock(
    kb: KnowledgeBase, clock: tuple[str, str, date, date], lang: Lang, passed: str, waiting: str
) -> None:
    now, zone, today, _utc_day = clock
    with time_machine.travel(now, tick=False):
        probe = journal.open_journal(bootstrap.journals(), with_session(kb, zone, date(2026, 11, 1)), kb, lang)
        assert probe.next_session_on is not None
        interval = probe.next_session_on - date(2026, 11, 1)
        earlier = with_session(kb, zone, date(2026, 12, 7) - interval, lang)  # its next day: the 7th
        shown = Client(HTTP_ACCEPT_LANGUAGE=lang.value).get(f"/journal/{earlier}/").content.decode()
    assert journal.open_journal(bootstrap.journals(), earlier, kb, lang).next_session_on == date(2026, 12, 7)
    if today > date(2026, 12, 7):  # Auckland: the 7th is yesterday there
        assert passed in shown
        assert waiting not in shown.split('class="next-date"')[1].split("</p>")[0]
    else:  # Los Angeles: the 7th is today there, not passed
        assert passed not in shown
        assert waiting in shown.split('class="next-date"')[1].split("</p>")[0]


@CLOCKS
def test_the_skin_check_asks_and_keeps_the_journals_day(
    client: Client, kb: KnowledgeBase, clock: tuple[str, str, date, date]
) -> None:
    now, zone, today, _utc_day = clock
    session_on = date(2026, 12, 5)
    day = (today - session_on).days  # Auckland: day 3; Los Angeles: day 2 (UTC says the other)
    with time_machine.travel(now, tick=False):
        key = with_session(kb, zone, session_on)
        page = client.get(f"/journal/{key}/").content.decode()
        assert (f'name="answer-{DAY_3}"' in page) is (day >= 3)
        shown = js.submitted(client, f"/journal/{key}/skin/", js.skin_form(kb, day))
        assert 'data-saved="skin"' in shown.content.decode()
    check = journal.open_journal(bootstrap.journals(), key, kb, Lang.EN).checks[-1].entry
    assert (check.on, check.day) == (today, day)


@CLOCKS
def test_the_apis_skin_check_defaults_to_the_journals_day(
    client: Client, kb: KnowledgeBase, clock: tuple[str, str, date, date]
) -> None:
    now, zone, today, _utc_day = clock
    session_on = today - timedelta(days=2)  # two days ago there; one or three by the UTC day
    with time_machine.travel(now, tick=False):
        key = with_session(kb, zone, session_on)
        asked = client.get(f"/api/v1/journals/{key}/checks").json()
        assert asked["day"] == 2
        ids = [q["id"] for q in asked["questions"]]
        urgent = {**dict.fromkeys(ids, "no"), "fever_chills": "yes"}
        found = js.post(client, f"/api/v1/journals/{key}/checks", {"answers": urgent})
    assert found.status_code == 200, found.json()
    assert found.json()["held"] == {"triage": "seek_care_now", "since": today.isoformat()}


@pytest.mark.parametrize(
    ("lang", "words"), [(Lang.EN, "Assessed on 7 December 2026"), (Lang.ES, "Evaluado el 7 de diciembre de 2026")]
)
def test_the_pdf_is_made_on_the_journals_day(
    kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch, lang: Lang, words: str
) -> None:
    now, zone, _today, _utc_day = LOS_ANGELES  # Auckland's day is asserted in test_local_days
    monkeypatch.setattr("needlewise.web.views.journal_data.render_pdf", lambda html: html.encode())
    with time_machine.travel(now, tick=False):
        key = with_session(kb, zone, date(2026, 12, 6), lang)
        printed = Client(HTTP_ACCEPT_LANGUAGE=lang.value).get(f"/journal/{key}/pdf/").content.decode()
    assert words in printed
