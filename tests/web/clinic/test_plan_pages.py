"""Treatment plan pages: the new-plan form with the knowledge base's ranges, a plan, closing it."""

from __future__ import annotations

import re
from datetime import date
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from clinic.treatment_support import plan, staff_actor
from needlewise.bootstrap import knowledge_base
from needlewise.clinic.clients import clients
from needlewise.clinic.clients.client_form import ClientDetails
from needlewise.clinic.records import screenings
from needlewise.domain.permissions import Role
from needlewise.domain.vocabulary import Lang
from needlewise.storage.models import PlanZone, TreatmentPlan
from web.clinic.support import Site, body, signed_in, staff_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def kb():
    return knowledge_base()


def new_url(site: Site) -> str:
    return f"/clinic/clients/{site.client.pk}/plans/new/"


def plan_data(**changes) -> dict[str, object]:
    data: dict[str, object] = {"goals": ["texture"], "zone_cheeks": "1.0", "sessions_planned": "3", "notes": ""}
    data.update(changes)
    return data


def test_the_form_shows_ranges_with_sources_and_the_scope(site_a: Site, kb):
    response = staff_client(site_a.members[Role.AESTHETICIAN]).get(new_url(site_a))
    assert response.status_code == 200
    page = body(response)
    texture = kb.treatment.range_for("texture")
    assert "Needle length: 0.5\N{EN DASH}1.5 mm" in page
    assert texture.note.en in page
    assert f'href="/sources/#{texture.citations[0]}"' in page
    assert "no confirmed range" in page  # scars, stretch marks ...
    assert "needles up to 0.5 mm without a provider's order" in page
    under_eye = next(n for n in kb.treatment.zone_notes if n.zone == "under_eye")
    assert under_eye.text.en in page
    assert 'name="zone_cheeks"' in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert "the knowledge base's ranges below are the limit" in body(
        staff_client(site_a.members[Role.NURSE]).get(new_url(site_a))
    )


def test_saving_a_plan_shows_lengths_interval_and_warnings(site_a: Site, kb):
    client = staff_client(site_a.members[Role.NURSE])
    data = plan_data(zone_forehead="0,75", zone_nose=" ", products=["vitamin_c_serum"], notes="Gentle start.")
    response = client.post(new_url(site_a), data)
    saved = TreatmentPlan.objects.get(client=site_a.client)
    assert response.status_code == 302
    assert response["Location"] == f"/clinic/plans/{saved.pk}/"
    assert {z.zone: str(z.length_mm) for z in PlanZone.objects.filter(plan=saved)} == {
        "cheeks": "1.00",
        "forehead": "0.75",
    }
    page = body(client.get(response["Location"]))
    assert "Needle length" in page
    assert "1 mm" in page
    assert "0.75 mm" in page
    assert "28 days" in page
    rule = next(r for r in kb.treatment.intervals if r.goal == "texture" and r.up_to_mm is None)
    assert rule.note.en in page
    assert f'href="/sources/#{rule.citations[0]}"' in page
    flag = next(f for f in kb.treatment.product_flags if f.product == "vitamin_c_serum")
    assert flag.warning.text.en in page
    assert f'href="/sources/#{flag.warning.citations[0]}"' in page
    assert "Gentle start." in page
    assert f'action="/clinic/plans/{saved.pk}/close/"' in page
    assert "depth" not in page.lower().replace("needle lengths are lengths, not the depth", "")


def test_a_plan_without_warnings_says_none(site_a: Site, kb):
    made = plan(site_a, kb)
    page = body(staff_client(site_a.members[Role.OWNER]).get(f"/clinic/plans/{made.pk}/"))
    assert "None: the lengths are within the knowledge base" in page
    assert "Close this plan" not in page  # the owner does not treat


def test_an_aesthetician_is_told_next_to_the_zone_that_075_mm_is_above_their_scope(site_a: Site):
    response = staff_client(site_a.members[Role.AESTHETICIAN]).post(new_url(site_a), plan_data(zone_cheeks="0.75"))
    assert response.status_code == 422
    page = body(response)
    assert (
        'id="f-zone-cheeks-error-1">0.75 mm is above your scope as aesthetician (0.5 mm); '
        "a nurse or provider must plan this zone<" in page
    )
    assert 'value="0.75"' in page
    assert 'id="goal-texture" name="goals" value="texture" checked' in page
    assert not TreatmentPlan.objects.exists()


def test_acne_scars_at_25_mm_are_refused_next_to_the_zone(site_a: Site):
    data = plan_data(goals=["acne_scars"], zone_cheeks="2.5")
    page = body(staff_client(site_a.members[Role.PROVIDER]).post(new_url(site_a), data))
    assert "2.5 mm is above the longest needle the knowledge base reports for Acne scars (2 mm)" in page
    assert not TreatmentPlan.objects.exists()


