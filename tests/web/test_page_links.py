"""Links in pages: ``url()`` in templates gives exactly what Django's ``reverse`` gives, for every route."""

from __future__ import annotations

import pytest
from django.urls import (
    NoReverseMatch,
    URLPattern,
    get_resolver,
    path,
    register_converter,
    reverse,
    set_script_prefix,
    set_urlconf,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from needlewise.web.jinja import request_url, url

NAMED = sorted(
    (pattern.name, len(pattern.pattern.converters))
    for pattern in get_resolver().url_patterns
    if isinstance(pattern, URLPattern) and pattern.name
)


def _reversed(name: str, args: list[object]) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _linked(name: str, args: list[object]) -> str | None:
    try:
        return url(name, args=args)
    except NoReverseMatch:
        return None


@pytest.mark.parametrize(("name", "count"), NAMED)
@settings(max_examples=25, deadline=None)
@given(ids=st.lists(st.integers(min_value=-5, max_value=10**15), min_size=8, max_size=8))
def test_a_link_is_what_reverse_gives(name: str, count: int, ids: list[int]) -> None:
    args: list[object] = list(ids[:count])
    assert _linked(name, args) == _reversed(name, args)


@pytest.mark.parametrize(("name", "count"), [n for n in NAMED if n[1]])
def test_text_and_odd_arguments_still_go_through_reverse(name: str, count: int) -> None:
    for args in (["7"] * count, [True] * count, ["a/b"] * count, ["x" * 40] * count):
        assert _linked(name, list(args)) == _reversed(name, list(args))


def test_an_id_link_follows_the_script_prefix() -> None:
    assert url("clinic-screening", args=[12]) == "/clinic/screenings/12/"
    set_script_prefix("/nw/")
    try:
        assert url("clinic-screening", args=[12]) == "/nw/clinic/screenings/12/"
        assert url("clinic-screening", args=[13]) == "/nw/clinic/screenings/13/"
    finally:
        set_script_prefix("/")
    assert url("clinic-screening", args=[13]) == "/clinic/screenings/13/"


def test_a_pages_own_url_reads_the_prefix_when_the_page_starts() -> None:
    set_script_prefix("/nw/")
    try:
        here = request_url()
    finally:
        set_script_prefix("/")
    assert here("clinic-screening", args=[12]) == "/nw/clinic/screenings/12/"
    assert here("clinic-home") == "/nw/clinic/"
    assert here("clinic-client", kwargs={"client_id": 3}) == "/clinic/clients/3/"  # reverse() reads it itself


def test_keyword_arguments_and_routes_that_refuse_ids_go_through_reverse() -> None:
    assert url("clinic-client", kwargs={"client_id": 4}) == "/clinic/clients/4/"
    assert url("clinic-public", args=[5]) == reverse("clinic-public", args=[5])
    with pytest.raises(NoReverseMatch):
        url("clinic-client", args=[1, 2, 3, 4, 5, 6, 7, 8, 9])


class _PaddedId:
    """A route whose ids go out zero-padded: the stand-in does not come back as it went in."""

    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return f"{int(value):020d}"


class _Twice:
    """A route that writes its id twice."""

    regex = "[0-9]+(-[0-9]+)?"

    def to_python(self, value: str) -> int:
        return int(value.split("-", maxsplit=1)[0])

    def to_url(self, value: int) -> str:
        return f"{value}-{value}"


def _view(request: object) -> None:  # pragma: no cover - never called, only reversed
    del request


register_converter(_PaddedId, "padded-id")
register_converter(_Twice, "twice")
urlpatterns = [
    path("padded/<padded-id:n>/", _view, name="padded"),
    path("twice/<twice:n>/", _view, name="twice"),
]


def test_routes_that_change_an_id_on_the_way_out_go_through_reverse() -> None:
    set_urlconf(__name__)
    try:
        assert url("padded", args=[42]) == "/padded/00000000000000000042/"
        assert url("twice", args=[42]) == "/twice/42-42/"
    finally:
        set_urlconf(None)


class _Big:
    """A route that takes only ids of 13 digits or more: the stand-ins pass, small ids do not."""

    regex = "[0-9]{13,}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(_Big, "big")
urlpatterns.append(path("big/<big:n>/", _view, name="big"))


def test_a_route_that_refuses_small_ids_refuses_them_in_pages_too() -> None:
    set_urlconf(__name__)
    try:
        with pytest.raises(NoReverseMatch):
            url("big", args=[42])
        assert url("big", args=[1234567890123]) == "/big/1234567890123/"
    finally:
        set_urlconf(None)


class _Short:
    """A route whose ids have at most four digits: the stand-ins are refused."""

    regex = "[0-9]{1,4}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(_Short, "short")
urlpatterns.append(path("short/<short:n>/", _view, name="short"))


def test_a_route_with_bounded_ids_goes_through_reverse() -> None:
    set_urlconf(__name__)
    try:
        assert url("short", args=[42]) == "/short/42/"
        with pytest.raises(NoReverseMatch):
            url("short", args=[12345])
    finally:
        set_urlconf(None)
