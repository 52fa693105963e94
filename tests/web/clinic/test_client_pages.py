"""The workspace home, client search, adding, editing and archiving clients, and the client page."""

from __future__ import annotations

import pytest
from django.test import Client

from needlewise.domain.permissions import Role
from needlewise.storage.models import Client as ClientRow
from web.clinic.support import Site, signed_in, staff_client

pytestmark = pytest.mark.django_db

GOOD = {
    "given_name": "Newton",
    "family_name": "Figtree",
    "birth_date": "1985-01-02",
    "phone": "+44 20 7946 0018",
    "email": "newton@example.org",
    "contact_notes": "Prefers mornings.",
}


def page_of(response) -> str:
    return response.content.decode()


# --- home ---


def test_home_shows_recent_clients_and_the_waiting_requests_to_intake_roles(site_a: Site):
    page = page_of(staff_client(site_a.members[Role.NURSE]).get("/clinic/"))
    assert "Quixotelle, Zephyrine" in page
    assert "1 consultation request is waiting" in page
    assert 'href="/clinic/intake/"' in page


@pytest.mark.parametrize("role", [Role.AESTHETICIAN, Role.FRONT_DESK])
def test_home_hides_the_request_queue_from_roles_that_do_not_handle_it(site_a: Site, role):
    page = page_of(staff_client(site_a.members[role]).get("/clinic/"))
    assert "Quixotelle, Zephyrine" in page
    assert "consultation request" not in page
    assert 'href="/clinic/intake/"' not in page


def test_home_with_no_clients_says_so(site_a: Site):
    ClientRow.objects.filter(pk=site_a.client.pk).update(archived_at="2030-01-01T00:00:00Z")
    assert "No clients found." in page_of(staff_client(site_a.owner).get("/clinic/"))


def test_the_navigation_follows_the_role(site_a: Site):
    owner = page_of(staff_client(site_a.owner).get("/clinic/"))
    desk = page_of(staff_client(site_a.members[Role.FRONT_DESK]).get("/clinic/"))
    for link in ('href="/clinic/staff/"', 'href="/clinic/audit/"', 'href="/clinic/rescreen/"'):
        assert link in owner
        assert link not in desk
    assert 'action="/clinic/sign-out/"' in desk


# --- search ---


@pytest.mark.parametrize(
    "query",
    [
        "q=zeph",
        "q=QUIXO",
        "q=zeph+quix",
        "q=zeph%00quix",
        "birth_date=1990-05-17",
        "phone=%2B1+555-010",
        "q=zeph&birth_date=1990-05-17",
    ],
)
def test_search_finds_the_client(site_a: Site, query):
    response = staff_client(site_a.members[Role.FRONT_DESK]).get(f"/clinic/clients/?{query}")
    assert response.status_code == 200
    assert "Quixotelle, Zephyrine" in page_of(response)
    assert "Results" in page_of(response)


@pytest.mark.parametrize("query", ["q=nobody", "birth_date=1990-05-18", "phone=999", "q=zeph&phone=999"])
def test_search_without_a_match_says_so(site_a: Site, query):
    page = page_of(staff_client(site_a.members[Role.FRONT_DESK]).get(f"/clinic/clients/?{query}"))
    assert "No clients found." in page


def test_search_with_nothing_asked_lists_recent_clients(site_a: Site):
    page = page_of(staff_client(site_a.members[Role.FRONT_DESK]).get("/clinic/clients/"))
    assert "Recently added" in page
    assert "Quixotelle, Zephyrine" in page


def test_a_birth_date_that_is_not_a_date_is_refused_with_the_format(site_a: Site):
    response = staff_client(site_a.members[Role.FRONT_DESK]).get("/clinic/clients/?q=zeph&birth_date=17/05/1990")
    assert response.status_code == 422
    page = page_of(response)
    assert "Enter the date as YYYY-MM-DD." in page
    assert 'value="17/05/1990"' in page
    assert "Quixotelle, Zephyrine" not in page


def test_archived_clients_are_found_only_when_asked_for(site_a: Site):
    owner = staff_client(site_a.owner)
    owner.post(f"/clinic/clients/{site_a.client.pk}/archive/")
    assert "Quixotelle" not in page_of(owner.get("/clinic/clients/?q=zeph"))
    page = page_of(owner.get("/clinic/clients/?q=zeph&archived=1"))
    assert "Quixotelle, Zephyrine" in page
    assert "archived" in page


# --- adding and editing ---


def test_the_new_client_form_is_empty(site_a: Site):
    page = page_of(staff_client(site_a.members[Role.FRONT_DESK]).get("/clinic/clients/new/"))
    assert "Add a client" in page
    assert 'id="f-given_name" name="given_name" value=""' in page


