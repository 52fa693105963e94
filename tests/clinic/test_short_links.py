"""Short check-in codes for paper: their form, how they are read, their expiry and their clinic."""

from __future__ import annotations

import hashlib
import math
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from clinic.checkin_support import answer as answer_checkin
from clinic.followup_support import checkin_of, session_row, short_of
from clinic.support import expected, last_seq, rows_after, summary
from needlewise.clinic.access.actor import Actor
from needlewise.clinic.followup import checkins, short_links
from needlewise.clinic.followup.short_links import ALPHABET, LENGTH
from needlewise.domain.treatment import Triage
from needlewise.errors import NotFoundError
from needlewise.storage.models import CheckIn

pytestmark = pytest.mark.django_db

NOW = datetime(2031, 6, 15, 10, 0, tzinfo=UTC)  # 12:00 in Madrid, the fixture clinic's time zone
PUBLIC = Actor.anonymous("198.51.100.7", "req-short")


@pytest.fixture
def session(site_a, kb):
    with time_machine.travel(NOW, tick=False):
        return session_row(site_a, kb, performed_at=NOW - timedelta(hours=1))


def test_the_alphabet_leaves_out_look_alikes_and_the_code_is_hard_to_guess():
    assert len(set(ALPHABET)) == len(ALPHABET) == 30
    assert not set(ALPHABET) & set("01ILOUilou")
    assert set(ALPHABET) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")  # safe in a URL path as it is
    assert LENGTH >= 10
    assert LENGTH * math.log2(len(ALPHABET)) > 58  # bits: a million live codes, 2e-12 per guess


def test_each_checkin_has_its_own_code_recomputed_never_stored(session, settings):
    rows = list(CheckIn.objects.filter(session=session).order_by("day"))
    codes = [short_links.short_code(c) for c in rows]
    assert len(set(codes)) == 3
    for checkin, code in zip(rows, codes, strict=True):
        assert len(code) == LENGTH
        assert set(code) <= set(ALPHABET)
        assert checkin.short_digest == hashlib.sha256(code.encode()).hexdigest()
        assert code not in checkin.short_digest
        assert short_links.short_code(CheckIn.objects.get(pk=checkin.pk)) == code  # the same at any time
    settings.SECRET_KEY = "another secret key"  # noqa: S105 - a test key
    assert short_links.short_code(rows[0]) != codes[0]  # derived from the secret: not guessable from ids


def test_the_printed_form_groups_the_code_in_fours():
    assert short_links.grouped("7KQ4M9XWP2RT") == "7KQ4-M9XW-P2RT"


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("7KQ4-M9XW-P2RT", "7KQ4M9XWP2RT"),
        ("7kq4-m9xw-p2rt", "7KQ4M9XWP2RT"),
        ("7KQ4 M9XW P2RT", "7KQ4M9XWP2RT"),
        ("7KQ4M9XWP2RT", "7KQ4M9XWP2RT"),
        ("7KQ4-M9XW-P2R", None),  # a character short
        ("7KQ4-M9XW-P2RTA", None),  # one too many
        ("7KQ4-M9XW-P2R0", None),  # a zero: not in the alphabet
        ("7KQ4-M9XW-P2RO", None),  # an O
        ("7KQ4-M9XW-P2R1", None),  # a one
        ("", None),
    ],
)
def test_a_code_is_read_in_any_case_with_or_without_separators(typed, read):
    assert short_links.normalised(typed) == read


def test_the_short_code_opens_and_answers_the_checkin_and_is_audited(session, kb, site_a):
    checkin, printed = short_of(session, 3)
    seq = last_seq()
    with time_machine.travel(NOW + timedelta(days=3), tick=False):
        view = checkins.open_checkin(PUBLIC, printed, kb)
        assert (view.checkin_id, view.day, view.clinic_name) == (checkin.pk, 3, "Clinic Alpha")
        answered = answer_checkin(PUBLIC, printed.lower().replace("-", ""), {"fever_chills"}, kb)
    assert answered.triage is Triage.SEEK_CARE_NOW
    assert [summary(r) for r in rows_after(seq)] == [
        expected(PUBLIC, "read", "checkin", checkin.pk, client_id=site_a.client.pk, clinic_id=site_a.clinic.pk),
        expected(PUBLIC, "answer", "checkin", checkin.pk, client_id=site_a.client.pk, clinic_id=site_a.clinic.pk),
    ]
    assert all(printed not in str(r.detail) for r in rows_after(seq))


def test_the_code_expires_30_days_after_the_checkin_day_in_the_clinics_calendar(session, kb):
    checkin, printed = short_of(session, 1)
    _, token = checkin_of(session, 1)
    assert checkin.due_on == date(2031, 6, 16)
    assert short_links.valid_until(checkin.due_on) == date(2031, 7, 16)
    last_minute_in_madrid = datetime(2031, 7, 16, 21, 59, tzinfo=UTC)  # 23:59 on 16 July in Madrid
    with time_machine.travel(last_minute_in_madrid, tick=False):
        assert checkins.open_checkin(PUBLIC, printed, kb).day == 1
    seq = last_seq()
    with time_machine.travel(last_minute_in_madrid + timedelta(minutes=1), tick=False):  # 17 July in Madrid
        with pytest.raises(NotFoundError):
            checkins.open_checkin(PUBLIC, printed, kb)
        with pytest.raises(NotFoundError):
            answer_checkin(PUBLIC, printed, set(), kb)
        assert checkins.open_checkin(PUBLIC, token, kb).day == 1  # the full link keeps working
    assert [summary(r) for r in rows_after(seq)][:1] == [expected(PUBLIC, "not_found", "checkin", outcome="denied")]
    assert [r.action for r in rows_after(seq)].count("not_found") == 1  # one a window per address


def test_a_code_opens_only_its_own_clinics_checkin(site_a, site_b, kb):
    with time_machine.travel(NOW, tick=False):
        ours, theirs = session_row(site_a, kb), session_row(site_b, kb)
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        for session, clinic in ((ours, "Clinic Alpha"), (theirs, "Clinic Beta")):
            checkin, printed = short_of(session, 1)
            view = checkins.open_checkin(PUBLIC, printed, kb)
            assert (view.checkin_id, view.clinic_name) == (checkin.pk, clinic)
        # The code is minted for the check-in's clinic: the same check-in under another clinic has another
        # code, which opens nothing (a row moved or restored into another clinic keeps none of its links).
        checkin, _ = short_of(ours, 1)
        elsewhere = short_links.short_code(replace_clinic(checkin, site_b.clinic.pk))
        assert elsewhere != short_links.short_code(checkin)
        with pytest.raises(NotFoundError):
            checkins.open_checkin(PUBLIC, elsewhere, kb)


def replace_clinic(checkin: CheckIn, clinic_id: int) -> CheckIn:
    """An unsaved copy of ``checkin`` that names another clinic."""
    copy = CheckIn.objects.get(pk=checkin.pk)
    copy.clinic_id = clinic_id
    return copy
