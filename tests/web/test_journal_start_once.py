"""Starting a journal from the same form twice (a double click, a resubmission) starts one journal.

The form carries a one-time token; both answers go to the same journal's link. A form whose journal
was deleted, or a day-old form, says to start again (never a 500, never the deleted journal again).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from needlewise import bootstrap
from needlewise.domain.vocabulary import Lang
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.services import journal
from needlewise.services.journal_starts import StartOnce, start_once
from needlewise.services.ports import JournalRecord, Journals
from needlewise.storage.models import Journal, JournalStart
from web import journal_support as js

pytestmark = pytest.mark.django_db
ONCE = re.compile(r'name="once" value="([^"]+)"')
ES = {"HTTP_ACCEPT_LANGUAGE": "es"}


def _form(client: Client, kb: KnowledgeBase, **headers: str) -> dict[str, str]:
    """The start form's fields as its page gives them (with its one-time token)."""
    page = client.post("/journal/new/", {"state": js.state(kb)}, **headers).content.decode()
    return {"state": js.state(kb), "start": "1", "once": ONCE.search(page).group(1)}  # type: ignore[union-attr]


def test_the_same_form_posted_twice_starts_one_journal_and_both_show_its_link(
    client: Client, kb: KnowledgeBase
) -> None:
    form = _form(client, kb)
    first = client.post("/journal/new/", {**form, "email": "a@example.org"})
    second = client.post("/journal/new/", {**form, "email": "a@example.org"})
    assert (first.status_code, second.status_code) == (303, 303)
    assert first["Location"] == second["Location"]
    assert Journal.objects.count() == 1
    key = js.KEY.search(second["Location"]).group(1)  # type: ignore[union-attr]
    shown = client.get(second["Location"])
    assert shown.status_code == 200
    assert f'<code id="journal-link">http://testserver/journal/{key}/</code>' in shown.content.decode()
    assert journal.open_journal(bootstrap.journals(), key, kb, None).reminders  # the first post's address kept
    assert form["once"] not in shown.content.decode()
    other = client.post("/journal/new/", _form(client, kb))  # another page's form: another journal
    assert other["Location"] != first["Location"]
    assert Journal.objects.count() == 2
    marks = list(JournalStart.objects.order_by("pk"))
    assert len(marks) == 2
    assert str(marks[0]) == f"journal start {marks[0].pk}"  # never the mark
    assert marks[0].mark not in str(marks[0])


def test_a_refused_form_keeps_its_token_and_the_corrected_one_starts_the_journal_once(
    client: Client, kb: KnowledgeBase
) -> None:
    form = _form(client, kb)
    refused = client.post("/journal/new/", {**form, "email": "nope"})
    assert refused.status_code == 422
    assert f'name="once" value="{form["once"]}"' in refused.content.decode()
    made = [client.post("/journal/new/", {**form, "email": "a@example.org"}) for _twice in range(2)]
    assert [m.status_code for m in made] == [303, 303]
    assert made[0]["Location"] == made[1]["Location"]
    assert Journal.objects.count() == 1


def test_a_deleted_journal_s_form_does_not_start_it_again_and_says_to_start_again(
    client: Client, kb: KnowledgeBase
) -> None:
    form = _form(client, kb, **ES)
    key = js.KEY.search(client.post("/journal/new/", form)["Location"]).group(1)  # type: ignore[union-attr]
    assert journal.delete_journal(bootstrap.journals(), key)
    again = client.post("/journal/new/", form, **ES)
    assert again.status_code == 409
    page = again.content.decode()
    assert 'href="#f-start"' in page
    assert "se borró" in page
    fresh = ONCE.search(page).group(1)  # type: ignore[union-attr]
    assert fresh != form["once"]
    assert Journal.objects.count() == 0
    restarted = client.post("/journal/new/", {**form, "once": fresh})  # the person chose to start again
    assert restarted.status_code == 303
    assert key not in restarted["Location"]


@pytest.mark.parametrize("late", [timedelta(days=1, minutes=1), None])
def test_a_day_old_or_forged_form_says_to_start_again(
    client: Client, kb: KnowledgeBase, late: timedelta | None
) -> None:
    form = _form(client, kb)
    if late is None:
        form["once"] += "x"
    with time_machine.travel(timezone.now() + (late or timedelta()), tick=False):
        stale = client.post("/journal/new/", form)
    assert stale.status_code == 409
    assert "more than a day old" in stale.content.decode()
    assert ONCE.search(stale.content.decode()).group(1) != form["once"]  # type: ignore[union-attr]
    assert Journal.objects.count() == 0


class _Racing:
    """A store whose first read misses a journal the same form's other post adds just before this one's."""

    def __init__(self, store: Journals, other: StartOnce, kb: KnowledgeBase) -> None:
        self.store, self.other, self.kb, self.reads = store, other, kb, 0

    def get(self, token_digest: str) -> JournalRecord | None:
        self.reads += 1
        if self.reads == 1:
            start_once(self.store, self.other, js.interview(self.kb, js.GLOW).document, self.kb, Lang.EN)  # type: ignore[arg-type]
            return None
        return self.store.get(token_digest)

    def add_once(self, record: JournalRecord, mark: str) -> bool:
        return self.store.add_once(record, mark)


def test_two_posts_at_once_start_one_journal_the_second_finds_the_first_s() -> None:
    kb = bootstrap.knowledge_base()
    once = StartOnce.of("the same form", b"server secret")
    racing = _Racing(bootstrap.journals(), once, kb)
    document = js.interview(kb, js.GLOW).document
    token, view = start_once(racing, once, document, kb, Lang.EN)  # type: ignore[arg-type]
    assert (token, racing.reads) == (once.token, 2)  # refused by the unique mark, then it read the first one's
    assert Journal.objects.count() == 1
    assert view.sessions == ()


def test_a_form_s_journal_depends_on_the_server_secret_and_old_marks_are_forgotten(kb: KnowledgeBase) -> None:
    assert StartOnce.of("n", b"one").token != StartOnce.of("n", b"two").token
    assert StartOnce.of("n", b"one").mark == StartOnce.of("n", b"two").mark
    assert len(StartOnce.of("n", b"one").token) == 32  # the shape of every other journal key
    document = js.interview(kb, js.GLOW).document
    start_once(bootstrap.journals(), StartOnce.of("old", b"s"), document, kb, Lang.EN)  # type: ignore[arg-type]
    with time_machine.travel(timezone.now() + timedelta(days=2, minutes=1), tick=False):
        start_once(bootstrap.journals(), StartOnce.of("new", b"s"), document, kb, Lang.EN)  # type: ignore[arg-type]
    assert JournalStart.objects.count() == 1
    assert Journal.objects.count() == 2  # a mark is forgotten, never its journal
