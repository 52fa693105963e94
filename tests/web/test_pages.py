"""Pages through Django's test client: content, language, headers, errors."""

from __future__ import annotations

import pytest
from django.test import Client


def test_landing_explains_and_cites(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Is microneedling at home safe for me?" in page
    assert "decision support, not a diagnosis" in page
    assert 'class="grade"' in page


def test_every_page_carries_strict_security_headers(client: Client) -> None:
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


def test_no_page_refers_to_another_origin(client: Client) -> None:
    for path in ("/", "/assess/", "/sources/", "/claims/"):
        page = client.get(path).content.decode()
        for attribute in ('src="http', 'href="http'):
            links = [chunk.split('"')[0] for chunk in page.split(attribute)[1:]]
            assert all(not link or attribute.startswith("href") for link in links), (path, links)
        assert '<link rel="stylesheet" href="/static/' in page


def test_language_follows_the_browser() -> None:
    page = Client(HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9").get("/").content.decode()
    assert '<html lang="es">' in page
    assert "apoyo para decidir" in page or "no un diagnóstico" in page


def test_language_switch_is_remembered(client: Client) -> None:
    response = client.post("/language/", {"language": "es", "next": "/sources/"})
    assert response.status_code == 302
    assert '<html lang="es">' in client.get("/sources/").content.decode()


def test_sources_filter_by_grade(client: Client) -> None:
    page = client.get("/sources/?grade=SR&grade=RCT").content.decode()
    grades = [chunk.split("<")[0] for chunk in page.split('<span class="grade">')[1:]]
    listed = grades[8:]  # the first eight are the filter's labels
    assert listed
    assert set(listed) == {"SR", "RCT"}


def test_claims_page(client: Client) -> None:
    page = client.get("/claims/").content.decode()
    assert "80" in page
    assert "Wrong" in page


def test_unknown_page_is_a_plain_404(client: Client) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@pytest.mark.parametrize("path", ["/", "/sources/", "/claims/"])
def test_pages_refuse_unexpected_methods(client: Client, path: str) -> None:
    assert client.put(path).status_code == 405