@pytest.mark.parametrize(
    ("changes", "anchor", "message", "link"),
    [
        (
            {"zone_cheeks": "deep"},
            'id="f-zone-cheeks-error-1"',
            "enter a needle length from 0.1 to 3.0 mm",
            ("f-zone-cheeks", "Cheeks"),
        ),
        ({"goals": []}, "", "choose at least one goal", ("goal-", "Goals")),
        ({"zone_cheeks": ""}, "", "enter a needle length for at least one zone", ("f-zone-", "Needle length")),
        (
            {"sessions_planned": "many"},
            'id="f-sessions_planned-error-1"',
            "plan from 1 to 20 sessions",
            ("f-sessions_planned", "Sessions planned"),
        ),
        ({"products": ["snail"]}, "", "unknown product &#39;snail&#39;", ("product-", "Products applied")),
    ],
)
def test_invalid_fields_are_explained(site_a: Site, changes, anchor, message, link):
    response = staff_client(site_a.members[Role.NURSE]).post(new_url(site_a), plan_data(**changes))
    assert response.status_code == 422
    page = body(response)
    assert message in page
    assert anchor in page
    assert "Traceback" not in page
    assert not TreatmentPlan.objects.exists()
    # the error summary at the top links to the field in error, by its label, and that element exists
    summary = re.search(r'<div class="error-summary".*?</div>', page, re.DOTALL)
    assert summary, "no error summary"
    target, label = link
    found = re.search(
        rf'<a href="#({re.escape(target)}[\w-]*)">{re.escape(label)}[^<]*: {re.escape(message)}', summary[0]
    )
    assert found, summary[0]
    assert f'id="{found[1]}"' in page


def test_an_unscreened_client_is_sent_to_screening_first(site_a: Site):
    new = clients.create(
        staff_actor(site_a, Role.FRONT_DESK), ClientDetails("Newt", "Unscreened", site_a.client.birth_date)
    )
    response = staff_client(site_a.members[Role.NURSE]).post(f"/clinic/clients/{new.pk}/plans/new/", plan_data())
    assert response.status_code == 409
    page = body(response)
    assert "screen the client first" in page
    assert 'value="1.0"' in page  # what was typed is kept
    assert not TreatmentPlan.objects.exists()


def test_closing_a_plan(site_a: Site, kb):
    made = plan(site_a, kb)
    client = staff_client(site_a.members[Role.NURSE])
    response = client.post(f"/clinic/plans/{made.pk}/close/")
    assert response.status_code == 302
    assert response["Location"] == f"/clinic/plans/{made.pk}/"
    page = body(client.get(response["Location"]))
    closed_at = TreatmentPlan.objects.get(pk=made.pk).closed_at
    assert closed_at is not None
    madrid = closed_at.astimezone(ZoneInfo("Europe/Madrid"))  # the site's clinic is in Madrid
    assert f"closed {madrid.strftime('%Y-%m-%d %H:%M %Z')}" in page
    assert "Close this plan" not in page
    again = client.post(f"/clinic/plans/{made.pk}/close/")
    assert again.status_code == 409
    assert "this plan is already closed" in body(again)
    assert client.get(f"/clinic/plans/{made.pk}/close/").status_code == 405


def test_plans_are_for_clinical_staff_of_the_clinic(site_a: Site, site_b: Site, kb):
    theirs = plan(site_b, kb)
    own = plan(site_a, kb)
    front_desk = staff_client(site_a.members[Role.FRONT_DESK])
    assert front_desk.get(new_url(site_a)).status_code == 403
    assert front_desk.get(f"/clinic/plans/{own.pk}/").status_code == 403
    assert front_desk.post(f"/clinic/plans/{own.pk}/close/").status_code == 403
    owner = staff_client(site_a.owner)
    assert owner.get(new_url(site_a)).status_code == 403
    nurse = staff_client(site_a.members[Role.NURSE])
    assert nurse.get(new_url(site_b)).status_code == 404
    assert nurse.post(new_url(site_b), plan_data()).status_code == 404
    assert nurse.get(f"/clinic/plans/{theirs.pk}/").status_code == 404
    assert nurse.post(f"/clinic/plans/{theirs.pk}/close/").status_code == 404
    assert TreatmentPlan.objects.get(pk=theirs.pk).status == "active"


