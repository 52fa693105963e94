"""The booking form's one declaration: what it reads from a post, what it shows again, what it parses."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from django.http import QueryDict

from needlewise.clinic.local_time import SKIPPED, ClinicClock
from needlewise.clinic.scheduling import appointments
from needlewise.clinic.scheduling.appointments import BookingFields, BookingForm

TEMPLATE = Path(appointments.__file__).parents[2] / "web" / "templates" / "clinic" / "schedule_book.html"
NOW = datetime(2031, 6, 15, 9, 0, tzinfo=UTC)
MADRID = ClinicClock.named("Europe/Madrid")


def test_a_booking_is_read_by_the_declaration_as_a_time_on_the_clinic_s_clock() -> None:
    form = appointments.read(QueryDict("practitioner=+7+&date=2031-06-20&time=+10:30&minutes=45&x=1"))
    wall_clock = datetime(2031, 6, 20, 10, 30)  # noqa: DTZ001 - naive: book() reads it in the clinic's zone
    assert form == BookingForm(7, wall_clock, 45)


def test_what_is_not_a_date_a_time_or_a_number_is_read_as_none() -> None:
    for post in ("date=20/06/2031&time=10:30", "date=2031-06-20&time=half+past+ten", "time=10:30", ""):
        assert appointments.read(QueryDict(post)).starts_at is None
    assert appointments.read(QueryDict("practitioner=nurse&minutes=²")) == BookingForm(None, None, None)


def test_the_values_shown_again_are_as_posted() -> None:
    assert appointments.echo(QueryDict("date=soon&minutes=x")) == {
        "practitioner": "",
        "date": "soon",
        "time": "",
        "minutes": "x",
    }


def test_every_declared_field_is_on_the_page_and_every_field_on_the_page_is_declared() -> None:
    page = TEMPLATE.read_text(encoding="utf-8")
    on_page = set(re.findall(r'name="([a-z_]+)"', page)) | set(re.findall(r'field\("([a-z_]+)"', page))
    assert on_page == set(BookingFields.model_fields)


def test_every_problem_is_worded_and_named_in_the_form_s_order() -> None:
    problems, _ = appointments.booking_problems(None, NOW.replace(hour=8), 14, MADRID, NOW)
    assert [(p.where, p.message) for p in problems] == [
        ("practitioner", "choose a practitioner"),
        ("starts_at", "the appointment must be in the future"),
        ("minutes", "between 15 and 480 minutes"),
    ]
    missing, _ = appointments.booking_problems(3, None, None, MADRID, NOW)
    assert [(p.where, p.message) for p in missing] == [
        ("starts_at", "enter the date and time"),
        ("minutes", "between 15 and 480 minutes"),
    ]


def test_a_time_without_an_offset_is_read_on_the_clinic_s_clock() -> None:
    wall_clock = datetime(2031, 6, 20, 10, 0)  # noqa: DTZ001 - read in Europe/Madrid (summer: UTC+2)
    problems, starts_at = appointments.booking_problems(3, wall_clock, 60, MADRID, NOW)
    assert problems == []
    assert starts_at == datetime(2031, 6, 20, 8, 0, tzinfo=UTC)


def test_a_time_the_clocks_skip_is_named_with_the_other_problems() -> None:
    skipped = datetime(2031, 3, 30, 2, 30)  # noqa: DTZ001 - Madrid goes from 02:00 to 03:00 that night
    problems, starts_at = appointments.booking_problems(None, skipped, 60, MADRID, NOW.replace(year=2030))
    assert starts_at is None
    assert [(p.where, p.template) for p in problems] == [("practitioner", None), ("starts_at", SKIPPED)]
    assert problems[1].message == (
        "There is no 02:30 on 2031-03-30 in Europe/Madrid: the clocks go forward that night. Choose another time."
    )
