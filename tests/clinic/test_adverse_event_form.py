"""The adverse event forms' one declaration: what they read from a post, show again and parse."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from django.http import QueryDict

from needlewise.clinic.followup import adverse_events
from needlewise.clinic.followup.adverse_events import AdverseEventFields, AdverseEventForm, OutcomeFields

TEMPLATES = Path(adverse_events.__file__).parents[2] / "web" / "templates" / "clinic"


def _names(template: str) -> set[str]:
    page = (TEMPLATES / template).read_text(encoding="utf-8")
    return set(re.findall(r'name="([a-z_]+)"', page)) | set(re.findall(r'field\("([a-z_]+)"', page))


def test_a_report_is_read_by_the_declaration() -> None:
    post = QueryDict(
        "kind=pih&severity=mild&serious=1&onset_on=+2031-06-12+&outcome=ongoing&checkin=+42+&description=Dark&x=1"
    )
    assert adverse_events.read(post) == AdverseEventForm(
        kind="pih",
        severity="mild",
        serious=True,
        onset_on=date(2031, 6, 12),
        outcome="ongoing",
        description="Dark",
        checkin_id=42,
    )


def test_closing_the_alert_is_read_with_what_was_done() -> None:
    form = adverse_events.read(QueryDict("checkin=7&close_alert=1&alert_note=+Called+her+"))
    assert (form.checkin_id, form.close_alert, form.alert_note) == (7, True, " Called her ")
    assert adverse_events.read(QueryDict("checkin=7&alert_note=x")).close_alert is False


def test_a_box_not_ticked_with_1_a_date_that_is_not_one_and_no_check_in_are_read_as_such() -> None:
    form = adverse_events.read(QueryDict("serious=on&onset_on=12/06/2031&checkin=4x"))
    assert (form.serious, form.onset_on, form.checkin_id, form.kind) == (False, None, None, "")
    assert adverse_events.read(QueryDict("")).checkin_id is None


def test_the_values_shown_again_are_as_posted() -> None:
    assert adverse_events.echo(QueryDict("serious=1&checkin=7&onset_on=soon&close_alert=1&alert_note=Rang")) == {
        "kind": "",
        "severity": "",
        "outcome": "",
        "onset_on": "soon",
        "description": "",
        "serious": "1",
        "checkin": "7",
        "close_alert": "1",
        "alert_note": "Rang",
    }
    assert adverse_events.echo_outcome(QueryDict("outcome=resolved&note=ok")) == {"outcome": "resolved", "note": "ok"}


def test_every_declared_field_is_on_the_page_and_every_field_on_the_page_is_declared() -> None:
    assert _names("adverse_new.html") == set(AdverseEventFields.model_fields)
    assert _names("adverse_event.html") == set(OutcomeFields.model_fields)
