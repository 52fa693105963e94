"""Recall pages: look up a lot or device, page through it, export it, mark its clients, note contacts."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from clinic.followup_support import SessionBuilder  # the fixture builder: sessions are inserted directly
from needlewise.bootstrap import knowledge_base
from needlewise.clinic.recall import use_cases as recall
from needlewise.domain.permissions import Role
from needlewise.storage.models import AuditEntry, RecallContact
from web.clinic.support import Site, body, signed_in, staff_client

pytestmark = pytest.mark.django_db

LOT = "LOT-2030-A"
REASON = "Manufacturer recall notice 2030-07: possible sterility breach."
T0 = datetime(2030, 3, 1, 10, 0, tzinfo=UTC)


def at(days: int) -> datetime:
    return T0 + timedelta(days=days)


@pytest.fixture
def treated(site_a: Site, site_b: Site):
    """Clinic A: two clients treated with LOT (one with two zones); clinic B: a client with the same lot."""
    mine = SessionBuilder(site_a.clinic, site_a.members, knowledge_base())
    ada = mine.client("Ada", "Byron", phone="+44 20 7946 0000")
    ben = mine.client("Ben", "Crane")
    first = mine.session(ada, lot=LOT, serial="1", performed_at=at(0))
    second = mine.session(
        ben, lot=LOT, serial="2", performed_at=at(4), zones=(("forehead", "0.50"), ("cheeks", "1.50"))
    )
    theirs = SessionBuilder(site_b.clinic, site_b.members, knowledge_base())
    theirs.session(theirs.client("Mallory", "Stranger"), lot=LOT, serial="1", performed_at=at(2))
    return {"ada": ada, "ben": ben, "first": first, "second": second, "builder": mine}


def nurse(site: Site) -> Client:
    return staff_client(site.members[Role.NURSE])


def test_the_recall_page_opens_with_the_form(site_a: Site):
    response = nurse(site_a).get("/clinic/recall/")
    page = body(response)
    assert response.status_code == 200
    assert 'name="key"' in page
    assert 'id="f-kind-lot" name="kind" value="lot" checked' in page
    assert "/clinic/recall/contacts/" in page
    assert "<table" not in page


@pytest.mark.usefixtures("treated")
def test_a_lot_shows_its_sessions_with_totals_and_nothing_of_another_clinic(site_a: Site):
    response = nurse(site_a).get("/clinic/recall/", {"kind": "lot", "key": f" {LOT} "})
    page = body(response)
    assert response.status_code == 200
    assert f"Cartridge lot {LOT}" in page
    assert re.search(r"<dt>Sessions</dt><dd>2</dd>\s*<dt>Clients</dt><dd>2</dd>", page)
    assert "<dt>Adverse events recorded</dt><dd>0</dd>" in page
    assert page.index("Crane, Ben") < page.index("Byron, Ada")  # newest first
    assert "+44 20 7946 0000" in page
    assert "Forehead 0.5 mm; Cheeks 1.5 mm" in page or "Cheeks 1.5 mm; Forehead 0.5 mm" in page
    assert "Pen A6 (Motorised pen), serial PEN-0001" in page
    assert "Stranger" not in page
    assert 'class="pager"' not in page  # one page only
    assert f'href="/clinic/recall.csv?kind=lot&amp;key={LOT}"' in page
    assert "Mark all 2 clients for contact" in page
    assert 'name="csrfmiddlewaretoken"' in page


@pytest.mark.usefixtures("treated")
def test_a_device_serial_lists_that_devices_sessions(site_a: Site):
    page = body(nurse(site_a).get("/clinic/recall/", {"kind": "device", "key": "PEN-0001"}))
    assert "Device serial PEN-0001" in page
    assert 'id="f-kind-device" name="kind" value="device" checked' in page
    assert "Byron, Ada" in page
    assert "Crane, Ben" in page


def test_one_client_is_counted_in_the_singular_and_spanish_words_the_cartridge(site_a: Site):
    builder = SessionBuilder(site_a.clinic, site_a.members, knowledge_base())
    builder.session(builder.client("Cleo", "Solo"), lot="LOT-ONE", serial="7", performed_at=at(1))
    assert "Mark 1 client for contact" in body(nurse(site_a).get("/clinic/recall/", {"kind": "lot", "key": "LOT-ONE"}))
    spanish = signed_in(Client(HTTP_ACCEPT_LANGUAGE="es"), site_a.members[Role.NURSE])
    page = body(spanish.get("/clinic/recall/", {"kind": "lot", "key": "LOT-ONE"}))
    assert "Marcar a 1 cliente para contactar" in page
    assert "lote LOT-ONE, n.º de serie 7, caduca el 2032-01-31" in page
    assert "n.º de serie PEN-0001" in page


@pytest.mark.usefixtures("treated")
def test_several_clients_are_counted_in_the_plural_in_spanish(site_a: Site):
    spanish = signed_in(Client(HTTP_ACCEPT_LANGUAGE="es"), site_a.members[Role.NURSE])
    page = body(spanish.get("/clinic/recall/", {"kind": "lot", "key": LOT}))
    assert "Marcar a los 2 clientes para contactar" in page


def test_an_unknown_lot_says_so(site_a: Site):
    page = body(nurse(site_a).get("/clinic/recall/", {"kind": "lot", "key": "NOPE"}))
    assert "No session of this clinic used it, and no lot or serial in use is close to it." in page
    assert "Export CSV" not in page


@pytest.mark.usefixtures("treated")
def test_a_lot_typed_in_small_letters_or_by_its_start_is_listed_under_its_own_spelling(site_a: Site):
    page = body(nurse(site_a).get("/clinic/recall/", {"kind": "lot", "key": "lot-2030"}))
    assert f"Cartridge lot {LOT}" in page
    assert f'href="/clinic/recall.csv?kind=lot&amp;key={LOT}"' in page
    assert f'name="key" value="{LOT}"' in page  # the mark form takes the lot listed


@pytest.mark.usefixtures("treated")
def test_a_near_miss_offers_the_lots_it_may_mean(site_a: Site):
    page = body(nurse(site_a).get("/clinic/recall/", {"kind": "lot", "key": "LOT-2003-A"}))
    assert "No session used lot LOT-2003-A. Did you mean:" in page
    assert f'<li><a href="/clinic/recall/?kind=lot&amp;key={LOT}">{LOT}</a></li>' in page
    device = body(nurse(site_a).get("/clinic/recall/", {"kind": "device", "key": "PEN-00"}))
    assert "No session used device serial PEN-00. Did you mean:" not in device  # one device: listed
    assert "Device serial PEN-0001" in device


@pytest.mark.usefixtures("treated")
def test_the_form_alone_lists_the_lots_in_use_with_their_counts(site_a: Site):
    page = body(nurse(site_a).get("/clinic/recall/"))
    assert "Cartridge lots in use" in page
    assert (
        f'<tr><td><a href="/clinic/recall/?kind=lot&amp;key={LOT}">{LOT}</a></td><td>2</td><td>2</td>\n'
        "      <td>2030-03-01</td><td>2030-03-05</td><td>2032-01-31</td></tr>"
    ) in page


def test_the_lots_in_use_say_when_there_are_none(site_a: Site):
    page = body(nurse(site_a).get("/clinic/recall/"))
    assert "No session of this clinic has been recorded yet." in page


@pytest.mark.usefixtures("treated")
def test_the_lots_in_use_are_in_spanish_too(site_a: Site):
    client = signed_in(Client(HTTP_ACCEPT_LANGUAGE="es"), site_a.members[Role.NURSE])
    page = body(client.get("/clinic/recall/"))
    assert "Lotes de cartuchos en uso" in page
    typo = body(client.get("/clinic/recall/", {"kind": "lot", "key": "LOT-2003-A"}))
    assert "Ninguna sesión usó el lote LOT-2003-A. ¿Quería decir:" in typo


def test_a_too_long_key_is_shown_next_to_the_field(site_a: Site):
    response = nurse(site_a).get("/clinic/recall/", {"kind": "lot", "key": "L" * 65})
    page = body(response)
    assert response.status_code == 422
    assert '<p class="error" id="f-key-error-1">at most 64 characters</p>' in page
    assert 'aria-invalid="true"' in page


def test_long_lists_page_to_older_sessions_and_back(site_a: Site, treated, monkeypatch):
    monkeypatch.setattr(recall, "PAGE_SIZE", 1)
    client = nurse(site_a)
    page = body(client.get("/clinic/recall/", {"kind": "lot", "key": LOT}))
    assert "Crane, Ben" in page
    assert "Byron, Ada" not in page
    older = re.search(r'href="(/clinic/recall/\?kind=lot&amp;key=[^"]+&amp;after=(\d+))"', page)
    assert older is not None
    assert int(older.group(2)) == treated["second"].pk
    second = body(client.get(older.group(1).replace("&amp;", "&")))
    assert "Byron, Ada" in second
    assert "Crane, Ben" not in second
    assert ">Newest</a>" in second
    assert "Older sessions" not in second
    assert "<dt>Sessions</dt><dd>2</dd>" in second


@pytest.mark.usefixtures("treated")
def test_the_export_is_a_csv_download_of_every_session(site_a: Site):
    response = nurse(site_a).get("/clinic/recall.csv", {"kind": "lot", "key": LOT})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="needlewise-recall-lot.csv"'
    data = b"".join(response)
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark: spreadsheets keep the accents
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert lines[0] == list(recall.EXPORT_HEADER)
    assert [(line[3], line[4]) for line in lines[1:]] == [("Crane", "Ben"), ("Byron", "Ada")]
    assert lines[2][6] == '="+44 20 7946 0000"'  # kept as text: no formula, no lost plus
    assert AuditEntry.objects.filter(action="export", object_type="recall").count() == 1


def test_an_export_without_a_valid_key_goes_back_to_the_form_which_names_the_problem(site_a: Site):
    client = nurse(site_a)
    response = client.get("/clinic/recall.csv", {"kind": "device", "key": "S" * 65})
    assert response.status_code == 302
    assert response["Location"] == f"/clinic/recall/?kind=device&key={'S' * 65}"
    form = client.get(response["Location"])
    assert form.status_code == 422
    assert "at most 64 characters" in body(form)
    assert client.get("/clinic/recall.csv")["Location"] == "/clinic/recall/?kind=lot&key="
    assert not AuditEntry.objects.filter(action="export").exists()


def test_marking_every_client_for_contact_then_shows_them_marked(site_a: Site, treated):
    client = nurse(site_a)
    response = client.post("/clinic/recall/mark/", {"kind": "lot", "key": LOT, "reason": REASON})
    assert response.status_code == 302
    assert response["Location"] == f"/clinic/recall/?kind=lot&key={LOT}&marked=2"
    page = body(client.get(response["Location"]))
    assert "Clients newly marked for contact: 2." in page
    assert page.count('<span class="badge">to contact</span>') == 2
    assert {c.client_id for c in RecallContact.objects.all()} == {treated["ada"].pk, treated["ben"].pk}
    again = client.post("/clinic/recall/mark/", {"kind": "lot", "key": LOT, "reason": REASON})
    assert again["Location"].endswith("&marked=0")
    assert RecallContact.objects.count() == 2


@pytest.mark.usefixtures("treated")
def test_a_short_reason_is_shown_next_to_the_field_and_marks_nobody(site_a: Site):
    response = nurse(site_a).post("/clinic/recall/mark/", {"kind": "lot", "key": LOT, "reason": "recall"})
    page = body(response)
    assert response.status_code == 422
    assert '<p class="error" id="f-reason-error-1">give the reason in at least 10 characters</p>' in page
    assert ">recall</textarea>" in page
    assert "Crane, Ben" in page  # the list is still there to act on
    assert not RecallContact.objects.exists()


@pytest.mark.usefixtures("treated")
def test_forms_need_the_csrf_token(site_a: Site):
    browser = signed_in(Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en"), site_a.members[Role.NURSE])
    response = browser.post("/clinic/recall/mark/", {"kind": "lot", "key": LOT, "reason": REASON})
    assert response.status_code == 403
    assert not RecallContact.objects.exists()


def test_the_contacts_page_lists_outstanding_contacts_and_notes_a_contact(site_a: Site, treated):
    client = nurse(site_a)
    client.post("/clinic/recall/mark/", {"kind": "lot", "key": LOT, "reason": REASON})
    page = body(client.get("/clinic/recall/contacts/"))
    assert "Outstanding: 2." in page
    assert "Byron, Ada" in page
    assert REASON in page
    assert f'href="/clinic/recall/?kind=lot&amp;key={LOT}"' in page
    contact = RecallContact.objects.get(client=treated["ada"])
    done = client.post(f"/clinic/recall/contacts/{contact.pk}/done/", {"note": "Phoned; no symptoms."})
    assert done["Location"] == "/clinic/recall/contacts/?done=1"
    after = body(client.get(done["Location"]))
    assert "Noted as contacted." in after
    assert "Outstanding: 1." in after
    assert "Byron, Ada" not in after
    assert RecallContact.objects.get(pk=contact.pk).contact_note == "Phoned; no symptoms."


def test_an_empty_note_is_shown_next_to_that_contacts_field(site_a: Site, treated):
    client = nurse(site_a)
    client.post("/clinic/recall/mark/", {"kind": "lot", "key": LOT, "reason": REASON})
    contact = RecallContact.objects.get(client=treated["ben"])
    response = client.post(f"/clinic/recall/contacts/{contact.pk}/done/", {"note": "  "})
    page = body(response)
    assert response.status_code == 422
    assert f'<p class="error" id="f-note-{contact.pk}-error-1">say how the client was contacted</p>' in page
    assert f'aria-describedby="f-note-{contact.pk}-error-1"' in page
    assert RecallContact.objects.get(pk=contact.pk).contacted_at is None


def test_a_nul_in_a_note_is_shown_next_to_that_contacts_field(site_a: Site, treated):
    client = nurse(site_a)
    client.post("/clinic/recall/mark/", {"kind": "lot", "key": LOT, "reason": REASON})
    contact = RecallContact.objects.get(client=treated["ben"])
    response = client.post(f"/clinic/recall/contacts/{contact.pk}/done/", {"note": "Phoned\x00"})  # a 500 on PostgreSQL
    assert response.status_code == 422
    message = "remove the invisible or control character U+0000 (character 7)"
    assert f'<p class="error" id="f-note-{contact.pk}-error-1">{message}</p>' in body(response)
    assert RecallContact.objects.get(pk=contact.pk).contacted_at is None
    refused = client.post("/clinic/recall/mark/", {"kind": "lot", "key": LOT, "reason": REASON + "\x00"})
    assert refused.status_code == 422
    assert "remove the invisible or control character U+0000" in body(refused)


def test_a_contact_noted_twice_is_a_conflict(site_a: Site, treated):
    client = nurse(site_a)
    client.post("/clinic/recall/mark/", {"kind": "lot", "key": LOT, "reason": REASON})
    contact = RecallContact.objects.get(client=treated["ben"])
    client.post(f"/clinic/recall/contacts/{contact.pk}/done/", {"note": "Phoned"})
    response = client.post(f"/clinic/recall/contacts/{contact.pk}/done/", {"note": "Phoned again"})
    assert response.status_code == 409


@pytest.mark.usefixtures("treated")
def test_another_clinics_contact_is_not_found(site_a: Site, site_b: Site):
    nurse(site_a).post("/clinic/recall/mark/", {"kind": "lot", "key": LOT, "reason": REASON})
    nurse(site_b).post("/clinic/recall/mark/", {"kind": "lot", "key": LOT, "reason": REASON})
    theirs = RecallContact.objects.get(clinic=site_b.clinic)
    response = nurse(site_a).post(f"/clinic/recall/contacts/{theirs.pk}/done/", {"note": "Phoned"})
    assert response.status_code == 404
    assert RecallContact.objects.get(pk=theirs.pk).contacted_at is None
    assert "Stranger" not in body(nurse(site_a).get("/clinic/recall/contacts/"))


def test_an_empty_contacts_list_says_so(site_a: Site):
    page = body(staff_client(site_a.owner).get("/clinic/recall/contacts/"))
    assert "Nobody is waiting to be contacted." in page
    assert "Outstanding: 0." in page


@pytest.mark.usefixtures("treated")
@pytest.mark.parametrize("role", [Role.AESTHETICIAN, Role.FRONT_DESK])
@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "/clinic/recall/", {}),
        ("get", "/clinic/recall/", {"kind": "lot", "key": LOT}),
        ("get", "/clinic/recall.csv", {"kind": "lot", "key": LOT}),
        ("post", "/clinic/recall/mark/", {"kind": "lot", "key": LOT, "reason": REASON}),
        ("get", "/clinic/recall/contacts/", {}),
    ],
)
def test_roles_that_do_not_run_recalls_are_refused(site_a: Site, role, method, path, data):
    response = getattr(staff_client(site_a.members[role]), method)(path, data)
    assert response.status_code == 403
    page = body(response)
    assert "Your role does not allow this" in page
    assert "Byron" not in page
    assert not RecallContact.objects.exists()


def test_spanish_needle_lengths_have_a_decimal_comma(site_a: Site):
    builder = SessionBuilder(site_a.clinic, site_a.members, knowledge_base())
    builder.session(
        builder.client("Dora", "Decimal"),
        lot="LOT-DEC",
        serial="9",
        performed_at=at(1),
        zones=(("forehead", "0.50"), ("cheeks", "1.25")),
    )
    spanish = signed_in(Client(HTTP_ACCEPT_LANGUAGE="es"), site_a.members[Role.NURSE])
    page = body(spanish.get("/clinic/recall/", {"kind": "lot", "key": "LOT-DEC"}))
    assert "0,5 mm" in page
    assert "1,25 mm" in page
    assert "0.5 mm" not in page
    english = body(nurse(site_a).get("/clinic/recall/", {"kind": "lot", "key": "LOT-DEC"}))
    assert "0.5 mm" in english
