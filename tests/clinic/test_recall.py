"""Recall by cartridge lot and by device: the lists, their totals and paging, the CSV, contact marks."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinic.followup_support import SessionBuilder
from clinic.support import expected, last_seq, rows_after, summary
from needlewise.clinic.recall import keys as recall_keys
from needlewise.clinic.recall import use_cases as recall
from needlewise.clinic.recall.rows import ZoneTreated
from needlewise.clinic.spreadsheet import KeptText, csv_text, safe_cell
from needlewise.domain.permissions import Role
from needlewise.errors import ConflictError, InvalidInputError, NotAllowedError, NotFoundError
from needlewise.storage.models import RecallContact

pytestmark = pytest.mark.django_db

T0 = datetime(2030, 3, 1, 10, 0, tzinfo=UTC)
LOT = "LOT-2030-A"


def at(days: int) -> datetime:
    return T0 + timedelta(days=days)


@pytest.fixture
def builder_a(site_a, kb) -> SessionBuilder:
    return SessionBuilder(site_a.clinic, site_a.members, kb)


@pytest.fixture
def builder_b(site_b, kb) -> SessionBuilder:
    return SessionBuilder(site_b.clinic, site_b.members, kb)


@pytest.fixture
def lot_a(site_a, builder_a):
    """Clinic A: two clients on LOT (three sessions), one on another lot; the site's own client too."""
    ada = builder_a.client("Ada", "Byron", phone="+44 20 7946 0000")
    ben = builder_a.client("Ben", "Crane", phone="")
    first = builder_a.session(ada, lot=LOT, serial="0001", performed_at=at(0), zones=(("cheeks", "1.00"),))
    second = builder_a.session(
        ben, lot=LOT, serial="0002", performed_at=at(5), zones=(("forehead", "0.50"), ("cheeks", "1.50"))
    )
    third = builder_a.session(
        ada, lot=LOT, serial="0003", performed_at=at(9), device_serial="PEN-0002", role=Role.PROVIDER
    )
    other = builder_a.session(site_a.client, lot="LOT-OTHER", serial="0001", performed_at=at(3))
    return {"ada": ada, "ben": ben, "sessions": [first, second, third], "other": other}


# --- lists ---


def test_a_lot_lists_its_sessions_newest_first_with_everything_a_recall_needs(site_a, lot_a):
    found = recall.by_lot(site_a.actor(Role.NURSE), LOT)
    first, second, third = lot_a["sessions"]
    assert [r.session_id for r in found.rows] == [third.pk, second.pk, first.pk]
    row = found.rows[1]
    assert (row.client_id, row.given_name, row.family_name) == (lot_a["ben"].pk, "Ben", "Crane")
    assert (row.phone, row.email, row.birth_date) == ("", "ben@example.org", date(1990, 5, 17))
    assert row.performed_at == at(5)
    assert row.practitioner == "nurse alpha"
    assert (row.device_model, row.device_kind, row.device_serial) == ("Pen A6", "pen", "PEN-0001")
    assert (row.cartridge_lot, row.cartridge_serial, row.cartridge_expiry) == (LOT, "0002", date(2032, 1, 31))
    assert row.zones == (ZoneTreated("cheeks", Decimal("1.50")), ZoneTreated("forehead", Decimal("0.50")))
    assert (row.marked, row.contacted) == (False, False)
    assert found.rows[0].practitioner == "provider alpha"
    assert (found.sessions, found.clients, found.adverse_events) == (3, 2, 0)
    assert (found.kind, found.key, found.after_id, found.next_after) == (recall.RecallKind.LOT, LOT, None, None)


@pytest.mark.usefixtures("lot_a")
def test_another_clinics_sessions_of_the_same_lot_never_appear(site_a, site_b, builder_b):
    stranger = builder_b.client("Mallory", "Stranger")
    theirs = builder_b.session(stranger, lot=LOT, serial="0001", performed_at=at(7))
    builder_b.adverse_event(theirs)
    mine = recall.by_lot(site_a.actor(Role.NURSE), LOT)
    assert stranger.pk not in {r.client_id for r in mine.rows}
    assert (mine.sessions, mine.clients, mine.adverse_events) == (3, 2, 0)
    theirs_list = recall.by_lot(site_b.actor(Role.PROVIDER), LOT)
    assert [r.session_id for r in theirs_list.rows] == [theirs.pk]
    assert (theirs_list.sessions, theirs_list.clients, theirs_list.adverse_events) == (1, 1, 1)


