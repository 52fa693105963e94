"""Session photos through the use cases: stored without metadata, served only to the clinic's staff."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone
from PIL import Image

from clinic.support import details, last_seq, rows_after
from clinic.treatment_support import form, photo_with_exif, ready_client
from needlewise.clinic.clients import clients
from needlewise.clinic.treatment import photos, recording, session_checks
from needlewise.domain.permissions import Role
from needlewise.errors import InvalidInputError, NotAllowedError, NotFoundError
from needlewise.storage.models import SessionPhoto

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(site_a, kb):
    ready = ready_client(site_a, kb)
    done = recording.record(site_a.actor(Role.NURSE), ready.client.pk, form(ready), kb)
    assert done.session is not None
    return done.session


def test_a_photo_is_stored_without_exif_and_read_back_by_clinical_staff(site_a, session):
    before = last_seq()
    added = photos.add(site_a.actor(Role.NURSE), session.pk, photo_with_exif(), " Left cheek ")
    stored = SessionPhoto.objects.get(pk=added.pk)
    assert (stored.caption, stored.content_type, stored.width, stored.height) == ("Left cheek", "image/jpeg", 40, 20)
    assert b"Phone Model X" not in bytes(stored.image)
    data, content_type = photos.image(site_a.actor(Role.PROVIDER), added.pk)
    assert content_type == "image/jpeg"
    assert dict(Image.open(io.BytesIO(data)).getexif()) == {}
    assert [(r.action, r.object_type, r.client_id) for r in rows_after(before)] == [
        ("create", "photo", session.client_id),
        ("read", "photo", session.client_id),
    ]
    [listed] = photos.photos_of(site_a.clinic.pk, session.pk)
    assert listed.pk == added.pk


def test_a_caption_longer_than_its_column_is_refused(site_a, session):
    with pytest.raises(InvalidInputError, match="at most 200 characters"):
        photos.add(site_a.actor(Role.NURSE), session.pk, photo_with_exif(), "x" * 201)
    assert SessionPhoto.objects.count() == 0


def test_the_front_desk_may_neither_add_nor_see_photos(site_a, session):
    added = photos.add(site_a.actor(Role.NURSE), session.pk, photo_with_exif())
    with pytest.raises(NotAllowedError):
        photos.add(site_a.actor(Role.FRONT_DESK), session.pk, photo_with_exif())
    with pytest.raises(NotAllowedError):
        photos.image(site_a.actor(Role.FRONT_DESK), added.pk)


def test_another_clinics_session_and_photo_are_not_found(sites, session):
    site_a, site_b = sites
    added = photos.add(site_a.actor(Role.NURSE), session.pk, photo_with_exif())
    for call in (
        lambda: photos.add(site_b.actor(Role.NURSE), session.pk, photo_with_exif()),
        lambda: photos.image(site_b.actor(Role.NURSE), added.pk),
    ):
        before = last_seq()
        with pytest.raises(NotFoundError):
            call()
        assert [(r.action, r.outcome) for r in rows_after(before)] == [("not_found", "denied")]
    assert photos.photos_of(site_b.clinic.pk, session.pk) == []


def test_the_checks_report_a_client_never_screened(site_a):
    client = clients.create(site_a.actor(Role.NURSE), details(given_name="Never", family_name="Screened"))
    facts = session_checks.gather(site_a.clinic, client.pk, timezone.localdate(), timezone.now())
    assert (facts.screening, facts.clearance, facts.consent, facts.last_session) == (None, None, None, None)
