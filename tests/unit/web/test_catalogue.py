"""The translation catalogues stay complete and in step with the templates, without Django configured."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "src" / "needlewise"  # babel.cfg picks the files: templates, web code, clinic wording
LOCALE = ROOT / "src" / "needlewise" / "locale"
LANGUAGES = sorted(po.parents[1].name for po in LOCALE.glob("*/LC_MESSAGES/django.po"))

# A %-directive with a name, as Jinja2's newstyle gettext and Django format them: %(number)s.
NAMED = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")


def _po(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / "django.po"


def _read_po(lang: str) -> Catalog:
    with _po(lang).open("rb") as f:
        return read_po(f, locale=lang)


def _on_the_way_to_the_package(dirpath: str) -> bool:
    """Walk only the folders leading to and under the package, not node_modules or .venv."""
    path = Path(dirpath).resolve()
    return path == PACKAGE or path in PACKAGE.parents or PACKAGE in path.parents


def _extracted() -> list[tuple[str, str | None]]:
    """Every (msgid, context) the templates and code ask to translate today, with babel.cfg's method map.

    The keywords are the Makefile's: ``gettext_noop`` marks sentences worded later (session checks, findings).
    """
    with (ROOT / "babel.cfg").open(encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f, "babel.cfg")
    found: dict[tuple[str, str | None], None] = {}
    for _filename, _lineno, message, _comments, context in extract_from_dir(
        ROOT,
        method_map,
        options_map,
        keywords={**DEFAULT_KEYWORDS, "N_": None, "gettext_noop": None},
        directory_filter=_on_the_way_to_the_package,
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found[msgid, context] = None
    return list(found)


def _named(text: str) -> Counter[str]:
    return Counter(NAMED.findall(text))


def _strings(message: object) -> tuple[str, ...]:
    if isinstance(message, list | tuple):
        return tuple(str(m) for m in message)
    return (str(message),)


def _hashable(value: object) -> object:
    return tuple(value) if isinstance(value, list) else value


def _translations(catalog: Catalog) -> dict[tuple[object, str | None], object]:
    return {(_hashable(m.id), m.context): _hashable(m.string) for m in catalog if m.id}


def test_a_spanish_catalogue_exists() -> None:
    assert "es" in LANGUAGES


def test_babel_cfg_fails_loudly_on_template_syntax_errors() -> None:
    with (ROOT / "babel.cfg").open(encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f, "babel.cfg")
    jinja = [pattern for pattern, method in method_map if method == "jinja2"]
    assert jinja
    for pattern in jinja:
        assert options_map[pattern].get("silent") == "false"
        assert options_map[pattern].get("newstyle_gettext") == "true"


def test_the_templates_have_messages() -> None:
    msgids = {msgid for msgid, _context in _extracted()}
    assert "Is microneedling at home safe for me?" in msgids
    assert "Question %(number)s of about %(total)s" in msgids
    assert "Cartridge never used before" in msgids  # clinic/treatment/session_checks.py, marked with gettext_noop


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_template_message_is_translated(lang: str) -> None:
    catalog = _read_po(lang)
    missing = []
    for msgid, context in _extracted():
        message = catalog.get(msgid, context=context)
        if message is None or not all(_strings(message.string)):
            missing.append(msgid)
    assert not missing, (
        f"{len(missing)} message(s) not translated in {_po(lang).relative_to(ROOT)}; "
        "run pybabel extract and update (see babel.cfg), then translate:\n" + "\n".join(missing)
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_entry_is_fuzzy(lang: str) -> None:
    catalog = _read_po(lang)
    assert not catalog.fuzzy, "the catalogue header is fuzzy, so pybabel compile would skip it"
    fuzzy = [str(m.id) for m in catalog if m.id and m.fuzzy]
    assert not fuzzy, "fuzzy entries:\n" + "\n".join(fuzzy)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_match(lang: str) -> None:
    wrong = []
    for m in _read_po(lang):
        if not m.id or not m.string:
            continue
        expected = _named(_strings(m.id)[0])
        wrong.extend(
            f"{_strings(m.id)[0]!r} -> {translated!r}"
            for translated in _strings(m.string)
            if _named(translated) != expected
        )
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_stray_percent_sign(lang: str) -> None:
    # Newstyle gettext always %-formats the result, so a lone % breaks the page; write %% for a literal one.
    stray = [
        text
        for m in _read_po(lang)
        if m.id
        for text in (*_strings(m.id), *_strings(m.string))
        if "%" in NAMED.sub("", text).replace("%%", "")
    ]
    assert not stray, "stray % signs:\n" + "\n".join(stray)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_compiled_catalogue_matches_the_po(lang: str) -> None:
    po = _read_po(lang)
    mo_path = _po(lang).with_suffix(".mo")
    assert mo_path.is_file(), (
        f"{mo_path.relative_to(ROOT)} is missing: run pybabel compile -d src/needlewise/locale -D django"
    )
    with mo_path.open("rb") as f:
        mo = read_mo(f)
    # pybabel compile leaves fuzzy entries out, so they are not expected in the .mo.
    expected = {(_hashable(m.id), m.context): _hashable(m.string) for m in po if m.id and not m.fuzzy}
    assert _translations(mo) == expected, (
        f"{mo_path.relative_to(ROOT)} is out of date: run pybabel compile -d src/needlewise/locale -D django"
    )