@pytest.mark.usefixtures("lot_a")
def test_the_lot_is_trimmed_and_found_ignoring_case_under_its_own_spelling(site_a):
    nurse = site_a.actor(Role.NURSE)
    assert recall.by_lot(nurse, f"  {LOT}\t").sessions == 3
    found = recall.by_lot(nurse, LOT.lower())
    assert (found.key, found.sessions, found.suggestions) == (LOT, 3, ())
    seq = last_seq()
    assert recall.by_lot(nurse, "lot-2030").key == LOT  # the start of one lot only
    (row,) = rows_after(seq)
    assert row.detail["key"] == LOT


@pytest.mark.usefixtures("lot_a")
def test_a_start_shared_by_several_lots_offers_them_all(site_a, builder_a):
    builder_a.session(builder_a.client("Cy", "Dunn"), lot="lot-2030-a", serial="0009", performed_at=at(1))
    found = recall.by_lot(site_a.actor(Role.NURSE), "LOT-")
    assert (found.rows, found.sessions, found.clients) == ([], 0, 0)
    assert found.suggestions == (LOT, "LOT-OTHER", "lot-2030-a")
    same = recall.by_lot(site_a.actor(Role.NURSE), "Lot-2030-A")  # two lots differ only by case
    assert (same.rows, same.suggestions) == ([], (LOT, "lot-2030-a"))


@pytest.mark.usefixtures("lot_a")
def test_a_near_miss_suggests_the_close_lots_and_a_far_one_nothing(site_a):
    nurse = site_a.actor(Role.NURSE)
    typo = recall.by_lot(nurse, "LOT-2003-A")
    assert (typo.rows, typo.suggestions) == ([], (LOT,))
    assert recall.by_lot(nurse, "ZZZ-9").suggestions == ()
    assert recall.by_device(nurse, "pen-0001").key == "PEN-0001"
    assert recall.by_device(nurse, "PEN-000").suggestions == ("PEN-0001", "PEN-0002")


def test_suggestions_are_only_the_clinics_own(site_a, builder_b):
    builder_b.session(builder_b.client("Di", "Eve"), lot="SECRET-LOT", serial="1", performed_at=at(0))
    assert recall.by_lot(site_a.actor(Role.NURSE), "SECRET-LO").suggestions == ()


def test_resolve_key_caps_the_suggestions():
    known = [f"LOT-{n}" for n in range(9)]
    assert recall_keys.resolve_key("lot-", known) == (None, tuple(known[: recall_keys.SUGGESTIONS]))
    assert recall_keys.resolve_key("lot-3", known) == ("LOT-3", ())


# --- lots in use ---


@pytest.mark.usefixtures("lot_a")
def test_lots_in_use_count_sessions_and_clients_most_recent_first(site_a, builder_b):
    builder_b.session(builder_b.client("Di", "Eve"), lot="B-ONLY", serial="1", performed_at=at(20))
    nurse = site_a.actor(Role.NURSE)
    seq = last_seq()
    lots = recall.lots(nurse)
    assert [(x.lot, x.sessions, x.clients) for x in lots] == [(LOT, 3, 2), ("LOT-OTHER", 1, 1)]
    assert (lots[0].first_used, lots[0].last_used, lots[0].expiry) == (at(0), at(9), date(2032, 1, 31))
    (row,) = rows_after(seq)
    assert summary(row) == expected(nurse, "read", "recall")
    assert row.detail == {"kind": "lots", "shown": 2}


@pytest.mark.usefixtures("lot_a")
def test_lots_in_use_are_limited(site_a, monkeypatch):
    monkeypatch.setattr(recall, "LOTS_LIMIT", 1)
    assert [x.lot for x in recall.lots(site_a.actor(Role.OWNER))] == [LOT]


def test_lots_in_use_are_refused_to_roles_that_do_not_run_recalls(site_a):
    with pytest.raises(NotAllowedError):
        recall.lots(site_a.actor(Role.FRONT_DESK))


