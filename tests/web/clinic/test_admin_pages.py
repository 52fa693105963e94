"""Owner pages: staff, the clinic's public page, the audit log and its export; the re-screening list."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.test import Client

from clinic_factories import actor_for, clinic_today
from needlewise.clinic.access.actor import Actor
from needlewise.clinic.audit import log as audit_log
from needlewise.domain.permissions import Role
from needlewise.storage.models import AuditEntry, Clinic, Screening, StaffMember
from web.clinic.support import PASSWORD, Site, body, signed_in, staff_client

pytestmark = pytest.mark.django_db

COLLEAGUE = {"email": "New.Colleague@Alpha.example.org", "display_name": "Nadia New", "role": "aesthetician"}


def browser() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en")


# --- staff ---


def test_the_staff_page_lists_colleagues_and_the_permission_table(site_a: Site):
    page = staff_client(site_a.owner).get("/clinic/staff/").content.decode()
    for role in Role:
        assert site_a.members[role].user.username in page
    assert "<td>you</td>" in page
    assert page.count(">Deactivate</button>") == 4
    assert "record clearance" in page
    assert "0.5 mm" in page
    assert "knowledge base ranges" in page
    assert "beta.example.org" not in page


def test_the_owner_gives_themself_a_clinical_role_on_the_staff_page(site_a: Site):
    client = staff_client(site_a.owner)
    page = client.get("/clinic/staff/").content.decode()
    assert "Your own clinical role" in page
    assert '<option value="" selected' not in page  # nothing chosen yet: the first option shows
    response = client.post("/clinic/staff/clinical-role/", {"clinical_role": "nurse"})
    assert response["Location"] == "/clinic/staff/?clinical_role=saved"
    assert StaffMember.objects.get(pk=site_a.owner.pk).clinical_role == "nurse"
    page = client.get(response["Location"]).content.decode()
    assert "Your clinical role is saved." in page
    assert '<option value="nurse" selected>' in page
    assert "<td>owner + nurse</td>" in page
    assert "owner + nurse" in client.get("/clinic/account/").content.decode()
    assert client.get(f"/clinic/clients/{site_a.client.pk}/screen/").status_code == 200  # now a nurse's work too
    entry = AuditEntry.objects.filter(action="update", object_type="staff").latest("seq")
    assert entry.detail == {"clinical_role": "nurse", "before": ""}


def test_a_clinical_role_that_is_not_offered_is_explained_and_changes_nothing(site_a: Site):
    response = staff_client(site_a.owner).post("/clinic/staff/clinical-role/", {"clinical_role": "front_desk"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "Choose provider, nurse or aesthetician, or none." in page
    assert 'aria-invalid="true" aria-describedby="f-clinical_role-error"' in page
    assert StaffMember.objects.get(pk=site_a.owner.pk).clinical_role == ""


def test_only_the_owner_sets_a_clinical_role(site_a: Site):
    response = staff_client(site_a.members[Role.NURSE]).post(
        "/clinic/staff/clinical-role/", {"clinical_role": "provider"}
    )
    assert response.status_code == 403
    assert StaffMember.objects.get(pk=site_a.members[Role.NURSE].pk).clinical_role == ""


def test_adding_a_colleague_sends_them_a_link_to_choose_a_password(site_a: Site, delivered_mail):
    client = staff_client(site_a.owner)
    response = client.post("/clinic/staff/", COLLEAGUE)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nadia New was added. A link to choose a password was sent to them." in page
    assert "new.colleague@alpha.example.org" in page
    added = StaffMember.objects.select_related("user").get(user__username="new.colleague@alpha.example.org")
    assert (added.clinic_id, added.role, added.user.has_usable_password()) == (site_a.clinic.pk, "aesthetician", False)
    (message,) = delivered_mail
    assert (message.to, message.subject) == (["new.colleague@alpha.example.org"], "Your needlewise account")
    link = re.search(r"http://testserver(/clinic/password-reset/\S+/)", message.body).group(1)

    new = "a colleague's own passphrase"
    assert browser().post(link, {"password": new, "password_again": new})["Location"] == "/clinic/sign-in/?reset=1"
    fresh = browser()
    enrol = "/clinic/sign-in/second-factor/?next=/clinic/"  # then two-step sign-in, as every role
    assert fresh.post("/clinic/sign-in/", {"email": COLLEAGUE["email"], "password": new})["Location"] == enrol


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"email": "not an address"}, "email", "enter an e-mail address like name@example.org"),
        ({"email": "NURSE@alpha.example.org"}, "email", "an account with this e-mail address already exists"),
        ({"display_name": "  "}, "display_name", "this field is required"),
        ({"role": "superuser"}, "role", "choose one of the roles listed"),
    ],
)
@pytest.mark.usefixtures("site_b")
def test_a_refused_colleague_is_explained_by_the_field(site_a: Site, delivered_mail, changes, field, message):
    before = StaffMember.objects.count()
    response = staff_client(site_a.owner).post("/clinic/staff/", {**COLLEAGUE, **changes})
    assert response.status_code == 422
    page = response.content.decode()
    assert "Please correct the fields marked below." in page
    if field == "role":
        assert f'<p class="error" id="f-role-error">{message}</p>' in page
        assert 'aria-describedby="f-role-error"' in page
    else:
        assert f'id="f-{field}-error-1">{message}</p>' in page
    assert StaffMember.objects.count() == before
    assert delivered_mail == []


def test_a_reactivated_colleague_chooses_a_new_password_through_a_link(site_a: Site, delivered_mail):
    owner = staff_client(site_a.owner)
    desk = site_a.members[Role.FRONT_DESK]
    owner.post(f"/clinic/staff/{desk.pk}/active/", {"active": "0"})
    desk.user.refresh_from_db()
    assert not desk.user.is_active
    assert delivered_mail == []
    assert ">Reactivate</button>" in owner.get("/clinic/staff/").content.decode()
    owner.post(f"/clinic/staff/{desk.pk}/active/", {"active": "1"})
    desk.user.refresh_from_db()
    assert desk.user.is_active
    assert browser().post("/clinic/sign-in/", {"email": desk.user.username, "password": PASSWORD}).status_code == 401
    (message,) = delivered_mail
    link = re.search(r"http://testserver(/clinic/password-reset/\S+/)", message.body).group(1)
    new = "a front desk passphrase 9"
    assert browser().post(link, {"password": new, "password_again": new}).status_code == 302
    assert browser().post("/clinic/sign-in/", {"email": desk.user.username, "password": new}).status_code == 302


def test_resetting_a_lost_second_factor_makes_the_colleague_set_it_up_again(site_a: Site):
    provider = site_a.members[Role.PROVIDER]
    provider.totp_secret = "A" * 32
    provider.save(update_fields=["totp_secret"])
    owner = staff_client(site_a.owner)
    reset = f'action="/clinic/staff/{provider.pk}/second-factor/"'
    assert reset in owner.get("/clinic/staff/").content.decode()
    response = owner.post(f"/clinic/staff/{provider.pk}/second-factor/")
    assert (response.status_code, response["Location"]) == (302, "/clinic/staff/")
    provider.refresh_from_db()
    assert (provider.totp_secret, provider.totp_last_step) == ("", None)
    assert reset not in owner.get("/clinic/staff/").content.decode()
    row = AuditEntry.objects.filter(detail={"second_factor": "reset"}).get()
    assert (row.actor, row.object_id) == (f"user:{site_a.owner.user_id}", str(provider.pk))
    step = browser().post("/clinic/sign-in/", {"email": provider.user.username, "password": PASSWORD})
    assert step["Location"] == "/clinic/sign-in/second-factor/?next=/clinic/"


def test_the_owner_is_not_offered_to_reset_their_own_second_factor(site_a: Site):
    site_a.owner.totp_secret = "A" * 32
    site_a.owner.save(update_fields=["totp_secret"])
    page = staff_client(site_a.owner).get("/clinic/staff/").content.decode()
    assert f'action="/clinic/staff/{site_a.owner.pk}/second-factor/"' not in page


# --- the clinic's public page ---


def test_the_settings_page_holds_the_public_page(site_a: Site):
    page = staff_client(site_a.owner).get("/clinic/settings/").content.decode()
    assert 'name="name" value="Clinic Alpha"' in page
    assert 'name="city" value="Alphaville"' in page
    assert 'name="accepts_requests" value="1" checked' in page
    assert f'href="/clinics/{site_a.clinic.slug}/"' in page
    assert 'name="screening_valid_days" value="30"' in page


def test_the_owner_sets_how_long_a_screening_counts_as_current(site_a: Site):
    data = {"name": "Clinic Alpha", "city": "Alphaville", "services": "", "accepts_requests": "1"}
    owner = staff_client(site_a.owner)
    assert owner.post("/clinic/settings/", {**data, "screening_valid_days": "14"}).status_code == 200
    assert Clinic.objects.get(pk=site_a.clinic.pk).screening_valid_days == 14
    for wrong in ("400", "²", "99999999999999999999"):  # "²" counts as a digit to Python but is no number: was a 500
        refused = owner.post("/clinic/settings/", {**data, "screening_valid_days": wrong})
        assert refused.status_code == 422
        assert "enter a whole number of days from 1 to 365" in refused.content.decode()
    assert Clinic.objects.get(pk=site_a.clinic.pk).screening_valid_days == 14


def test_saving_the_public_page_changes_it(site_a: Site):
    data = {"name": "Alpha Skin", "city": "Alphaton", "services": "Microneedling under 1 mm", "accepts_requests": "1"}
    response = staff_client(site_a.owner).post("/clinic/settings/", data)
    assert response.status_code == 200
    assert "Saved." in response.content.decode()
    public = browser().get(f"/clinics/{site_a.clinic.slug}/").content.decode()
    assert "Alpha Skin" in public
    assert "Alphaton" in public
    assert "Microneedling under 1 mm" in public


def test_unticking_requests_takes_the_clinic_out_of_the_directory(site_a: Site):
    data = {"name": "Clinic Alpha", "city": "Alphaville", "services": ""}
    staff_client(site_a.owner).post("/clinic/settings/", data)
    assert not Clinic.objects.get(pk=site_a.clinic.pk).accepts_requests
    assert "Clinic Alpha" not in browser().get("/clinics/").content.decode()


def test_a_refused_public_page_keeps_the_values_and_changes_nothing(site_a: Site):
    data = {"name": " ", "city": "Alphaton", "services": "x" * 2001, "accepts_requests": "1"}
    response = staff_client(site_a.owner).post("/clinic/settings/", data)
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="f-name-error-1">this field is required' in page
    assert 'id="f-services-error-1">at most 2000 characters' in page
    assert 'name="city" value="Alphaton"' in page
    assert "Saved." not in page
    assert Clinic.objects.get(pk=site_a.clinic.pk).city == "Alphaville"


# --- the audit log ---


def fill_log(site: Site, rows: int) -> None:
    actor = Actor.system("test")
    for n in range(rows):
        audit_log.record(actor, "read", "filler", n, clinic_id=site.clinic.pk)


def shown_seqs(page: str) -> list[int]:
    return [int(s) for s in re.findall(r"<tr><td>(\d+)</td>", page)]


def test_the_audit_log_shows_the_newest_rows_first(site_a: Site):
    page = staff_client(site_a.owner).get("/clinic/audit/").content.decode()
    seqs = shown_seqs(page)
    assert seqs
    assert seqs == sorted(seqs, reverse=True)
    assert "Older" not in page
    assert "Newest" not in page


def test_the_audit_log_pages_by_a_hundred_without_repeating_rows(site_a: Site):
    fill_log(site_a, 120)
    client = staff_client(site_a.owner)
    first = client.get("/clinic/audit/").content.decode()
    first_seqs = shown_seqs(first)
    assert len(first_seqs) == 100
    older = re.search(r'href="/clinic/audit/\?before=(\d+)">Older', first)
    assert older
    last_shown = AuditEntry.objects.get(chain=site_a.clinic.pk, seq=first_seqs[-1])
    assert int(older.group(1)) == last_shown.pk  # pages go by row id; the page shows each row's place in the chain
    second = client.get(f"/clinic/audit/?before={older.group(1)}").content.decode()
    second_seqs = shown_seqs(second)
    assert second_seqs
    assert max(second_seqs) == first_seqs[-1] - 1  # reading page 1 added a row; it does not shift page 2
    assert 'href="/clinic/audit/">Newest' in second
    assert AuditEntry.objects.filter(object_type="audit_log", detail={"before": last_shown.pk}).exists()


@pytest.mark.parametrize("before", ["x", "-3", "", "1.5"])
def test_a_position_that_is_not_a_number_shows_the_newest_rows(site_a: Site, before):
    fill_log(site_a, 120)
    response = staff_client(site_a.owner).get(f"/clinic/audit/?before={before}")
    assert response.status_code == 200
    page = response.content.decode()
    assert len(shown_seqs(page)) == 100
    assert "Older" in page
    assert "Newest" not in page


def export(client: Client, query: str = "") -> list[dict[str, str]]:
    response = client.get(f"/clinic/audit.csv{query}")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="needlewise-audit.csv"'
    return list(csv.DictReader(io.StringIO(body(response))))


@pytest.mark.usefixtures("site_b")
def test_the_export_holds_only_the_clinic_rows_oldest_first(site_a: Site):
    rows = export(staff_client(site_a.owner))
    seqs = [int(r["seq"]) for r in rows]
    assert seqs == sorted(seqs)
    assert {r["clinic_id"] for r in rows} == {str(site_a.clinic.pk)}
    assert rows[-1]["action"] == "export"
    assert all(len(r["hash"]) == 64 for r in rows)


def test_the_export_since_a_date_leaves_older_rows_out(site_a: Site):
    client = staff_client(site_a.owner)
    today = clinic_today()
    everything = export(client)
    assert len(export(client, f"?since={today.isoformat()}")) == len(everything) + 1  # plus the first export
    assert [r["action"] for r in export(client, f"?since={(today + timedelta(days=1)).isoformat()}")] == []
    assert len(export(client, "?since=not-a-date")) == len(everything) + 3


# --- re-screening ---


def test_rescreen_lists_nobody_while_stored_results_are_current(site_a: Site):
    page = staff_client(site_a.members[Role.NURSE]).get("/clinic/rescreen/").content.decode()
    assert "No client's stored result would come out higher today." in page
    assert "earlier version: 0" in page


def test_rescreen_lists_a_client_whose_stored_result_would_now_be_higher(site_a: Site):
    Screening.objects.filter(pk=site_a.stop.pk).update(kb_hash="sha256:" + "0" * 64, tier="home_ok")
    page = staff_client(site_a.members[Role.PROVIDER]).get("/clinic/rescreen/").content.decode()
    assert "1 client would now come out at a higher tier." in page
    assert f'href="/clinic/clients/{site_a.client.pk}/">Quixotelle, Zephyrine' in page
    # Staff read clinic dispositions, never the consumer's tier codes.
    assert '<span class="badge disposition-ok_to_treat">OK to treat</span>' in page
    assert '<span class="badge disposition-do_not_treat">Do not treat now</span>' in page
    assert "home ok" not in page


def test_rescreen_leaves_out_a_result_that_would_not_change(site_a: Site):
    Screening.objects.filter(pk=site_a.stop.pk).update(kb_hash="sha256:" + "0" * 64)
    page = staff_client(site_a.members[Role.PROVIDER]).get("/clinic/rescreen/").content.decode()
    assert "earlier version: 1" in page
    assert "would now come out at a higher tier" not in page


def test_the_csv_button_is_a_plain_download_link_that_keeps_the_filter(site_a: Site):
    page = staff_client(site_a.owner).get("/clinic/audit/", {"action": "read", "from": "2031-03-02"}).content.decode()
    assert (
        '<a class="button" href="/clinic/audit.csv?action=read&amp;from=2031-03-02" hx-boost="false" download>'
        "Download CSV</a>"
    ) in page  # not boosted: htmx does not swap the CSV into the page
    assert 'name="action" value="read"' in page
    assert 'name="from" value="2031-03-02"' in page
    assert 'href="/clinic/audit/">Clear the filter' in page
    plain = staff_client(site_a.owner).get("/clinic/audit/").content.decode()
    assert 'href="/clinic/audit.csv" hx-boost="false" download>' in plain
    assert "Clear the filter" not in plain


def test_the_audit_page_filters_and_names_people_and_clients(site_a: Site):
    nurse = site_a.members[Role.NURSE]
    audit_log.record(actor_for(nurse), "update", "client", site_a.client.pk, client_id=site_a.client.pk)
    client = staff_client(site_a.owner)
    query = {"person": f"user:{nurse.user_id}", "client": str(site_a.client.pk), "action": "update"}
    page = client.get("/clinic/audit/", query).content.decode()
    rows = shown_seqs(page)
    assert len(rows) == 1
    assert f'{nurse.display_name} <span class="muted">user:{nurse.user_id}</span>' in page
    name = f"{site_a.client.family_name}, {site_a.client.given_name}"
    assert f'<a href="/clinic/clients/{site_a.client.pk}/">{name}</a>' in page
    assert f'<option value="user:{nurse.user_id}" selected>{nurse.display_name}</option>' in page
    nothing = client.get("/clinic/audit/", {"action": "nothing-like-this", "client": "x", "to": "not-a-date"})
    assert "No entry matches the filter." in nothing.content.decode()
    other = client.get("/clinic/audit/", {"person": "system:test"}).content.decode()
    assert '<option value="system:test" selected>system:test</option>' in other


def test_a_filtered_page_keeps_the_filter_when_paging(site_a: Site):
    fill_log(site_a, 120)
    page = staff_client(site_a.owner).get("/clinic/audit/", {"action": "read"}).content.decode()
    older = re.search(r'href="/clinic/audit/\?action=read&amp;before=(\d+)">Older', page)
    assert older
    second = staff_client(site_a.owner).get(f"/clinic/audit/?action=read&before={older.group(1)}").content.decode()
    assert 'href="/clinic/audit/?action=read">Newest' in second


def test_the_export_takes_the_page_filter(site_a: Site):
    nurse = site_a.members[Role.NURSE]
    audit_log.record(actor_for(nurse), "update", "client", 5)
    rows = export(staff_client(site_a.owner), f"?person=user:{nurse.user_id}&action=update")
    assert [(r["actor"], r["object_id"]) for r in rows] == [(f"user:{nurse.user_id}", "5")]


def test_the_audit_page_is_in_spanish(site_a: Site):
    spanish = signed_in(Client(HTTP_ACCEPT_LANGUAGE="es"), site_a.owner)
    page = spanish.get("/clinic/audit/").content.decode()
    assert "Mostrar solo" in page
    assert "Desde (día de la clínica)" in page
