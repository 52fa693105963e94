"""Which staff member a Django request acts as (the edge turns a request into an actor)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.test import RequestFactory

from needlewise.domain.permissions import Role
from needlewise.edge import request_actor

pytestmark = pytest.mark.django_db


def request_for(user, session, **meta):
    request = RequestFactory().get("/clinic/", **meta)
    request.user = user
    request.session = session  # a dict answers .get() like a session does
    return request


def test_a_verified_staff_member_acts_with_address_and_request_id(site_a):
    nurse = site_a.members[Role.NURSE]
    request = request_for(
        nurse.user, {request_actor.VERIFIED: True}, REMOTE_ADDR="198.51.100.23", NEEDLEWISE_REQUEST_ID="abc123"
    )
    actor = request_actor.actor_of(request)
    assert actor is not None
    assert (actor.actor_id, actor.role, actor.clinic_id, actor.user_id) == (
        f"user:{nurse.user_id}",
        Role.NURSE,
        site_a.clinic.pk,
        nurse.user_id,
    )
    assert (actor.ip, actor.request_id) == ("198.51.100.23", "abc123")


def test_forwarded_for_headers_are_ignored(site_a):
    request = request_for(
        site_a.members[Role.OWNER].user,
        {request_actor.VERIFIED: True},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="1.2.3.4",
    )
    assert request_actor.client_ip(request) == "10.0.0.1"
    del request.META["REMOTE_ADDR"]
    assert (request_actor.client_ip(request), request_actor.request_id(request)) == ("", "")


@pytest.mark.parametrize("session", [{}, {request_actor.VERIFIED: False}, {request_actor.SEEN: 1}])
def test_a_session_without_every_factor_acts_as_nobody(site_a, session):
    assert request_actor.actor_of(request_for(site_a.members[Role.PROVIDER].user, session)) is None


@pytest.mark.usefixtures("site_a")
def test_anonymous_users_and_users_without_a_clinic_act_as_nobody():
    assert request_actor.actor_of(request_for(AnonymousUser(), {request_actor.VERIFIED: True})) is None
    loner = User.objects.create(username="loner@example.org")
    assert request_actor.actor_of(request_for(loner, {request_actor.VERIFIED: True})) is None
