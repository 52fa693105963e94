"""Properties of a home journal's reminders: whatever sessions are logged, in whatever order, one reminder at most
waits for the next session, due at 09:00 in the journal's time zone (UTC if none) on its earliest next day (none
once that moment has passed or while paused), and it never names an area or a product."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from needlewise import bootstrap
from needlewise.domain.vocabulary import Area, Lang, Product
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.messaging import journal_reminders
from needlewise.services import journal
from needlewise.services.journal_entries import SessionEntry
from needlewise.storage.models import QueuedMessage
from web.journal_support import PROFILE

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
#: Far from UTC both sides, with and without summer time, and UTC chosen.
ZONES = ["UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago", "America/Los_Angeles", "Europe/Madrid", "Asia/Kolkata"]
LINKS = journal_reminders.Links("https://example.org/journal/k/", "https://example.org/reminders/stop/t/")
FIXTURE_OK = settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
entries = st.lists(
    st.builds(
        SessionEntry,
        on=st.integers(-20, 0).map(lambda back: NOW.date() + timedelta(days=back)),
        needle_mm=st.sampled_from([0.2, 0.25, 0.5, 1.0]),
        areas=st.frozensets(st.sampled_from(Area), min_size=1, max_size=3),
        products=st.frozensets(st.sampled_from(Product), max_size=2),
    ),
    min_size=1,
    max_size=5,
)


@FIXTURE_OK
@given(logged=entries, lang=st.sampled_from(Lang), zone=st.sampled_from([None, *ZONES]))
def test_one_reminder_at_most_waits_for_the_earliest_next_day(
    kb: KnowledgeBase, logged: list[SessionEntry], lang: Lang, zone: str | None
) -> None:
    store = bootstrap.journals()
    with time_machine.travel(NOW, tick=False):
        key, view = journal.start_journal(store, PROFILE, kb, lang, "person@example.org", time_zone=zone)
        for entry in logged:
            view = journal.log_session(store, key, entry, kb, None, NOW.date())
            journal_reminders.follow(key, view, LINKS)
    prefix = journal_reminders.key_prefix(journal.digest(key))  # this journal's reminders only
    rows = QueuedMessage.objects.filter(key__startswith=prefix)
    waiting = [r for r in rows if r.status == "queued"]
    day: date | None = view.next_session_on
    if day is None or journal_reminders.due(day, zone or "UTC") <= NOW:
        assert waiting == []
    else:
        (row,) = waiting
        assert (row.next_attempt_at, row.key.endswith(f":next_session:{day.isoformat()}")) == (
            journal_reminders.due(day, zone or "UTC"),
            True,
        )
    assert {r.status for r in rows} <= {"queued", "cancelled"}
    for row in rows:
        words = row.text.lower()
        assert not any(a.value.replace("_", " ") in words for e in logged for a in e.areas)
        assert not any(p.value.replace("_", " ") in words for e in logged for p in e.products)
