"""A page's own ``_`` (``page_gettext``) gives what the i18n extension's ``_`` gives, in every language."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy, trans_real
from markupsafe import Markup

from needlewise.web.jinja import environment, page_gettext

ENV = environment()
SAID = ENV.from_string("{{ _(message, **variables) }}")


@pytest.fixture(autouse=True)
def english_after() -> Iterator[None]:
    yield
    translation.activate("en")


def _both(message: object, variables: dict[str, object]) -> tuple[str, str]:
    """The text as the extension's ``_`` says it, and as the page's own."""
    by_extension = SAID.render(message=message, variables=variables)
    by_page = SAID.render(message=message, variables=variables, _=page_gettext())
    return by_extension, by_page


def _catalogue_texts() -> list[str]:
    catalogue = trans_real.translation("es")._catalog  # Django's merged catalogue: it has keys() but no __iter__
    texts = [key for key in catalogue.keys() if isinstance(key, str) and key]  # noqa: SIM118
    return sorted(text for text in texts if "%" not in text)


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_text_of_the_catalogue_reads_the_same(language: str):
    translation.activate(language)
    texts = _catalogue_texts()
    assert len(texts) > 500
    for text in texts:
        by_extension, by_page = _both(text, {})
        assert by_page == by_extension, text
    if language == "es":
        assert _both("Messages to the client", {})[1] == "Mensajes al cliente"


@pytest.mark.parametrize("language", ["en", "es", None])
@pytest.mark.parametrize(
    ("message", "variables"),
    [
        ("Every answer (%(n)s)", {"n": 3}),
        ("Every answer (%(n)s)", {"n": "<b>3</b>"}),  # a value is escaped
        ("100%% of <i>this</i>", {}),  # always formatted: %% is one percent sign
        ("", {}),  # Django's gettext: nothing, not the catalogue's header
        (gettext_lazy("Yes"), {}),
        (Markup("Yes"), {}),
        ("Yes\r\n", {}),
        ("Not in any catalogue", {}),
    ],
)
def test_variables_escaping_and_odd_texts_read_the_same(language: str | None, message: object, variables: dict):
    if language is None:
        translation.deactivate_all()
    else:
        translation.activate(language)
    by_extension, by_page = _both(message, variables)
    assert by_page == by_extension
    assert "<b>" not in by_page
