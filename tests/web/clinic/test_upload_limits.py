"""Uploads: who sends a file, to which page, and how large, is checked before the body is read."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as Browser
from django.urls import reverse

from clinic.treatment_support import photo_with_exif
from needlewise.domain.permissions import Action, Role
from needlewise.storage.models import AuditEntry, SessionPhoto, TreatmentSession
from needlewise.web import uploads
from needlewise.web.uploads import UploadRule
from needlewise.web.views import clinic_sessions
from web.clinic.pages_support import ready_client, session_data
from web.clinic.support import body, staff_client

pytestmark = pytest.mark.django_db

BOUNDARY = "nwboundary"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"
HUGE = 300 * 1024 * 1024


class UnreadBody:
    """A request body that counts what the server reads of it (a 300 MB upload that never arrives whole)."""

    def __init__(self, head: bytes) -> None:
        self.head = head
        self.read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        left = HUGE - self.read_bytes
        size = left if size is None or size < 0 else min(size, left)
        start = self.read_bytes
        head = self.head[start : start + size]
        chunk = head + b"x" * (size - len(head))
        self.read_bytes += len(chunk)
        return chunk

    def readline(self, size: int = -1) -> bytes:
        return self.read(size if size and size > 0 else 64 * 1024)


def _file_head(field: str) -> bytes:
    return (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; filename="big.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    ).encode()


def _session(site) -> TreatmentSession:
    client = ready_client(site)
    staff_client(site.members[Role.NURSE]).post(reverse("clinic-session-new", args=[client.pk]), session_data())
    return TreatmentSession.objects.get()


def _post_huge(browser: Browser, url: str, stream: UnreadBody, length: int = HUGE):
    head = {"CONTENT_TYPE": MULTIPART, "CONTENT_LENGTH": str(length), "wsgi.input": stream}
    return browser.generic("POST", url, b"", **head)


def test_a_front_desk_upload_is_refused_without_reading_the_body(site_a):
    session = _session(site_a)
    stream = UnreadBody(_file_head("photo"))
    front_desk = staff_client(site_a.members[Role.FRONT_DESK])
    response = _post_huge(front_desk, reverse("clinic-session-photo-add", args=[session.pk]), stream)
    assert response.status_code == 403
    assert "Your role does not allow this" in body(response)
    assert stream.read_bytes == 0
    assert AuditEntry.objects.filter(outcome="denied", object_type="photo").count() == 1
    assert not SessionPhoto.objects.exists()


def test_an_oversize_upload_is_refused_by_its_length_without_reading_the_body(site_a):
    session = _session(site_a)
    stream = UnreadBody(_file_head("photo"))
    nurse = staff_client(site_a.members[Role.NURSE])
    response = _post_huge(nurse, reverse("clinic-session-photo-add", args=[session.pk]), stream)
    assert response.status_code == 413
    assert "The file is larger than 15 MB" in body(response)
    assert stream.read_bytes == 0
    assert not SessionPhoto.objects.exists()


def test_an_upload_is_stopped_at_the_limit_while_it_streams(site_a, monkeypatch):
    """A file over the limit within the form's allowance for its other parts: reading stops at the limit."""
    session = _session(site_a)
    small = UploadRule(1024, Action.RECORD_TREATMENT, "photo")  # the page's rule says 15 MB
    monkeypatch.setattr(clinic_sessions.photo_add, "upload_rule", small)
    monkeypatch.setattr(uploads, "FORM_OVERHEAD_BYTES", 10 * 1024 * 1024)  # so the length passes the first check
    nurse = staff_client(site_a.members[Role.NURSE])
    stream = UnreadBody(_file_head("photo"))
    response = _post_huge(nurse, reverse("clinic-session-photo-add", args=[session.pk]), stream, length=5 * 1024 * 1024)
    assert response.status_code == 413
    assert "The file is larger than 0 MB" in body(response)
    assert stream.read_bytes <= 3 * 64 * 1024  # a few chunks, not 5 MB
    assert not SessionPhoto.objects.exists()


def test_a_signed_out_upload_goes_to_sign_in_without_reading_the_body(site_a):
    session = _session(site_a)
    stream = UnreadBody(_file_head("photo"))
    response = _post_huge(Browser(), reverse("clinic-session-photo-add", args=[session.pk]), stream)
    assert response.status_code == 302
    assert response["Location"].startswith("/clinic/sign-in/?next=")
    assert stream.read_bytes == 0


def test_a_photo_within_the_limit_is_still_taken(site_a):
    session = _session(site_a)
    nurse = staff_client(site_a.members[Role.NURSE])
    upload = SimpleUploadedFile("cheek.jpg", photo_with_exif(), "image/jpeg")
    response = nurse.post(reverse("clinic-session-photo-add", args=[session.pk]), {"photo": upload})
    assert response.status_code == 302
    assert SessionPhoto.objects.count() == 1


@pytest.mark.parametrize("path", ["/assess/", "/clinic/sign-in/"])
def test_a_file_sent_to_a_page_that_takes_none_is_refused_before_it_is_read(path, tmp_path, settings):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    stream = UnreadBody(_file_head("anything"))
    response = _post_huge(Browser(HTTP_ACCEPT_LANGUAGE="en"), path, stream)
    assert response.status_code == 415
    assert "This page takes no files" in body(response)
    assert stream.read_bytes < 1024 * 1024  # stopped at the file's head, not at 300 MB
    assert list(tmp_path.iterdir()) == []


def test_a_form_without_a_file_still_works_as_multipart():
    response = Browser(HTTP_ACCEPT_LANGUAGE="en").post("/clinic/sign-in/", {"email": "x@example.org"})
    assert response.status_code == 401  # read and answered: the sign-in failed
    assert "multipart/form-data" in response.wsgi_request.content_type


def test_an_unreadable_length_reads_as_an_empty_form(site_a):
    session = _session(site_a)
    stream = UnreadBody(_file_head("photo"))
    nurse = staff_client(site_a.members[Role.NURSE])
    url = reverse("clinic-session-photo-add", args=[session.pk])
    response = nurse.generic("POST", url, b"", CONTENT_TYPE=MULTIPART, CONTENT_LENGTH="lots", **{"wsgi.input": stream})
    assert response.status_code == 422
    assert "choose a photo to upload" in body(response)
    assert stream.read_bytes == 0


def test_the_api_answers_a_multipart_body_itself():
    stream = UnreadBody(_file_head("profile"))
    response = _post_huge(Browser(), "/api/v1/assessments", stream, length=1024)
    assert response.status_code in {400, 413, 415, 422}
    assert response["Content-Type"].startswith("application/json")


def test_the_refusal_is_worded_in_spanish(site_a):
    session = _session(site_a)
    nurse = staff_client(site_a.members[Role.NURSE])
    nurse.defaults["HTTP_ACCEPT_LANGUAGE"] = "es"
    response = _post_huge(nurse, reverse("clinic-session-photo-add", args=[session.pk]), UnreadBody(b""))
    assert response.status_code == 413
    assert "El archivo ocupa más de 15 MB" in body(response)