def test_adverse_events_count_against_the_lot(site_a, lot_a, builder_a):
    first, second, _ = lot_a["sessions"]
    builder_a.adverse_event(first)
    builder_a.adverse_event(second)
    builder_a.adverse_event(lot_a["other"])
    found = recall.by_lot(site_a.actor(Role.OWNER), LOT)
    assert found.adverse_events == 2


def test_a_device_lists_its_sessions_and_the_adverse_events_of_those_sessions(site_a, lot_a, builder_a):
    first, second, third = lot_a["sessions"]
    builder_a.adverse_event(third)
    builder_a.adverse_event(first)
    pen1 = recall.by_device(site_a.actor(Role.PROVIDER), "PEN-0001")
    assert [r.session_id for r in pen1.rows] == [second.pk, lot_a["other"].pk, first.pk]
    assert (pen1.kind, pen1.sessions, pen1.clients, pen1.adverse_events) == (recall.RecallKind.DEVICE, 3, 3, 1)
    pen2 = recall.by_device(site_a.actor(Role.PROVIDER), " PEN-0002 ")
    assert [(r.session_id, r.cartridge_lot) for r in pen2.rows] == [(third.pk, LOT)]
    assert pen2.adverse_events == 1


@pytest.mark.parametrize(
    ("kind", "key", "message"),
    [
        ("lot", "   ", "enter the cartridge lot"),
        ("device", "", "enter the device serial"),
        ("lot", "L" * 65, "at most 64 characters"),
        ("lot", "LOT\x0042", "remove the invisible or control character U+0000 (character 4)"),
        ("device", "PEN\u200b1", "remove the invisible or control character U+200B (character 4)"),
    ],
)
def test_the_key_is_required_and_at_most_64_characters(site_a, kind, key, message):
    with pytest.raises(InvalidInputError) as invalid:
        recall.recall_list(site_a.actor(Role.NURSE), recall.RecallKind(kind), key)
    assert (invalid.value.first.where, invalid.value.first.message) == ("key", message)


def test_a_64_character_lot_is_accepted(site_a, builder_a):
    lot = "L" * 64
    builder_a.session(site_a.client, lot=lot, serial="1", performed_at=at(1))
    assert recall.by_lot(site_a.actor(Role.NURSE), lot).sessions == 1


