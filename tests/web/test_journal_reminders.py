"""A home journal's reminder e-mails (issue 15): queued, moved and cancelled with the journal, stopped by their link.

Reminders are queued through the API and the pages (the request holds the journal's link), due at 09:00
on the person's clock (the time zone they chose; UTC until they choose one) on the earliest day of the next
session and on the device's replacement day; they carry the day,
the journal's link and a stop link, in the journal's language, and nothing about health.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import time_machine
from django.core import signing
from django.db import connection
from django.test import Client

from needlewise import bootstrap
from needlewise.api.journal_schemas import JournalOut
from needlewise.api.schemas import ErrorOut
from needlewise.domain.vocabulary import Lang
from needlewise.errors import InvalidInputError, NotFoundError
from needlewise.messaging import journal_reminders, worker
from needlewise.services import journal
from needlewise.services.saved_results import digest
from needlewise.storage.models import Journal, QueuedMessage
from smtp_support import Inbox, smtp_server
from web.journal_support import PROFILE, TODAY, post

pytestmark = pytest.mark.django_db

ES = {"HTTP_ACCEPT_LANGUAGE": "es"}
#: Words of the glow profile, its sessions and findings that a reminder never carries.
HEALTH_WORDS = ("cheek", "forehead", "glow", "retinoid", "vitamin", "0.25", "roller", "mejilla", "pregnan", "embaraz")
STOP = re.compile(r"http://testserver(/reminders/stop/[^/\s]+/)")


@pytest.fixture(autouse=True)
def today() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(TODAY, tick=False) as traveller:
        yield traveller


def start(client: Client, email: str | None = "person@example.org", lang: str = "en") -> str:
    body = {"profile": PROFILE} | ({"email": email} if email else {})
    response = post(client, f"/api/v1/journals?lang={lang}", body)
    assert response.status_code == 201, response.content
    return str(response.json()["key"])


def log(client: Client, key: str, on: str) -> dict:
    response = post(client, f"/api/v1/journals/{key}/sessions", {"on": on, "needle_mm": 0.25, "areas": ["cheeks"]})
    assert response.status_code == 201, response.content
    return dict(response.json())


def reminders() -> list[QueuedMessage]:
    return list(QueuedMessage.objects.filter(purpose="journal_reminder").order_by("pk"))


def waiting() -> list[tuple[str, datetime]]:
    return [(r.key.rsplit(":", 2)[1], r.next_attempt_at) for r in reminders() if r.status == "queued"]


def stop_path(message: QueuedMessage) -> str:
    found = STOP.search(message.text)
    assert found is not None
    return found.group(1)


def test_a_logged_session_queues_one_reminder_for_the_morning_of_the_earliest_next_day(client: Client) -> None:
    key = start(client)
    state = log(client, key, "2026-12-07")
    JournalOut.model_validate(state)
    assert (state["next_session_on"], state["reminders"]) == ("2026-12-09", True)
    assert "person@example.org" not in str(state)
    (row,) = reminders()
    assert (row.status, row.recipients, row.next_attempt_at) == (
        "queued",
        ["person@example.org"],
        datetime(2026, 12, 9, 9, 0, tzinfo=UTC),
    )
    assert (row.key[:17], row.key[-24:]) == ("journal_reminder:", ":next_session:2026-12-09")
    assert digest(key) not in row.key
    assert row.subject == "Your home journal: the earliest day for your next session"
    assert "from Wednesday 9 December 2026" in row.text
    assert "That is the earliest day, not a recommendation" in row.text
    assert f"http://testserver/journal/{key}/" in row.text
    assert row.unsubscribe_url == f"http://testserver{stop_path(row)}"
    assert not any(word in row.text.lower() for word in HEALTH_WORDS)
    with connection.cursor() as cursor:
        cursor.execute("SELECT text, unsubscribe_url FROM queued_message")
        stored = " ".join(str(v) for v in cursor.fetchone())
    assert (key in stored, "earliest" in stored) == (False, False)  # sealed at rest


def test_a_new_session_moves_the_reminder_and_the_device_adds_its_replacement_day(client: Client) -> None:
    key = start(client)
    log(client, key, "2026-12-07")
    log(client, key, "2026-12-08")
    device = {"kind": "roller", "needle_mm": 0.25, "bought_on": "2026-12-01", "uses": 1}
    assert post(client, f"/api/v1/journals/{key}/device", device).json()["replacement"]["replace_on"] == "2027-03-01"
    assert [(r.status, r.last_error) for r in reminders()][:1] == [("cancelled", "moved")]
    assert waiting() == [
        ("next_session", datetime(2026, 12, 10, 9, 0, tzinfo=UTC)),
        ("replace_device", datetime(2027, 3, 1, 9, 0, tzinfo=UTC)),
    ]
    replace = reminders()[-1]
    assert replace.subject == "Your home journal: time to replace your device"
    assert "Your device is due to be replaced from Monday 1 March 2027." in replace.text
    post(client, f"/api/v1/journals/{key}/device", {"kind": "stamp"})  # the day it was bought is not known
    assert [kind for kind, _ in waiting()] == ["next_session"]


def test_no_address_a_past_day_or_a_pause_queue_no_reminder(client: Client) -> None:
    quiet = start(client, email=None)
    assert log(client, quiet, "2026-12-07")["reminders"] is False
    key = start(client)
    log(client, key, "2026-12-01")  # the next day, the 3rd, has passed
    assert reminders() == []
    log(client, key, "2026-12-07")
    paused = client.post(f"/journal/{key}/changed/", {"pregnant": "yes"})
    assert paused.status_code == 303
    assert [(r.status, r.last_error) for r in reminders()] == [("cancelled", "no reminder")]


def check(client: Client, key: str, yes: tuple[str, ...] = (), on: str = "2026-12-07", resolved: str = "") -> None:
    ids = [q["id"] for q in client.get(f"/api/v1/journals/{key}/checks?on={on}").json()["questions"]]
    body: dict[str, object] = {"answers": {i: "yes" if i in yes else "no" for i in ids}}
    if resolved:
        body["resolved"] = resolved
    assert post(client, f"/api/v1/journals/{key}/checks?on={on}", body).status_code == 200


def test_a_worrying_skin_check_takes_the_reminder_away_until_it_is_resolved(client: Client) -> None:
    key, quiet = start(client), start(client, email=None)
    log(client, key, "2026-12-07")
    log(client, quiet, "2026-12-07")
    check(client, key, ("fever_chills",))  # seek care now: no next session day
    check(client, quiet, ("fever_chills",))
    assert [(r.status, r.last_error) for r in reminders()] == [("cancelled", "no reminder")]
    check(client, key)  # the same day: it still holds
    assert waiting() == []
    check(client, key, on="2026-12-08", resolved="not_sure")  # a later day, but not known to be resolved
    assert waiting() == []
    check(client, key, on="2026-12-08", resolved="yes")
    assert waiting() == [("next_session", datetime(2026, 12, 9, 9, 0, tzinfo=UTC))]
    asked = bootstrap.knowledge_base().treatment.checkin.questions_for(1)
    form = {f"answer-{q.question_id}": "no" for q in asked} | {"answer-pus": "yes"}
    page = client.post(f"/journal/{key}/skin/", form)
    assert page.status_code == 303
    assert waiting() == []
    changed = post(client, f"/api/v1/journals/{key}/changes", {"profile": {**PROFILE, "skin_now": ["cold_sore"]}})
    assert (changed.status_code, waiting()) == (200, [])


def test_the_reminder_of_today_before_and_after_nine(client: Client, today: time_machine.Traveller) -> None:
    key = start(client)
    post(client, f"/api/v1/journals/{key}/device", {"kind": "roller", "bought_on": "2026-09-07"})  # replace on the 7th
    assert reminders() == []  # 10:00 UTC: the morning's reminder time has passed
    today.move_to("2026-12-07T08:59Z")
    post(client, f"/api/v1/journals/{key}/device", {"kind": "roller", "bought_on": "2026-09-07"})
    assert waiting() == [("replace_device", datetime(2026, 12, 7, 9, 0, tzinfo=UTC))]


def test_deleting_the_journal_cancels_its_reminders_on_the_api_and_the_page(client: Client) -> None:
    first, second = start(client), start(client)
    log(client, first, "2026-12-07")
    log(client, second, "2026-12-07")
    assert client.delete(f"/api/v1/journals/{first}").status_code == 204
    assert client.post(f"/journal/{second}/delete/").status_code == 200
    assert [(r.status, r.last_error) for r in reminders()] == [("cancelled", "journal deleted")] * 2


def test_the_api_sets_and_removes_the_address(client: Client) -> None:
    key = start(client, email=None)
    log(client, key, "2026-12-07")
    on = client.put(f"/api/v1/journals/{key}/reminders", {"email": "new@example.org"}, content_type="application/json")
    assert (on.status_code, on.json()["reminders"]) == (200, True)
    JournalOut.model_validate(on.json())
    assert [r.recipients for r in reminders()] == [["new@example.org"]]
    off = client.put(f"/api/v1/journals/{key}/reminders", {"email": None}, content_type="application/json")
    assert (off.status_code, off.json()["reminders"]) == (200, False)
    assert Journal.objects.get().email == ""
    assert [r.status for r in reminders()] == ["cancelled"]
    bad = client.put(f"/api/v1/journals/{key}/reminders", {"email": "nope"}, content_type="application/json")
    assert bad.status_code == 422
    assert {p.field for p in ErrorOut.model_validate(bad.json()).problems} & {"email", "body.email"}
    gone = client.put("/api/v1/journals/no-such-key/reminders", {"email": None}, content_type="application/json")
    assert gone.status_code == 404


def test_the_use_case_names_the_field_of_a_bad_address_and_an_unknown_journal(kb) -> None:
    with pytest.raises(InvalidInputError) as refused:
        journal.change_email(bootstrap.journals(), "no-such-key", "no address", kb, None)
    assert refused.value.first.where == "email"
    with pytest.raises(NotFoundError):
        journal.change_email(bootstrap.journals(), "no-such-key", None, kb, None)


def test_the_reminders_page_turns_them_on_off_and_names_a_bad_address(client: Client) -> None:
    key = start(client, email=None)
    log(client, key, "2026-12-07")
    page = client.get(f"/journal/{key}/reminders/")
    assert (page.status_code, "Reminders are off." in page.content.decode()) == (200, True)
    assert page["Cache-Control"] == "no-store"
    assert f"/journal/{key}/reminders/" in client.get(f"/journal/{key}/").content.decode()
    bad = client.post(f"/journal/{key}/reminders/", {"email": "nope"})
    assert (bad.status_code, 'aria-invalid="true"' in bad.content.decode()) == (422, True)
    saved = client.post(f"/journal/{key}/reminders/", {"email": " me@example.org "}, **ES)
    assert (saved.status_code, saved["Location"]) == (303, f"/journal/{key}/reminders/?saved=1")  # a reload: a GET
    assert saved["Cache-Control"] == "no-store"
    for _reload in range(2):
        shown = client.get(saved["Location"], **ES).content.decode()
        assert "Guardado" in shown
        assert "me@example.org" not in shown
    assert [r.recipients for r in reminders()] == [["me@example.org"]]
    assert "Guardado" not in client.get(f"/journal/{key}/reminders/", **ES).content.decode()
    stopped = client.post(f"/journal/{key}/reminders/", {"stop": "1", "email": "ignored@example.org"})
    assert stopped.status_code == 303
    stopped = client.get(stopped["Location"])
    assert "Reminders are off, and your e-mail address is forgotten." in stopped.content.decode()
    assert (Journal.objects.get().email, [r.status for r in reminders()]) == ("", ["cancelled"])
    assert client.get("/journal/no-such-key/reminders/").status_code == 404
    assert client.post("/journal/no-such-key/reminders/", {"email": "me@example.org"}).status_code == 404
    assert client.post("/journal/no-such-key/reminders/", {"email": "nope"}).status_code == 404


def test_the_stop_link_asks_first_then_stops_by_one_click_without_a_csrf_token(client: Client) -> None:
    key = start(client, lang="es")
    log(client, key, "2026-12-07")
    (row,) = reminders()
    path = stop_path(row)
    asked = client.get(path)
    assert asked.status_code == 200
    assert "¿Dejar de recibir recordatorios de tu diario?" in asked.content.decode()
    assert (asked["Cache-Control"], asked["Referrer-Policy"]) == ("no-store", "no-referrer")
    assert (Journal.objects.get().email, reminders()[0].status) == ("person@example.org", "queued")
    one_click = Client(enforce_csrf_checks=True).post(path, "List-Unsubscribe=One-Click", content_type="text/plain")
    assert one_click.status_code == 200
    assert "Recordatorios detenidos" in one_click.content.decode()
    assert (Journal.objects.get().email, reminders()[0].status) == ("", "cancelled")
    assert "Los recordatorios están desactivados" in client.get(path).content.decode()
    log(client, key, "2026-12-08")
    assert [r.status for r in reminders()] == ["cancelled"]  # none queued again


def test_a_stop_link_that_is_not_one_or_of_a_deleted_journal_is_404(client: Client) -> None:
    key = start(client)
    path = f"/reminders/stop/{journal_reminders.stop_token(digest(key))}/"
    not_a_digest = signing.dumps([1], salt=journal_reminders.SALT)
    for wrong in ("nonsense", not_a_digest, signing.dumps(digest(key), salt="another")):
        assert client.get(f"/reminders/stop/{wrong}/").status_code == 404
    client.delete(f"/api/v1/journals/{key}")
    assert client.get(path).status_code == 404
    assert client.post(path).status_code == 404


def test_following_a_journal_that_is_gone_cancels_and_plans_nothing(kb) -> None:
    store = bootstrap.journals()
    key, view = journal.start_journal(store, PROFILE, kb, Lang.EN, "person@example.org")
    links = journal_reminders.Links("https://example.org/journal/x/", "https://example.org/stop/")
    journal.delete_journal(store, key)
    assert journal_reminders.follow(key, view, links) == {"next_session": None, "replace_device": None}


@pytest.fixture
def smtp_inbox() -> Iterator[Inbox]:
    with smtp_server() as inbox:
        yield inbox


def test_the_reminder_arrives_on_its_morning_with_its_links_and_one_click_headers(
    client: Client, smtp_inbox: Inbox, today: time_machine.Traveller
) -> None:
    key = start(client, lang="es")
    log(client, key, "2026-12-07")
    worker.run_once("test-worker")
    assert smtp_inbox.envelopes == []  # not before its day
    today.move_to("2026-12-09T09:01Z")
    worker.run_once("test-worker")
    (message,) = smtp_inbox.messages()
    assert message["To"] == "person@example.org"
    assert message["Subject"].strip() == "Tu diario en casa: el primer día posible para tu próxima sesión"
    body = message.get_content()
    assert "a partir del miércoles 9 de diciembre de 2026" in body
    assert f"http://testserver/journal/{key}/" in body
    (row,) = reminders()
    assert message["List-Unsubscribe"].strip() == f"<http://testserver{stop_path(row)}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert not any(word in body.lower() for word in HEALTH_WORDS)


def test_a_stopped_reminder_never_arrives(client: Client, smtp_inbox: Inbox, today: time_machine.Traveller) -> None:
    key = start(client)
    log(client, key, "2026-12-07")
    client.post(stop_path(reminders()[0]))
    today.move_to("2026-12-09T09:01Z")
    worker.run_once("test-worker")
    assert smtp_inbox.envelopes == []
    assert log(client, key, "2026-12-08")["reminders"] is False
    assert [r.status for r in reminders()] == ["cancelled"]


def put_reminders(client: Client, key: str, body: dict[str, object]):
    return client.put(f"/api/v1/journals/{key}/reminders", body, content_type="application/json")


def test_the_api_takes_a_time_zone_and_moves_the_waiting_reminders_to_nine_there(client: Client) -> None:
    key = start(client)
    log(client, key, "2026-12-07")
    assert waiting() == [("next_session", datetime(2026, 12, 9, 9, 0, tzinfo=UTC))]  # none chosen: 09:00 UTC
    assert client.get(f"/api/v1/journals/{key}").json()["time_zone"] is None
    moved = put_reminders(client, key, {"email": "person@example.org", "time_zone": "America/Los_Angeles"})
    assert (moved.status_code, moved.json()["time_zone"], moved.json()["reminders"]) == (
        200,
        "America/Los_Angeles",
        True,
    )
    JournalOut.model_validate(moved.json())
    assert "person@example.org" not in moved.content.decode()
    assert waiting() == [("next_session", datetime(2026, 12, 9, 17, 0, tzinfo=UTC))]  # 09:00 in California
    assert len(reminders()) == 1  # the same reminder, replaced by its key
    kept = put_reminders(client, key, {"email": "person@example.org"})  # no zone: the journal's stays
    assert kept.json()["time_zone"] == "America/Los_Angeles"
    log(client, key, "2026-12-08")  # a new day: queued at 09:00 in the journal's zone
    assert waiting() == [("next_session", datetime(2026, 12, 10, 17, 0, tzinfo=UTC))]
    east = put_reminders(client, key, {"email": "person@example.org", "time_zone": "Pacific/Kiritimati"})
    assert east.json()["time_zone"] == "Pacific/Kiritimati"
    assert waiting() == [("next_session", datetime(2026, 12, 9, 19, 0, tzinfo=UTC))]
    assert Journal.objects.get(token_digest=digest(key)).time_zone == "Pacific/Kiritimati"


@pytest.mark.parametrize("zone", ["Mars/Olympus", "../etc/passwd", "", "x" * 65, "utc"])
def test_the_api_refuses_an_unknown_time_zone_naming_the_field(client: Client, zone: str) -> None:
    key = start(client)
    bad = put_reminders(client, key, {"email": "person@example.org", "time_zone": zone})
    assert bad.status_code == 422
    assert {p.field for p in ErrorOut.model_validate(bad.json()).problems} & {"time_zone", "body.time_zone"}
    assert Journal.objects.get(token_digest=digest(key)).time_zone == ""


def test_the_use_case_names_a_bad_time_zone_and_a_new_journal_may_start_with_one(kb) -> None:
    with pytest.raises(InvalidInputError) as refused:
        journal.change_email(bootstrap.journals(), "no-such-key", None, kb, None, time_zone="Nowhere/Else")
    assert refused.value.first.where == "time_zone"
    with pytest.raises(InvalidInputError) as refused:
        journal.start_journal(bootstrap.journals(), PROFILE, kb, Lang.EN, "me@example.org", time_zone="Nowhere/Else")
    assert refused.value.first.where == "time_zone"
    key, view = journal.start_journal(
        bootstrap.journals(), PROFILE, kb, Lang.EN, "me@example.org", time_zone="Europe/Madrid"
    )
    assert (view.time_zone, view.reminder_zone) == ("Europe/Madrid", "Europe/Madrid")
    assert journal.open_journal(bootstrap.journals(), key, kb, None).to_json()["time_zone"] == "Europe/Madrid"


def test_the_reminders_page_offers_the_zones_says_which_one_and_keeps_a_choice(client: Client) -> None:
    key = start(client, email=None)
    log(client, key, "2026-12-07")
    page = client.get(f"/journal/{key}/reminders/").content.decode()
    assert "Reminders go at 09:00 UTC: no time zone has been chosen yet." in page
    assert '<select id="f-time_zone" name="time_zone"' in page
    assert "data-browser-zone" in page  # none chosen: the script may offer the browser's own
    assert '<option value="UTC" selected>' in page
    assert '<optgroup label="America">' in page
    assert '<option value="America/Los_Angeles">Los Angeles (America/Los_Angeles)</option>' in page
    saved = client.post(f"/journal/{key}/reminders/", {"email": "me@example.org", "time_zone": "America/Los_Angeles"})
    assert saved.status_code == 303
    assert waiting() == [("next_session", datetime(2026, 12, 9, 17, 0, tzinfo=UTC))]
    shown = client.get(saved["Location"], **ES).content.decode()
    assert "Los recordatorios llegan a las 09:00 en la zona horaria America/Los_Angeles." in shown
    assert '<option value="America/Los_Angeles" selected>' in shown
    assert '<optgroup label="Pacífico">' in shown
    assert "data-browser-zone" not in shown  # a choice made: never replaced by the browser's
    stopped = client.post(f"/journal/{key}/reminders/", {"stop": "1", "time_zone": "Europe/Madrid"})
    assert stopped.status_code == 303
    assert Journal.objects.get(token_digest=digest(key)).time_zone == "America/Los_Angeles"  # stopping keeps it


def test_the_reminders_page_names_an_unknown_zone_and_keeps_one_the_list_does_not_offer(client: Client) -> None:
    key = start(client, email=None)
    bad = client.post(f"/journal/{key}/reminders/", {"email": "me@example.org", "time_zone": "Nowhere/Else"}, **ES)
    shown = bad.content.decode()
    assert bad.status_code == 422
    assert 'href="#f-time_zone"' in shown
    assert "Elige una zona horaria de la lista" in shown
    assert "data-browser-zone" not in shown
    assert Journal.objects.get(token_digest=digest(key)).email == ""
    assert put_reminders(client, key, {"email": "me@example.org", "time_zone": "US/Pacific"}).status_code == 200
    page = client.get(f"/journal/{key}/reminders/").content.decode()
    assert '<option value="US/Pacific" selected>US/Pacific</option>' in page