def test_the_plan_page_in_spanish_uses_the_knowledge_bases_spanish_text(site_a: Site, kb):
    made = plan(site_a, kb, products=("vitamin_c_serum",))
    spanish = signed_in(Client(HTTP_ACCEPT_LANGUAGE="es"), site_a.members[Role.NURSE])
    page = body(spanish.get(f"/clinic/plans/{made.pk}/"))
    flag = next(f for f in kb.treatment.product_flags if f.product == "vitamin_c_serum")
    assert flag.warning.text.es in page
    assert kb.vocabulary["areas"]["cheeks"].label.es in page
    assert kb.vocabulary["goals"]["texture"].label.es in page
    client = site_a.client
    name = f"{client.given_name} {client.family_name}"
    assert f'Plan de tratamiento de <a href="/clinic/clients/{client.pk}/">{name}</a>' in page
    assert f"por {made.created_by.staff.display_name}" in page
    assert f"base de conocimiento {made.kb_version}" in page
    assert "evidencia: baja." in page  # the interval rules' confidence, in words
    assert "evidence: " not in page
    assert "evidencia: low" not in page


def test_the_new_plan_form_in_spanish_words_the_confidence(site_a: Site):
    spanish = signed_in(Client(HTTP_ACCEPT_LANGUAGE="es"), site_a.members[Role.NURSE])
    page = body(spanish.get(new_url(site_a)))
    client = site_a.client
    assert f'Nuevo plan de tratamiento de <a href="/clinic/clients/{client.pk}/">' in page
    assert "evidencia: baja." in page
    assert "evidencia: moderada." in page  # acne scars, hair loss
    for code in ("evidencia: low", "evidencia: moderate"):
        assert code not in page


def test_a_plan_whose_knowledge_base_entries_are_gone_still_shows(site_a: Site, kb):
    made = plan(site_a, kb)
    gone = {"code": "retired_check", "level": "warn", "details": {}, "citations": ["retired-source"]}
    TreatmentPlan.objects.filter(pk=made.pk).update(findings=[gone], goals=["texture", "retired_goal"])
    PlanZone.objects.create(plan=made, zone="retired_zone", length_mm="0.50")
    page = body(staff_client(site_a.members[Role.NURSE]).get(f"/clinic/plans/{made.pk}/"))
    assert "retired_check" in page
    assert "retired-source" in page
    assert "retired_goal" in page
    assert "retired_zone" in page


def test_numbers_in_a_spanish_error_are_written_with_a_comma(site_a: Site):
    spanish = signed_in(Client(HTTP_ACCEPT_LANGUAGE="es"), site_a.members[Role.AESTHETICIAN])
    response = spanish.post(new_url(site_a), plan_data(zone_cheeks="0.75"))
    assert response.status_code == 422
    page = body(response)
    error = page[page.index('id="f-zone-cheeks-error-1">') :].split("<", 1)[0]
    assert "0,75 mm" in error
    assert "(0,5 mm)" in error
    assert "0.75" not in error
    assert 'value="0.75"' in page  # what was typed goes back as it was typed


def test_a_new_plan_offers_the_screenings_goals_products_and_areas_to_check(site_a: Site, kb):
    nurse = site_a.members[Role.NURSE]
    client = clients.create(staff_actor(site_a, Role.NURSE), ClientDetails("Screened", "Planning", date(1990, 1, 2)))
    before = body(staff_client(nurse).get(f"/clinic/clients/{client.pk}/plans/new/"))
    assert "come from the screening" not in before
    assert not re.search(r'name="goals" value="[a-z_]+" checked', before)
    profile = {"setting": "clinic", "age": 30, "goals": ["texture"], "areas": ["forehead"]}
    screenings.record(
        staff_actor(site_a, Role.NURSE),
        client_id=client.pk,
        profile=profile | {"planned_products": ["hyaluronic_acid"]},
        kb=kb,
        lang=Lang.EN,
    )
    page = body(staff_client(nurse).get(f"/clinic/clients/{client.pk}/plans/new/"))
    assert "The goals, products and areas ticked or marked below come from the screening of" in page
    assert re.findall(r'name="goals" value="([a-z_]+)" checked', page) == ["texture"]
    assert re.findall(r'name="products" value="([a-z_]+)" checked', page) == ["hyaluronic_acid"]
    assert 'id="f-zone-forehead-screened"' in page
    assert 'id="f-zone-cheeks-screened"' not in page
    assert 'name="zone_forehead" value=""' in page  # lengths are the practitioner's to enter
    spanish = body(signed_in(Client(HTTP_ACCEPT_LANGUAGE="es"), nurse).get(f"/clinic/clients/{client.pk}/plans/new/"))
    assert "Una zona indicada en la evaluación previa." in spanish