def test_adding_a_client_opens_their_page(site_a: Site):
    client = staff_client(site_a.members[Role.FRONT_DESK])
    response = client.post("/clinic/clients/new/", GOOD)
    made = ClientRow.objects.get(family_name="Figtree")
    assert (response.status_code, response["Location"]) == (302, f"/clinic/clients/{made.pk}/")
    assert (made.clinic_id, made.phone_digits, made.contact_notes) == (
        site_a.clinic.pk,
        "442079460018",
        "Prefers mornings.",
    )
    page = page_of(client.get(response["Location"]))
    assert "Newton Figtree" in page
    assert "newton@example.org" in page


def test_a_refused_new_client_shows_each_error_by_its_field_and_keeps_the_values(site_a: Site):
    client = staff_client(site_a.members[Role.FRONT_DESK])
    data = {**GOOD, "family_name": " ", "birth_date": "1985-13-40", "email": "not-an-address", "phone": "call me"}
    response = client.post("/clinic/clients/new/", data)
    assert response.status_code == 422
    page = page_of(response)
    assert "Please correct the fields marked below." in page
    assert '<p class="error" id="f-family_name-error-1">this field is required</p>' in page
    assert '<p class="error" id="f-birth_date-error-1">enter the date of birth as YYYY-MM-DD</p>' in page
    assert 'id="f-email-error-1">enter an e-mail address like name@example.org' in page
    assert 'id="f-phone-error-1">enter a phone number' in page
    assert 'id="f-given_name" name="given_name" value="Newton"' in page
    assert 'value="not-an-address"' in page
    assert "Prefers mornings." in page
    assert not ClientRow.objects.filter(given_name="Newton").exists()


def test_a_birth_date_in_the_future_is_refused(site_a: Site):
    client = staff_client(site_a.members[Role.FRONT_DESK])
    response = client.post("/clinic/clients/new/", {**GOOD, "birth_date": "2999-01-01"})
    assert response.status_code == 422
    assert "the date of birth must be between 1900-01-01 and today" in page_of(response)


def test_the_edit_form_holds_the_current_details(site_a: Site):
    page = page_of(staff_client(site_a.members[Role.FRONT_DESK]).get(f"/clinic/clients/{site_a.client.pk}/edit/"))
    assert "Edit client" in page
    assert 'name="given_name" value="Zephyrine"' in page
    assert 'name="birth_date" value="1990-05-17"' in page
    assert f'href="/clinic/clients/{site_a.client.pk}/"' in page


def test_editing_a_client_changes_their_details(site_a: Site):
    client = staff_client(site_a.members[Role.FRONT_DESK])
    url = f"/clinic/clients/{site_a.client.pk}/edit/"
    response = client.post(url, {**GOOD, "given_name": "Zephyra", "family_name": "Quixotelle"})
    assert (response.status_code, response["Location"]) == (302, f"/clinic/clients/{site_a.client.pk}/")
    site_a.client.refresh_from_db()
    assert (site_a.client.given_name, site_a.client.given_key, site_a.client.email) == (
        "Zephyra",
        "zephyra",
        "newton@example.org",
    )


def test_a_refused_edit_shows_the_errors_and_keeps_the_values(site_a: Site):
    client = staff_client(site_a.members[Role.FRONT_DESK])
    response = client.post(f"/clinic/clients/{site_a.client.pk}/edit/", {**GOOD, "given_name": ""})
    assert response.status_code == 422
    page = page_of(response)
    assert "Edit client" in page
    assert 'id="f-given_name-error-1">this field is required' in page
    assert 'name="family_name" value="Figtree"' in page
    site_a.client.refresh_from_db()
    assert site_a.client.given_name == "Zephyrine"


# --- archiving ---


def test_archiving_and_restoring_a_client(site_a: Site):
    owner = staff_client(site_a.owner)
    url = f"/clinic/clients/{site_a.client.pk}/"
    response = owner.post(f"{url}archive/")
    assert (response.status_code, response["Location"]) == (302, url)
    page = page_of(owner.get(url))
    assert '<span class="badge">archived</span>' in page
    assert 'name="restore" value="1"' in page
    assert "Edit details" not in page

    edit = owner.post(f"{url}edit/", GOOD)
    assert edit.status_code == 409
    assert "restore them before editing" in page_of(edit)

    assert owner.post(f"{url}archive/", {"restore": "1"})["Location"] == url
    page = page_of(owner.get(url))
    assert "archived" not in page
    assert "Edit details" in page
    site_a.client.refresh_from_db()
    assert site_a.client.archived_at is None


def test_archive_is_post_only(site_a: Site):
    assert staff_client(site_a.owner).get(f"/clinic/clients/{site_a.client.pk}/archive/").status_code == 405


# --- the client page ---


