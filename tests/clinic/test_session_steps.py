"""Check, then treat, then record: the session's time in the clinic's zone, step 1 alone, what the form offers."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from clinic.treatment_support import Ready, form, plan, ready_client
from needlewise.clinic.records import plans
from needlewise.clinic.treatment import recording, session_form, session_time, sessions
from needlewise.clinic.treatment.session_form import Clock
from needlewise.clinic.treatment.session_time import Performed
from needlewise.domain.permissions import Role
from needlewise.domain.treatment import CheckCode
from needlewise.errors import InvalidInputError, Problem, SessionBlockedError
from needlewise.storage.models import Client, TreatmentSession

MADRID = ZoneInfo("Europe/Madrid")
NOON_UTC = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)  # 14:00 in Madrid (summer time, UTC+2)


def _moment(day: date | None, at: time | None, now: datetime = NOON_UTC) -> tuple[datetime | None, list[Problem]]:
    problems: list[Problem] = []
    return session_time.moment(Performed(day, at), MADRID, now, problems), problems


def test_a_time_in_the_clinics_zone_is_stored_in_utc_on_either_side_of_daylight_saving() -> None:
    assert _moment(date(2026, 7, 1), time(10, 0)) == (datetime(2026, 7, 1, 8, 0, tzinfo=UTC), [])
    winter_now = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    assert _moment(date(2026, 12, 1), time(10, 0), winter_now) == (datetime(2026, 12, 1, 9, 0, tzinfo=UTC), [])


def test_now_to_the_minute_and_an_earlier_day_are_accepted() -> None:
    assert _moment(date(2026, 7, 1), time(14, 0)) == (NOON_UTC, [])
    assert _moment(date(2025, 1, 31), time(23, 59))[0] == datetime(2025, 1, 31, 22, 59, tzinfo=UTC)


def test_a_later_day_is_refused_at_the_date_with_todays_date() -> None:
    instant, problems = _moment(date(2026, 7, 2), time(9, 0))
    assert instant is None
    assert problems == [
        Problem.worded("performed_date", "a session cannot be in the future: today is %(today)s", today="2026-07-01")
    ]


def test_a_later_time_today_is_refused_at_the_time_with_the_clinics_time_now() -> None:
    instant, problems = _moment(date(2026, 7, 1), time(14, 1))
    assert instant is None
    assert [(p.where, p.message) for p in problems] == [
        ("performed_time", "a session cannot be in the future: it is 14:00 now")
    ]


def test_an_empty_date_and_time_are_named_each_at_its_field() -> None:
    instant, problems = _moment(None, None)
    assert instant is None
    assert [(p.where, p.message) for p in problems] == [
        ("performed_date", "enter the date of the session as YYYY-MM-DD"),
        ("performed_time", "enter the time of the session as HH:MM (24-hour)"),
    ]
    assert [p.where for p in _moment(date(2026, 7, 1), None)[1]] == ["performed_time"]


def test_now_is_the_clinics_date_and_time_and_a_time_the_clocks_skip_is_refused() -> None:
    assert session_time.local_now(MADRID, NOON_UTC) == Performed(date(2026, 7, 1), time(14, 0))
    instant, problems = _moment(date(2026, 3, 29), time(2, 30))  # Madrid: 02:00 -> 03:00 that night
    assert instant is None
    assert [(p.where, p.message) for p in problems] == [
        (
            "performed_time",
            "There is no 02:30 on 2026-03-29 in Europe/Madrid: the clocks go forward that night. Choose another time.",
        )
    ]


def test_step_one_is_validated_without_the_treatments_fields(kb) -> None:
    checked_only = session_form.SessionForm(
        plan_id=1,
        device_model="Pen P4",
        device_kind="pen",
        device_serial="",
        cartridge_lot="LOT",
        cartridge_serial="SN",
        cartridge_expiry=date(2030, 1, 1),
        zones={"cheeks": "1.0"},
        passes="",
        end_point="",
        performed=Performed(date(2026, 7, 1), time(9, 30)),
    )
    clock = Clock(MADRID, NOON_UTC)
    valid = session_form.validate(checked_only, kb, {"cheeks": Decimal("1.0")}, clock, treatment=False)
    assert (valid.performed_at, valid.zones, valid.passes) == (
        datetime(2026, 7, 1, 7, 30, tzinfo=UTC),
        {"cheeks": Decimal("1.0")},
        None,
    )
    with pytest.raises(InvalidInputError) as refused:
        session_form.validate(checked_only, kb, {"cheeks": Decimal("1.0")}, clock)
    assert [p.where for p in refused.value.problems] == ["passes", "end_point"]


def test_a_future_session_is_refused_with_the_other_fields_wrong(kb) -> None:
    tomorrow = session_form.SessionForm(
        plan_id=1,
        device_model="",
        device_kind="pen",
        device_serial="",
        cartridge_lot="LOT",
        cartridge_serial="SN",
        cartridge_expiry=date(2030, 1, 1),
        zones={"cheeks": "1.0"},
        passes="",
        end_point="",
        performed=Performed(date(2026, 7, 2), time(9, 30)),
    )
    with pytest.raises(InvalidInputError) as refused:
        session_form.validate(tomorrow, kb, {"cheeks": Decimal("1.0")}, Clock(MADRID, NOON_UTC), treatment=False)
    assert [p.where for p in refused.value.problems] == ["device_model", "performed_date"]


@pytest.fixture
def ready(site_a, kb) -> Ready:
    return ready_client(site_a, kb)


def _madrid(instant: datetime) -> Performed:
    here = instant.astimezone(MADRID)
    return Performed(here.date(), here.time().replace(second=0, microsecond=0))


@pytest.mark.django_db
def test_a_session_recorded_afterwards_keeps_when_it_took_place(site_a, kb):
    with time_machine.travel(datetime(2026, 12, 1, 8, 0, tzinfo=UTC), tick=False):
        ready = ready_client(site_a, kb, name="Earlier")  # screened and signed on 1 December at 09:00 in Madrid
    with time_machine.travel(datetime(2026, 12, 3, 17, 0, tzinfo=UTC), tick=False):
        took_place = Performed(date(2026, 12, 2), time(10, 15))  # recorded a day later
        done = recording.record(site_a.actor(Role.NURSE), ready.client.pk, form(ready, performed=took_place), kb)
    assert done.session is not None
    stored = TreatmentSession.objects.get(pk=done.session.pk)
    assert stored.performed_at == datetime(2026, 12, 2, 9, 15, tzinfo=UTC)


@pytest.mark.django_db
def test_a_session_before_the_screening_and_the_signature_is_not_covered_by_them(ready, kb):
    earlier = _madrid(timezone.now() - timedelta(hours=3))
    with pytest.raises(SessionBlockedError) as refused:
        recording.record(ready.site.actor(Role.NURSE), ready.client.pk, form(ready, performed=earlier), kb)
    assert [c.code for c in refused.value.checks] == [CheckCode.SCREENING_PRESENT, CheckCode.CONSENT_CURRENT]
    assert TreatmentSession.objects.count() == 0


@pytest.mark.django_db
def test_checking_reads_step_one_only_and_a_future_time_is_refused(ready, kb):
    nurse = ready.site.actor(Role.NURSE)
    outcome = recording.check(nurse, ready.client.pk, form(ready, passes="", end_point=""), kb)
    assert outcome.blocked == ()
    tomorrow = _madrid(timezone.now() + timedelta(days=1))
    with pytest.raises(InvalidInputError) as refused:
        recording.check(nurse, ready.client.pk, form(ready, performed=tomorrow), kb)
    assert [p.where for p in refused.value.problems] == ["performed_date"]


@pytest.mark.django_db
def test_the_form_offers_now_the_planned_lengths_and_the_practitioners_last_device_and_lot(ready, kb):
    nurse, provider = ready.site.actor(Role.NURSE), ready.site.actor(Role.PROVIDER)
    now = datetime(2026, 12, 6, 23, 30, tzinfo=UTC)  # already the 7th in Madrid
    first = sessions.first_values(sessions.start(nurse, ready.client.pk), now)
    assert first == {
        "performed_date": "2026-12-07",
        "performed_time": "00:30",
        "zone_cheeks": "1",
        "zone_forehead": "1",
    }
    done = recording.record(nurse, ready.client.pk, form(ready, device_serial="DEV-7", cartridge_lot="LOT-7"), kb)
    assert done.session is not None
    offered = sessions.first_values(sessions.start(nurse, ready.client.pk), now)
    assert {k: offered[k] for k in ("device_model", "device_kind", "device_serial", "cartridge_lot")} == {
        "device_model": "Pen P4",
        "device_kind": "pen",
        "device_serial": "DEV-7",
        "cartridge_lot": "LOT-7",
    }
    assert offered["cartridge_expiry"] == done.session.cartridge_expiry.isoformat()
    assert "cartridge_serial" not in offered  # a cartridge is used once
    assert "device_model" not in sessions.first_values(sessions.start(provider, ready.client.pk), now)


@pytest.mark.django_db
def test_the_treatment_step_offers_the_plans_products_and_the_clients_language(site_a, kb):
    nurse = site_a.actor(Role.NURSE)
    ready = ready_client(site_a, kb, name="Products")
    plans.close(nurse, ready.plan.pk)
    assert sessions.treatment_values(sessions.start(nurse, ready.client.pk), kb) == {
        "products_applied": (),
        "lang": "en",
    }  # no active plan: nothing offered
    plan(site_a, kb, client=ready.client, products=("hyaluronic_acid", "vitamin_c_serum"))
    Client.objects.filter(pk=ready.client.pk).update(language="es")
    assert sessions.treatment_values(sessions.start(nurse, ready.client.pk), kb) == {
        "products_applied": ("hyaluronic_acid", "vitamin_c_serum"),
        "lang": "es",
    }