def test_long_lists_are_paged_by_keyset_with_totals_of_the_whole_list(site_a, builder_a, monkeypatch):
    monkeypatch.setattr(recall, "PAGE_SIZE", 2)
    people = [builder_a.client(f"P{n}", "Paged") for n in range(3)]
    made = [
        builder_a.session(people[n % 3], lot=LOT, serial=f"{n:04d}", performed_at=at(n // 2)) for n in range(5)
    ]  # sessions 0 and 1 share a time, as do 2 and 3: ties go by id
    nurse = site_a.actor(Role.NURSE)
    pages, after = [], None
    while True:
        page = recall.by_lot(nurse, LOT, after_id=after)
        assert (page.sessions, page.clients, page.after_id) == (5, 3, after)
        pages.append([r.session_id for r in page.rows])
        if page.next_after is None:
            break
        assert page.next_after == page.rows[-1].session_id
        after = page.next_after
    ids = [s.pk for s in made]
    assert pages == [[ids[4], ids[3]], [ids[2], ids[1]], [ids[0]]]


def test_a_session_recorded_between_pages_does_not_shift_the_next_page(site_a, builder_a, monkeypatch):
    monkeypatch.setattr(recall, "PAGE_SIZE", 2)
    made = [builder_a.session(site_a.client, lot=LOT, serial=f"{n}", performed_at=at(n)) for n in range(4)]
    nurse = site_a.actor(Role.NURSE)
    first = recall.by_lot(nurse, LOT)
    builder_a.session(site_a.client, lot=LOT, serial="new", performed_at=at(10))
    second = recall.by_lot(nurse, LOT, after_id=first.next_after)
    assert [r.session_id for r in second.rows] == [made[1].pk, made[0].pk]
    assert second.sessions == 5


def test_an_after_id_of_another_list_shows_nothing(site_a, lot_a):
    page = recall.by_lot(site_a.actor(Role.NURSE), LOT, after_id=lot_a["other"].pk)
    assert (page.rows, page.sessions) == ([], 3)


def test_the_rows_take_the_same_number_of_queries_however_many_there_are(site_a, builder_a):
    nurse = site_a.actor(Role.NURSE)
    builder_a.session(site_a.client, lot="ONE", serial="1", performed_at=at(0))
    people = [builder_a.client(f"Q{n}", "Many") for n in range(6)]
    for n, person in enumerate(people):
        builder_a.session(person, lot="MANY", serial=f"{n}", performed_at=at(n), zones=(("chin", "0.5"), ("nose", "1")))
    counts = []
    for lot in ("ONE", "MANY"):
        with CaptureQueriesContext(connection) as captured:
            found = recall.by_lot(nurse, lot)
        counts.append(len(captured.captured_queries))
        assert all(r.zones for r in found.rows)
    assert counts[0] == counts[1]
    selects = [q["sql"] for q in captured.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    session_selects = [s for s in selects if 'FROM "treatment_session"' in s]
    assert len(session_selects) == 1  # the rows, joined with the client and the practitioner, in one query


# --- audit and permissions ---


def test_each_lookup_is_recorded_with_the_key_and_the_client_ids_not_names(site_a, lot_a):
    nurse = site_a.actor(Role.NURSE)
    seq = last_seq()
    recall.by_lot(nurse, LOT)
    last = lot_a["sessions"][2].pk  # the only session with PEN-0002: nothing comes after it
    recall.by_device(nurse, "PEN-0002", after_id=last)
    first, second = rows_after(seq)
    assert summary(first) == expected(nurse, "read", "recall")
    assert first.detail == {
        "kind": "lot",
        "key": LOT,
        "after": None,
        "clients": sorted([lot_a["ada"].pk, lot_a["ben"].pk]),
    }
    assert second.detail == {"kind": "device", "key": "PEN-0002", "after": last, "clients": []}
    assert "Byron" not in str(first.detail)


@pytest.mark.parametrize("role", [Role.AESTHETICIAN, Role.FRONT_DESK])
@pytest.mark.parametrize(
    ("attempt", "object_type"),
    [
        (lambda actor: recall.by_lot(actor, LOT), "recall"),
        (lambda actor: recall.by_device(actor, "PEN-0001"), "recall"),
        (lambda actor: recall.export_csv(actor, "lot", LOT), "recall"),
        (lambda actor: recall.mark_for_contact(actor, "lot", LOT, "Manufacturer recall notice 42"), "recall"),
        (recall.require_role, "recall"),
        (recall.open_contacts, "recall_contact"),
    ],
)
@pytest.mark.usefixtures("lot_a")
def test_roles_that_do_not_run_recalls_are_refused_and_recorded(site_a, role, attempt, object_type):
    actor = site_a.actor(role)
    seq = last_seq()
    with pytest.raises(NotAllowedError):
        attempt(actor)
    (denied,) = rows_after(seq)
    assert summary(denied) == expected(actor, "run_recall", object_type, outcome="denied")
    assert not RecallContact.objects.exists()


@pytest.mark.usefixtures("lot_a")
def test_marking_contacted_is_refused_to_other_roles(site_a):
    recall.mark_for_contact(site_a.actor(Role.NURSE), "lot", LOT, "Manufacturer recall notice 42")
    contact = RecallContact.objects.first()
    seq = last_seq()
    with pytest.raises(NotAllowedError):
        recall.mark_contacted(site_a.actor(Role.FRONT_DESK), contact.pk, "Phoned")
    (denied,) = rows_after(seq)
    assert summary(denied) == expected(
        site_a.actor(Role.FRONT_DESK), "run_recall", "recall_contact", contact.pk, outcome="denied"
    )
    contact.refresh_from_db()
    assert contact.contacted_at is None


# --- CSV ---


def parsed(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")  # a UTF-8 byte-order mark: spreadsheets keep the accents
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def test_the_export_has_a_header_and_one_line_per_session_of_every_page(site_a, lot_a, monkeypatch):
    monkeypatch.setattr(recall, "PAGE_SIZE", 1)
    nurse = site_a.actor(Role.NURSE)
    recall.mark_for_contact(nurse, "lot", LOT, "Manufacturer recall notice 42")
    ada_contact = RecallContact.objects.get(client=lot_a["ada"])
    recall.mark_contacted(nurse, ada_contact.pk, "Phoned on Monday")
    seq = last_seq()
    lines = parsed(recall.export_csv(nurse, "lot", f" {LOT} "))
    assert lines[0] == list(recall.EXPORT_HEADER)
    first, second, third = lot_a["sessions"]
    assert [line[0] for line in lines[1:]] == [str(third.pk), str(second.pk), str(first.pk)]
    ben = dict(zip(lines[0], lines[2], strict=True))
    assert ben["performed_at_utc"] == "2030-03-06T10:00:00+00:00"
    assert (ben["family_name"], ben["given_name"], ben["birth_date"]) == ("Crane", "Ben", "1990-05-17")
    assert (ben["practitioner"], ben["device_serial"], ben["cartridge_lot"]) == ("nurse alpha", "PEN-0001", LOT)
    assert (ben["cartridge_serial"], ben["cartridge_expiry"]) == ("0002", "2032-01-31")
    assert ben["zones"] == "cheeks 1.5 mm; forehead 0.5 mm"
    assert (ben["marked_for_contact"], ben["contacted"]) == ("yes", "no")
    ada = dict(zip(lines[0], lines[1], strict=True))
    assert (ada["marked_for_contact"], ada["contacted"], ada["phone"]) == ("yes", "yes", '="+44 20 7946 0000"')
    (row,) = rows_after(seq)
    assert summary(row) == expected(nurse, "export", "recall")
    assert row.detail == {
        "kind": "lot",
        "key": LOT,
        "sessions": 3,
        "clients": sorted([lot_a["ada"].pk, lot_a["ben"].pk]),
    }


def test_export_cells_cannot_run_as_spreadsheet_formulas(site_a, builder_a):
    evil = builder_a.client('=HYPERLINK("http://x")', "@SUM(A1)", phone="+1 555 010 2030")
    builder_a.session(evil, lot="-LOT", serial="+1", performed_at=at(0), device_model="\tTab", device_serial="=1+1")
    lines = parsed(recall.export_csv(site_a.actor(Role.PROVIDER), "lot", "-LOT"))
    row = dict(zip(lines[0], lines[1], strict=True))
    assert row["given_name"] == '\'=HYPERLINK("http://x")'
    assert row["family_name"] == "'@SUM(A1)"
    assert row["phone"] == '="+1 555 010 2030"'  # a string literal: kept as text, runs nothing
    assert (row["cartridge_lot"], row["cartridge_serial"]) == ("'-LOT", "'+1")
    assert (row["device_model"], row["device_serial"]) == ("'\tTab", "'=1+1")
    phone = lines[0].index("phone")
    cells = [cell for line in lines for n, cell in enumerate(line) if n != phone]
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)


def test_export_keeps_accents_and_phone_numbers_as_written(site_a, builder_a):
    client = builder_a.client("Íñigo", "Núñez", phone="0034 600 000 001", email="inigo@example.org")
    builder_a.session(client, lot="LOT-Ñ", serial="1", performed_at=at(0))
    data = recall.export_csv(site_a.actor(Role.NURSE), "lot", "LOT-Ñ").encode()
    assert data.startswith(b"\xef\xbb\xbf")
    header, line = csv.reader(io.StringIO(data.decode("utf-8-sig")))
    row = dict(zip(header, line, strict=True))
    assert (row["given_name"], row["family_name"], row["cartridge_lot"]) == ("Íñigo", "Núñez", "LOT-Ñ")
    assert row["phone"] == '="0034 600 000 001"'


@pytest.mark.parametrize(("text", "cell"), [("+34 600 000 000", '="+34 600 000 000"'), ("", ""), ('a"b', '="a""b"')])
def test_kept_text_is_a_string_literal_formula(text, cell):
    assert safe_cell(KeptText(text)) == cell
    assert list(csv.reader(io.StringIO(csv_text(["phone"], [[KeptText(text)]], bom=True)[1:]))) == [["phone"], [cell]]


def test_an_export_of_nothing_is_the_header_alone(site_a):
    lines = parsed(recall.export_csv(site_a.actor(Role.OWNER), "device", "NOPE"))
    assert lines == [list(recall.EXPORT_HEADER)]


def test_an_unknown_kind_is_refused(site_a):
    with pytest.raises(InvalidInputError) as invalid:
        recall.export_csv(site_a.actor(Role.OWNER), "batch", LOT)
    assert invalid.value.first.where == "kind"


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+34 600", "'+34 600"),
        ("-5", "'-5"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        (42, "42"),
    ],
)
def test_safe_cell(value, cell):
    assert safe_cell(value) == cell


def test_csv_text_makes_the_header_safe_too():
    assert not csv_text(["a"], []).startswith("\ufeff")  # the mark only when asked for
    assert parsed(csv_text(["=a", "b"], [[1, "-2"]], bom=True)) == [["'=a", "b"], ["1", "'-2"]]


@pytest.mark.parametrize(("length", "text"), [("0.50", "0.5"), ("1.00", "1"), ("10.00", "10"), ("2.25", "2.25")])
def test_zone_lengths_are_shown_without_trailing_zeros(length, text):
    assert ZoneTreated("cheeks", Decimal(length)).length_text == text


# --- contact marks ---


def test_marking_adds_each_client_once_and_again_adds_only_new_clients(site_a, lot_a, builder_a):
    nurse = site_a.actor(Role.NURSE)
    seq = last_seq()
    assert recall.mark_for_contact(nurse, "lot", f" {LOT} ", "  Manufacturer recall notice 42  ") == 2
    contacts = list(RecallContact.objects.order_by("client_id"))
    assert [(c.client_id, c.kind, c.key, c.reason) for c in contacts] == [
        (lot_a["ada"].pk, "lot", LOT, "Manufacturer recall notice 42"),
        (lot_a["ben"].pk, "lot", LOT, "Manufacturer recall notice 42"),
    ]
    assert {c.marked_by_id for c in contacts} == {site_a.members[Role.NURSE].user_id}
    rows = rows_after(seq)
    assert [summary(r) for r in rows] == [
        expected(nurse, "create", "recall_contact", contacts[0].pk, client_id=lot_a["ada"].pk),
        expected(nurse, "create", "recall_contact", contacts[1].pk, client_id=lot_a["ben"].pk),
        expected(nurse, "create", "recall"),
    ]
    assert rows[-1].detail == {"kind": "lot", "key": LOT, "marked": 2}
    assert recall.mark_for_contact(nurse, "lot", LOT, "Manufacturer recall notice 42") == 0
    assert RecallContact.objects.count() == 2
    newcomer = builder_a.client("Cy", "Newcomer")
    builder_a.session(newcomer, lot=LOT, serial="0004", performed_at=at(20))
    assert recall.mark_for_contact(site_a.actor(Role.OWNER), "lot", LOT, "Manufacturer recall notice 42") == 1
    assert RecallContact.objects.count() == 3
    found = recall.by_lot(nurse, LOT)
    assert all(r.marked and not r.contacted for r in found.rows)


def test_the_same_client_is_marked_once_per_lot_and_once_per_device(site_a, lot_a):
    nurse = site_a.actor(Role.NURSE)
    recall.mark_for_contact(nurse, "lot", LOT, "Manufacturer recall notice 42")
    assert recall.mark_for_contact(nurse, "device", "PEN-0002", "Pen returned for a faulty motor") == 1
    assert RecallContact.objects.filter(client=lot_a["ada"]).count() == 2


@pytest.mark.usefixtures("lot_a")
def test_marking_never_touches_another_clinics_clients(site_a, builder_b):
    builder_b.session(builder_b.client("Mallory", "Stranger"), lot=LOT, serial="0001", performed_at=at(1))
    assert recall.mark_for_contact(site_a.actor(Role.PROVIDER), "lot", LOT, "Manufacturer recall notice 42") == 2
    assert set(RecallContact.objects.values_list("clinic_id", flat=True)) == {site_a.clinic.pk}


@pytest.mark.parametrize(
    ("reason", "message"),
    [("too short", "give the reason in at least 10 characters"), ("x" * 2001, "at most 2000 characters")],
)
@pytest.mark.usefixtures("lot_a")
def test_marking_needs_a_reason_of_10_to_2000_characters(site_a, reason, message):
    with pytest.raises(InvalidInputError) as invalid:
        recall.mark_for_contact(site_a.actor(Role.NURSE), "lot", LOT, reason)
    assert (invalid.value.first.where, invalid.value.first.message) == ("reason", message)
    assert not RecallContact.objects.exists()


def test_marking_a_lot_nobody_was_treated_with_marks_nobody(site_a):
    assert recall.mark_for_contact(site_a.actor(Role.NURSE), "lot", "UNUSED", "Manufacturer recall notice 42") == 0


def test_a_contacted_client_is_noted_once_with_how_they_were_reached(site_a, lot_a):
    nurse = site_a.actor(Role.NURSE)
    recall.mark_for_contact(nurse, "lot", LOT, "Manufacturer recall notice 42")
    contact = RecallContact.objects.get(client=lot_a["ben"])
    seq = last_seq()
    done = recall.mark_contacted(nurse, contact.pk, "  Phoned, no symptoms  ")
    stored = RecallContact.objects.get(pk=contact.pk)
    assert stored.contacted_at is not None
    assert (stored.contacted_by_id, stored.contact_note) == (site_a.members[Role.NURSE].user_id, "Phoned, no symptoms")
    assert done.pk == contact.pk
    (row,) = rows_after(seq)
    assert summary(row) == expected(nurse, "update", "recall_contact", contact.pk, client_id=lot_a["ben"].pk)
    with pytest.raises(ConflictError):
        recall.mark_contacted(nurse, contact.pk, "Phoned again")
    assert RecallContact.objects.get(pk=contact.pk).contact_note == "Phoned, no symptoms"


@pytest.mark.parametrize(("note", "where"), [("   ", "note"), ("n" * 2001, "note")])
@pytest.mark.usefixtures("lot_a")
def test_a_contact_note_is_required_and_bounded(site_a, note, where):
    nurse = site_a.actor(Role.NURSE)
    recall.mark_for_contact(nurse, "lot", LOT, "Manufacturer recall notice 42")
    contact = RecallContact.objects.first()
    with pytest.raises(InvalidInputError) as invalid:
        recall.mark_contacted(nurse, contact.pk, note)
    assert invalid.value.first.where == where


@pytest.mark.usefixtures("lot_a")
def test_another_clinics_contact_is_not_found_and_the_attempt_recorded(site_a, site_b):
    recall.mark_for_contact(site_a.actor(Role.NURSE), "lot", LOT, "Manufacturer recall notice 42")
    contact = RecallContact.objects.first()
    intruder = site_b.actor(Role.PROVIDER)
    seq = last_seq()
    with pytest.raises(NotFoundError) as missing:
        recall.mark_contacted(intruder, contact.pk, "Phoned")
    assert "Byron" not in str(missing.value)
    (row,) = rows_after(seq)
    assert summary(row) == expected(intruder, "not_found", "recall_contact", contact.pk, outcome="denied")
    assert RecallContact.objects.get(pk=contact.pk).contacted_at is None
    with pytest.raises(NotFoundError):
        recall.mark_contacted(intruder, 999_999, "Phoned")


def test_open_contacts_lists_the_clinics_outstanding_contacts_oldest_first(site_a, site_b, lot_a, builder_b):
    nurse = site_a.actor(Role.NURSE)
    recall.mark_for_contact(nurse, "lot", LOT, "Manufacturer recall notice 42")
    recall.mark_for_contact(nurse, "device", "PEN-0002", "Pen returned for a faulty motor")
    builder_b.session(builder_b.client("Mallory", "Stranger"), lot=LOT, serial="1", performed_at=at(1))
    recall.mark_for_contact(site_b.actor(Role.NURSE), "lot", LOT, "Manufacturer recall notice 42")
    ada_lot = RecallContact.objects.get(client=lot_a["ada"], kind="lot")
    recall.mark_contacted(nurse, ada_lot.pk, "Phoned")
    seq = last_seq()
    outstanding = recall.open_contacts(site_a.actor(Role.OWNER))
    shown = [(c.client_id, c.kind, c.key) for c in outstanding.contacts]
    assert shown == [(lot_a["ben"].pk, "lot", LOT), (lot_a["ada"].pk, "device", "PEN-0002")]
    assert outstanding.total == 2
    assert outstanding.contacts[0].client.family_name == "Crane"
    (row,) = rows_after(seq)
    assert summary(row) == expected(site_a.actor(Role.OWNER), "read", "recall_contact")
    assert row.detail == {"shown": [c.pk for c in outstanding.contacts]}
