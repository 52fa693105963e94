"""Every form of a page carries the same CSRF token, which Django accepts; it is worked out only when written."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from needlewise.domain.permissions import Role
from needlewise.web.page_csrf import OnceCsrfInput
from web.clinic.support import Site, signed_in

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def test_a_page_with_several_forms_masks_one_token_that_a_post_accepts(site_a: Site):
    browser = signed_in(Client(enforce_csrf_checks=True), site_a.owner)
    page = browser.get(f"/clinic/clients/{site_a.client.pk}/").content.decode()
    tokens = TOKEN.findall(page)
    assert len(tokens) >= 3  # sign out, archive, the consent to contact
    assert len(set(tokens)) == 1
    posted = browser.post("/clinic/sign-out/", {"csrfmiddlewaretoken": tokens[0]})
    assert posted.status_code == 302  # accepted: signed out


def test_a_post_with_a_made_up_token_is_still_refused(site_a: Site):
    browser = signed_in(Client(enforce_csrf_checks=True), site_a.members[Role.NURSE])
    browser.get(f"/clinic/clients/{site_a.client.pk}/")
    assert browser.post("/clinic/sign-out/", {"csrfmiddlewaretoken": "x" * 64}).status_code == 403


def test_the_field_is_worked_out_once_and_reads_the_same_as_text():
    from django.test import RequestFactory  # noqa: PLC0415 - only this test builds a bare request

    request = RequestFactory().get("/")
    field = OnceCsrfInput(request)
    assert "CSRF_COOKIE" not in request.META  # nothing asked for until a template writes it
    first = field.__html__()
    assert "CSRF_COOKIE" in request.META
    assert field.__html__() is first
    assert str(field) == first
    assert 'type="hidden" name="csrfmiddlewaretoken"' in first
