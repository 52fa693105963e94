"""A malformed session cookie is no session: never a server error, on either database."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", ["abc\x00defghijkl", "A" * 32, "short", "x" * 41, "ééééééééé"])
def test_a_malformed_session_cookie_counts_as_signed_out(value: str) -> None:
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = value
    api = client.get("/api/v1/clinic/clients")
    assert api.status_code == 401
    page = client.get("/clinic/")
    assert page.status_code == 302
    assert page["Location"].startswith("/clinic/sign-in/")


def test_a_well_formed_key_still_works() -> None:
    from django.contrib.sessions.backends.base import SessionBase  # noqa: PLC0415

    from needlewise.web.session_store import SessionStore  # noqa: PLC0415

    store = SessionStore()
    store["x"] = 1
    store.save()
    assert isinstance(store, SessionBase)
    assert SessionStore(store.session_key)["x"] == 1


def test_an_expired_session_row_is_no_session() -> None:
    from django.contrib.sessions.models import Session  # noqa: PLC0415
    from django.utils import timezone  # noqa: PLC0415

    from needlewise.web.session_store import SessionStore  # noqa: PLC0415

    store = SessionStore()
    store["x"] = 1
    store.save()
    key = store.session_key
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timezone.timedelta(seconds=1))
    again = SessionStore(key)
    assert again.get("x") is None
    assert again.session_key is None


def test_menu_links_follow_the_script_prefix() -> None:
    from django.urls import set_script_prefix  # noqa: PLC0415

    from needlewise.web.jinja import url  # noqa: PLC0415

    assert url("clinic-home") == "/clinic/"
    set_script_prefix("/needlewise/")
    try:
        assert url("clinic-home") == "/needlewise/clinic/"
        assert url("clinic-client", args=[7]) == "/needlewise/clinic/clients/7/"
    finally:
        set_script_prefix("/")
    assert url("clinic-home") == "/clinic/"
