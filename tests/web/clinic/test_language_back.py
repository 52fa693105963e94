"""The language switcher never sends anyone to an address that only takes POST (a bare 405), on any page."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.views.decorators.http import require_POST

from needlewise.web.views.language import allowed_methods, answers_get, back_to
from web.clinic.support import Site, staff_client

pytestmark = pytest.mark.django_db

#: A page that answered a form's POST -> where the switcher goes back to, in the other language.
BACK: list[tuple[Callable[[Site], str], Callable[[Site], str]]] = [
    (lambda s: f"/clinic/clients/{s.client.pk}/archive/", lambda s: f"/clinic/clients/{s.client.pk}/"),
    (lambda s: f"/clinic/intake/{s.request.pk}/decide/", lambda s: f"/clinic/intake/{s.request.pk}/"),
    (lambda s: f"/clinic/staff/{s.owner.pk}/active/", lambda _s: "/clinic/staff/"),  # no page for one member
    (lambda _s: "/clinic/sign-out/", lambda _s: "/clinic/"),
    (lambda _s: "/clinic/messages/1/resend/", lambda _s: "/clinic/messages/"),
    (lambda s: f"/clinics/{s.clinic.slug}/request/", lambda s: f"/clinics/{s.clinic.slug}/"),
    (lambda _s: "/clinics/send/", lambda _s: "/clinics/"),
    (lambda _s: "/save/", lambda _s: "/"),
    (lambda _s: "/no/such/page/", lambda _s: "/"),
]


@pytest.mark.parametrize(("posted", "page"), BACK)
def test_after_a_post_only_address_the_switcher_goes_to_the_page_above_it(
    site_a: Site, posted: Callable[[Site], str], page: Callable[[Site], str]
) -> None:
    owner = staff_client(site_a.owner)
    switched = owner.post("/language/", {"language": "es", "next": posted(site_a)})
    assert switched.status_code == 302
    assert switched["Location"] == page(site_a)
    landed = owner.get(switched["Location"])
    assert landed.status_code == 200
    assert '<html lang="es">' in landed.content.decode()


@pytest.mark.parametrize(
    ("asked", "location"),
    [
        ("/sources/?x=1", "/sources/?x=1"),  # a page: as it was asked, its query kept
        ("/clinic/clients/?q=zeph", "/clinic/clients/?q=zeph"),
        ("https://evil.example/", "/"),  # another site: Django's own check first
        ("//evil.example/save/", "/"),
        ("save/", "/"),  # a relative address: the site's root
    ],
)
def test_pages_and_unsafe_addresses(client: Client, asked: str, location: str) -> None:
    switched = client.post("/language/", {"language": "es", "next": asked})
    assert switched["Location"] == location
    assert switched.cookies["django_language"].value == "es"


def test_without_anywhere_to_go_it_only_sets_the_language(client: Client) -> None:
    switched = client.post("/language/", {"language": "es"}, HTTP_ACCEPT="application/json")
    assert switched.status_code == 204
    assert switched.cookies["django_language"].value == "es"


def test_the_referer_of_a_post_only_address_is_not_where_it_goes(client: Client) -> None:
    switched = client.post("/language/", {"language": "es"}, HTTP_REFERER="http://testserver/save/")
    assert switched["Location"] == "/"


def _views(patterns: list[URLPattern | URLResolver]) -> list[Callable[..., HttpResponse]]:
    found: list[Callable[..., HttpResponse]] = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found.extend(_views(pattern.url_patterns))
        else:
            found.append(pattern.callback)
    return found


def test_the_methods_of_every_view_are_read_and_post_only_ones_are_found() -> None:
    methods = [allowed_methods(view) for view in _views(get_resolver().url_patterns)]
    assert frozenset({"POST"}) in methods
    assert frozenset({"GET", "HEAD"}) in methods
    assert None in methods  # the JSON API's views say nothing: any method is theirs to refuse

    @require_POST
    def posted(request: HttpRequest) -> HttpResponse:
        del request
        return HttpResponse()

    def plain(request: HttpRequest) -> HttpResponse:
        del request
        return HttpResponse()

    assert allowed_methods(posted) == {"POST"}
    assert allowed_methods(plain) is None
    assert answers_get("/journal/some-key/session/")  # a journal form's address goes to its journal
    assert not answers_get("/save/")
    assert back_to("/") == "/"
