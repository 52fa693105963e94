"""The session page in steps: the day's checks first, the treatment only when they pass, an error summary."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone

from clinic.treatment_support import plan
from clinic_factories import SITE_TIME_ZONE
from needlewise.bootstrap import knowledge_base
from needlewise.clinic.records import plans
from needlewise.domain.permissions import Role
from needlewise.storage.models import TreatmentSession
from web.clinic.pages_support import ready_client, session_data
from web.clinic.support import actor_for, body, signed_in, staff_client

pytestmark = pytest.mark.django_db

STEP_ONE = ("device_model", "device_kind", "device_serial", "cartridge_lot", "cartridge_serial", "cartridge_expiry")
TREATMENT = ("passes", "end_point", "numbing_product", "pain_score", "notes", "lang")


def _step_one(**changes: object) -> dict[str, object]:
    """What step 1 posts: when, the device, the cartridge and the zones (no treatment field)."""
    data = session_data(action="check", **changes)
    return {k: v for k, v in data.items() if k not in TREATMENT}


def _inputs(page: str, kind: str) -> dict[str, str]:
    return dict(re.findall(rf'<input type="{kind}"[^>]*name="([a-z_]+)" value="([^"]*)"', page))


def test_the_form_opens_at_step_one_with_now_in_the_clinics_time_and_no_treatment_field(site_a):
    client = ready_client(site_a)
    before = timezone.now().astimezone(ZoneInfo(SITE_TIME_ZONE))
    page = body(staff_client(site_a.members[Role.NURSE]).get(reverse("clinic-session-new", args=[client.pk])))
    assert "Step 1 of 2: today's checks" in page
    assert f'name="performed_date" value="{before.date().isoformat()}"' in page
    assert re.search(r'name="performed_time" value="\d\d:\d\d"', page)
    assert "In the clinic's time (Europe/Madrid)" in page
    assert 'id="f-passes"' not in page
    assert 'id="f-end_point"' not in page
    assert "Record the session" not in page
    assert "There is a problem" not in page


def test_checks_that_block_show_why_and_what_to_do_and_never_the_treatment(site_a):
    client = ready_client(site_a)
    expired = (timezone.localdate() - timedelta(days=1)).isoformat()
    browser = staff_client(site_a.members[Role.NURSE])
    page = browser.post(reverse("clinic-session-new", args=[client.pk]), _step_one(cartridge_expiry=expired))
    text = body(page)
    assert page.status_code == 409
    assert "Do not treat: the session cannot go ahead" in text
    assert "Discard it and open a new sterile cartridge." in text
    assert '<li class="failed">✗ The cartridge expired' in text
    assert 'id="f-passes"' not in text
    assert "Record the session" not in text
    assert TreatmentSession.objects.count() == 0


def test_checks_that_pass_lead_to_the_treatment_with_the_plans_products_ticked(site_a):
    kb = knowledge_base()
    client = ready_client(site_a)
    nurse = actor_for(site_a.members[Role.NURSE])
    plans.close(nurse, plans.active_plan(site_a.clinic.pk, client.pk).pk)  # type: ignore[union-attr]
    plan(site_a, kb, client=client, products=("hyaluronic_acid",))
    browser = staff_client(site_a.members[Role.NURSE])
    page = browser.post(reverse("clinic-session-new", args=[client.pk]), _step_one())
    text = body(page)
    assert page.status_code == 200
    assert "Step 2 of 2: the treatment" in text
    assert 'id="f-passes"' in text
    assert re.search(r'value="hyaluronic_acid" id="f-products_applied-hyaluronic_acid" checked', text)
    assert not re.search(r'value="vitamin_c_serum"[^>]* checked', text)
    hidden = _inputs(text, "hidden")
    assert {k: hidden[k] for k in ("cartridge_lot", "cartridge_serial", "zone_cheeks")} == {
        "cartridge_lot": "LOT-PAGE",
        "cartridge_serial": "SN-PAGE-1",
        "zone_cheeks": "1.0",
    }
    assert 'id="f-cartridge_lot"' not in text  # what was checked is shown, not edited, at step 2
    assert "lot LOT-PAGE, serial SN-PAGE-1" in text
    assert TreatmentSession.objects.count() == 0


def test_change_goes_back_to_step_one_keeping_the_treatment_typed_so_far(site_a):
    client = ready_client(site_a)
    browser = staff_client(site_a.members[Role.NURSE])
    sent = session_data(action="change", passes="4", notes="calm", products_applied=["hyaluronic_acid"])
    text = body(browser.post(reverse("clinic-session-new", args=[client.pk]), sent))
    assert 'id="f-cartridge_lot"' in text
    assert 'id="f-passes"' not in text
    hidden = _inputs(text, "hidden")
    assert (hidden["passes"], hidden["notes"], hidden["products_applied"]) == ("4", "calm", "hyaluronic_acid")
    again = body(browser.post(reverse("clinic-session-new", args=[client.pk]), {**sent, "action": "check"}))
    assert re.search(r'<input type="number" id="f-passes" name="passes" value="4"', again)
    assert not re.search(r'value="vitamin_c_serum"[^>]* checked', again)


def test_a_future_date_is_refused_at_its_field_with_a_summary_that_links_to_it(site_a):
    client = ready_client(site_a)
    tomorrow = (timezone.now().astimezone(ZoneInfo(SITE_TIME_ZONE)) + timedelta(days=1)).date().isoformat()
    browser = staff_client(site_a.members[Role.NURSE])
    page = browser.post(
        reverse("clinic-session-new", args=[client.pk]), _step_one(performed_date=tomorrow, device_model="")
    )
    text = body(page)
    assert page.status_code == 422
    summary = re.search(r'<div class="error-summary".*?</div>', text, re.DOTALL)
    assert summary is not None
    assert "autofocus" in summary.group(0)
    links = re.findall(r'<a href="#(f-[a-z_]+)">([^<]*)</a>', summary.group(0))
    today = timezone.now().astimezone(ZoneInfo(SITE_TIME_ZONE)).date().isoformat()
    assert links == [
        ("f-performed_date", f"Date of the session: a session cannot be in the future: today is {today}"),
        ("f-device_model", "Device model: this field is required"),
    ]
    assert 'id="f-performed_date-error-1"' in text
    assert TreatmentSession.objects.count() == 0


def test_a_wrong_treatment_field_keeps_step_two_and_the_summary_links_to_it(site_a):
    client = ready_client(site_a)
    browser = staff_client(site_a.members[Role.NURSE])
    page = browser.post(reverse("clinic-session-new", args=[client.pk]), session_data(passes="zero"))
    text = body(page)
    assert page.status_code == 422
    assert "Step 2 of 2: the treatment" in text
    assert '<a href="#f-passes">Passes: enter a whole number from 1 to 20</a>' in text
    unknown = session_data(products_applied=["snake_oil"], zone_cheeks="", numbing_zones=["elbow"])
    text = body(browser.post(reverse("clinic-session-new", args=[client.pk]), unknown))
    assert "Step 1 of 2" in text  # a zone is step 1's
    assert '<a href="#f-zone_cheeks">' in text
    assert '<a href="#f-products_applied">' in text
    assert '<a href="#f-numbing_zones">' in text


def test_the_summary_and_the_time_messages_are_in_spanish(site_a):
    client = ready_client(site_a)
    spanish = signed_in(Browser(HTTP_ACCEPT_LANGUAGE="es"), site_a.members[Role.NURSE])
    tomorrow = (timezone.now().astimezone(ZoneInfo(SITE_TIME_ZONE)) + timedelta(days=1)).date().isoformat()
    text = body(spanish.post(reverse("clinic-session-new", args=[client.pk]), _step_one(performed_date=tomorrow)))
    assert "Hay un problema" in text
    assert "Fecha de la sesión: una sesión no puede estar en el futuro: hoy es" in text
    assert "Paso 1 de 2" in text
    blank = body(spanish.post(reverse("clinic-session-new", args=[client.pk]), _step_one(performed_time="")))
    assert "Hora de la sesión: escribe la hora de la sesión como HH:MM (24 horas)" in blank