def test_the_front_desk_sees_details_but_no_screening(site_a: Site):
    page = page_of(staff_client(site_a.members[Role.FRONT_DESK]).get(f"/clinic/clients/{site_a.client.pk}/"))
    assert "Zephyrine Quixotelle" in page
    assert "1990-05-17" in page
    assert "shown to clinical staff only" in page
    assert "Treatment is blocked" not in page
    assert "Screening history" not in page
    assert "Screen now" not in page


def test_a_client_never_screened_is_marked_not_screened(site_a: Site):
    nurse = staff_client(site_a.members[Role.NURSE])
    made = nurse.post("/clinic/clients/new/", GOOD)["Location"]
    page = page_of(nurse.get(made))
    assert "Not screened yet." in page
    assert "Screen now" in page


def test_a_stop_result_blocks_treatment_and_only_a_provider_is_offered_the_clearance(site_a: Site):
    url = f"/clinic/clients/{site_a.client.pk}/"
    clearance = f'href="/clinic/screenings/{site_a.stop.pk}/clear/"'
    provider = page_of(staff_client(site_a.members[Role.PROVIDER]).get(url))
    assert "Treatment is blocked." in provider
    assert "Record a clearance" in provider
    assert clearance in provider
    for role in (Role.OWNER, Role.NURSE, Role.AESTHETICIAN):
        page = page_of(staff_client(site_a.members[role]).get(url))
        assert "Treatment is blocked." in page
        assert clearance not in page
        assert "Only a provider (MD, DO or NP) can record it." in page


def test_the_client_page_lists_the_screening_history(site_a: Site):
    page = page_of(staff_client(site_a.members[Role.NURSE]).get(f"/clinic/clients/{site_a.client.pk}/"))
    assert "Screening history" in page
    assert f'href="/clinic/screenings/{site_a.ok.pk}/"' in page
    assert f'href="/clinic/screenings/{site_a.stop.pk}/"' in page
    assert "nurse alpha" in page


# --- search by any word, a warning before a likely duplicate (issue 12) ---


@pytest.mark.parametrize("query", ["q=quixo+zeph", "phone=0102", "phone=010+2030"])
def test_search_by_any_word_and_any_run_of_phone_digits(site_a: Site, query):
    staff_client(site_a.members[Role.FRONT_DESK]).post(
        "/clinic/clients/new/", {**GOOD, "given_name": "Łukasz", "family_name": "Wałęsa-Nowak", "phone": ""}
    )
    assert "Quixotelle, Zephyrine" in page_of(staff_client(site_a.owner).get(f"/clinic/clients/?{query}"))
    assert "Wałęsa-Nowak, Łukasz" in page_of(staff_client(site_a.owner).get("/clinic/clients/?q=nowak+lukasz"))


def test_a_likely_duplicate_is_named_and_saved_only_when_confirmed(site_a: Site):
    client = staff_client(site_a.members[Role.FRONT_DESK])
    same = {**GOOD, "given_name": "Zephyrine Ann", "family_name": "Quixotelle", "birth_date": "1990-05-17"}
    response = client.post("/clinic/clients/new/", same)
    assert response.status_code == 409
    page = page_of(response)
    assert "This may be the same person as Zephyrine Quixotelle (born 1990-05-17)." in page
    assert f'href="/clinic/clients/{site_a.client.pk}/"' in page
    assert 'name="confirm_new_person" value="1" required' in page
    assert 'value="Zephyrine Ann"' in page  # what was typed is kept
    assert not ClientRow.objects.filter(given_name="Zephyrine Ann").exists()
    response = client.post("/clinic/clients/new/", {**same, "confirm_new_person": "1"})
    made = ClientRow.objects.get(given_name="Zephyrine Ann")
    assert (response.status_code, response["Location"]) == (302, f"/clinic/clients/{made.pk}/")


def test_the_duplicate_warning_in_spanish_says_if_archived(site_a: Site):
    staff_client(site_a.owner).post(f"/clinic/clients/{site_a.client.pk}/archive/")
    spanish = signed_in(Client(HTTP_ACCEPT_LANGUAGE="es"), site_a.members[Role.FRONT_DESK])
    page = page_of(spanish.post("/clinic/clients/new/", {**GOOD, "phone": "+1 555 010 2030"}))
    assert "Puede que sea la misma persona que Zephyrine Quixotelle (fecha de nacimiento: 1990-05-17)." in page
    assert "(archivado)" in page
    assert "Es otra persona: guardar de todos modos" in page


def test_the_language_is_chosen_on_the_form_and_shown_on_the_client_page(site_a: Site):
    client = staff_client(site_a.members[Role.FRONT_DESK])
    assert '<option value="en" lang="en" selected>English</option>' in page_of(client.get("/clinic/clients/new/"))
    response = client.post("/clinic/clients/new/", {**GOOD, "language": "es"})
    made = ClientRow.objects.get(family_name="Figtree")
    assert made.language == "es"
    assert '<dd lang="es">Español</dd>' in page_of(client.get(response["Location"]))
    edit = page_of(client.get(f"/clinic/clients/{made.pk}/edit/"))
    assert '<option value="es" lang="es" selected>Español</option>' in edit
    refused = client.post(f"/clinic/clients/{made.pk}/edit/", {**GOOD, "language": "fr"})
    assert refused.status_code == 422
    assert 'id="f-language-error-1">choose en (English) or es (Spanish)</p>' in page_of(refused)
    assert ClientRow.objects.get(pk=made.pk).language == "es"


# -- contact notes and clinical notes (issue 13, L7) -------------------------------------------------


def test_the_front_desk_sees_contact_notes_never_clinical_notes_and_the_form_says_why(site_a: Site):
    ClientRow.objects.filter(pk=site_a.client.pk).update(contact_notes="Call after 5 pm.", clinical_notes="HIV+")
    desk, nurse = staff_client(site_a.members[Role.FRONT_DESK]), staff_client(site_a.members[Role.NURSE])
    page, edit = (page_of(desk.get(f"/clinic/clients/{site_a.client.pk}/{end}")) for end in ("", "edit/"))
    assert "Call after 5 pm." in page
    assert "HIV+" not in page
    assert "HIV+" not in edit
    assert 'name="clinical_notes"' not in edit
    assert "keep health information out of them" in edit
    clinical_page = page_of(nurse.get(f"/clinic/clients/{site_a.client.pk}/"))
    clinical_edit = page_of(nurse.get(f"/clinic/clients/{site_a.client.pk}/edit/"))
    assert "Call after 5 pm." in clinical_page
    assert "HIV+" in clinical_page
    assert 'name="clinical_notes"' in clinical_edit
    assert "HIV+</textarea>" in clinical_edit


def test_the_front_desk_editing_a_client_keeps_the_clinical_notes(site_a: Site):
    ClientRow.objects.filter(pk=site_a.client.pk).update(clinical_notes="isotretinoin until May")
    desk = staff_client(site_a.members[Role.FRONT_DESK])
    form = {**GOOD, "given_name": "Zephyrine", "family_name": "Quixotelle", "contact_notes": "New number."}
    response = desk.post(f"/clinic/clients/{site_a.client.pk}/edit/", form)
    assert response.status_code == 302
    stored = ClientRow.objects.get(pk=site_a.client.pk)
    assert (stored.contact_notes, stored.clinical_notes) == ("New number.", "isotretinoin until May")
    forged = desk.post(f"/clinic/clients/{site_a.client.pk}/edit/", {**form, "clinical_notes": "forged"})
    assert forged.status_code == 403
    assert ClientRow.objects.get(pk=site_a.client.pk).clinical_notes == "isotretinoin until May"


def test_the_notes_hints_are_in_spanish_too(site_a: Site):
    nurse = signed_in(Client(HTTP_ACCEPT_LANGUAGE="es"), site_a.members[Role.NURSE])
    edit = page_of(nurse.get(f"/clinic/clients/{site_a.client.pk}/edit/"))
    assert "Notas de contacto" in edit
    assert "Notas clínicas" in edit
    assert "no escribas aquí información de salud" in edit


def test_the_api_refuses_clinical_notes_from_the_front_desk(site_a: Site):
    desk, nurse = staff_client(site_a.members[Role.FRONT_DESK]), staff_client(site_a.members[Role.NURSE])
    body = {"given_name": "Api", "family_name": "Person", "birth_date": "1991-02-03", "confirm_new_person": True}
    refused = desk.post(
        "/api/v1/clinic/clients", {**body, "clinical_notes": "pregnant"}, content_type="application/json"
    )
    assert refused.status_code == 403
    made = nurse.post("/api/v1/clinic/clients", {**body, "clinical_notes": "pregnant"}, content_type="application/json")
    assert made.status_code == 201
    assert ClientRow.objects.get(pk=made.json()["id"]).clinical_notes == "pregnant"


@pytest.mark.parametrize(("client_id", "title"), [("0", "Not found"), ("99999999999999999999", "Page not found")])
def test_a_client_id_no_record_has_is_a_not_found_page(site_a: Site, client_id: str, title: str):
    # 0 is no row of the clinic's; a number past 64 bits is no record id at all (it overflowed the database: a 500)
    owner = staff_client(site_a.owner)
    for path in (f"/clinic/clients/{client_id}/", f"/clinic/clients/{client_id}/edit/"):
        response = owner.get(path)
        assert response.status_code == 404
        assert title in response.content.decode()
