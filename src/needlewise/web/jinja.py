"""The Jinja2 environment: autoescaping, gettext from Django's catalogues, static, url and label helpers."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.templatetags.static import static
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_noop, trans_real
from jinja2 import Environment, StrictUndefined
from markupsafe import Markup

from needlewise.clinic.followup.alerts import open_alert_count_for
from needlewise.clinic.messages import failed_message_count_for
from needlewise.domain.disposition import Disposition
from needlewise.domain.permissions import Action, Role
from needlewise.domain.tier import Tier
from needlewise.domain.vocabulary import Lang
from needlewise.reports.labels import label
from needlewise.reports.levels import card_level
from needlewise.reports.numbers import format_number, local_decimals
from needlewise.web.fragments import once

# A staff role as pages show it, e.g. "Nadia Nurse (nurse)"; translated when shown.
_ROLE_LABELS: dict[Role, str] = {
    Role.OWNER: gettext_noop("owner"),
    Role.PROVIDER: gettext_noop("provider"),
    Role.NURSE: gettext_noop("nurse"),
    Role.AESTHETICIAN: gettext_noop("aesthetician"),
    Role.FRONT_DESK: gettext_noop("front desk"),
}


def environment(**options: Any) -> Environment:  # noqa: ANN401 - Django passes Jinja2's own options
    """The environment Django's Jinja2 backend uses."""
    options.update(autoescape=True, undefined=StrictUndefined)
    env = Environment(extensions=["jinja2.ext.i18n"], **options)  # noqa: S701 - autoescape forced on above
    env.install_gettext_translations(translation, newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(
        static=static,
        url=url,
        get_language=translation.get_language,
        plain_number=plain_number,
        role_label=role_label,
        Action=Action,
        card_level=card_level,
        report_label=report_label,
        long_date=long_date,
        once=once,
        disposition_of=disposition_of,
        open_alert_count=open_alert_count_for,
        failed_message_count=failed_message_count_for,
    )
    env.filters["decimals"] = decimals
    env.filters["local_time"] = local_time
    env.filters["local_date"] = local_date
    env.filters["local_day"] = local_day
    return env


def url(viewname: str, args: Sequence[object] | None = None, kwargs: dict[str, object] | None = None) -> str:
    """Django's ``reverse``, worked out once per link shape.

    A link without arguments (the menus' links, on every page) is remembered whole; a link whose
    arguments are all record ids (non-negative integers: a client's, a screening's) is remembered as
    its text around the ids, so a list of 50 clients costs one ``reverse``, not 50. Both are
    remembered per URL configuration and script prefix, the two things besides the name they depend
    on. Anything else goes to ``reverse`` as it is.
    """
    return _url(viewname, args, kwargs, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())


def page_gettext() -> Callable[..., Markup]:
    """The templates' ``_`` for the page being rendered, with the active language's catalogue found once.

    It gives what the i18n extension's ``_`` (newstyle, autoescaped) gives: the translation as markup,
    always %-formatted with the keyword arguments (escaped; ``%%`` is a percent sign). That one goes
    through two nested template calls and Django's search for the active language on each of the
    eighty or so texts of a clinic page; a page passes this one to its template as ``_``. An empty text,
    one that is not a plain string (a lazy or a marked one) or one holding a carriage return goes to
    Django's ``gettext`` as before.
    """
    language = translation.get_language()
    lookup = trans_real.translation(language).gettext if language else translation.gettext

    def gettext(message: str, /, **variables: object) -> Markup:
        if not message or message.__class__ is not str or "\r" in message:
            return Markup(translation.gettext(message)) % variables  # noqa: S704 - as the i18n extension: values escaped
        if not variables and "%" not in message:  # nothing to fill in: % would only copy the text
            return Markup(lookup(message))  # noqa: S704 - the catalogue's text is trusted markup, as there
        return Markup(lookup(message)) % variables  # noqa: S704 - the catalogue's text is trusted markup, as there

    return gettext


def request_url() -> Callable[..., str]:
    """:func:`url` for the request being answered: its URL configuration and script prefix read once.

    A page passes it to its template as ``url``, so a list of links does not look both up per link.
    """
    urlconf, prefix = get_urlconf() or settings.ROOT_URLCONF, get_script_prefix()

    def url_here(viewname: str, args: Sequence[object] | None = None, kwargs: dict[str, object] | None = None) -> str:
        return _url(viewname, args, kwargs, urlconf, prefix)

    return url_here


def _url(
    viewname: str, args: Sequence[object] | None, kwargs: dict[str, object] | None, urlconf: str, prefix: str
) -> str:
    if kwargs:
        return reverse(viewname, args=args, kwargs=kwargs)
    if not args:
        return _plain_url(viewname, urlconf, prefix)
    if all(type(arg) is int and arg >= 0 for arg in args):
        pieces = _id_url_pieces(viewname, len(args), urlconf, prefix)
        if pieces is not None:
            return _filled(pieces, args)
    return reverse(viewname, args=args)


def _filled(pieces: tuple[str, ...], ids: Sequence[object]) -> str:
    if len(ids) == 1:
        return f"{pieces[0]}{ids[0]}{pieces[1]}"
    return "".join(piece + str(one) for piece, one in zip(pieces, ids, strict=False)) + pieces[-1]


@functools.lru_cache(maxsize=512)
def _plain_url(viewname: str, urlconf: str, prefix: str) -> str:
    return _under(prefix, reverse(viewname, urlconf=urlconf))


def _under(prefix: str, link: str) -> str:
    """``link``, which ``reverse`` wrote under the current script prefix, under ``prefix`` instead."""
    return prefix + link.removeprefix(get_script_prefix())


# Stand-in ids, one per position: each must come out of reverse() exactly once, as it went in.
_MARKERS = tuple(7_301_946_285_000 + position for position in range(8))


@functools.lru_cache(maxsize=512)
def _id_url_pieces(viewname: str, count: int, urlconf: str, prefix: str) -> tuple[str, ...] | None:
    """The link's text around its ``count`` ids, or ``None`` where the pattern does not take any id there.

    Reversed once with stand-in ids, then checked against ``reverse`` with small ids: a pattern that
    refuses either (a bounded number, a slug) or that changes ids on the way out (padding) is left to
    ``reverse`` every time.
    """
    markers = _MARKERS[:count]
    if len(markers) < count:
        return None
    try:
        text = _under(prefix, reverse(viewname, urlconf=urlconf, args=markers))
    except NoReverseMatch:
        return None
    pieces: list[str] = []
    for marker in map(str, markers):
        before, found, text = text.partition(marker)
        if not found or marker in text:
            return None
        pieces.append(before)
    shape, probe = (*pieces, text), tuple(range(1, count + 1))
    try:
        expected = _under(prefix, reverse(viewname, urlconf=urlconf, args=probe))
    except NoReverseMatch:
        return None
    return shape if _filled(shape, probe) == expected else None


def active_lang() -> Lang:
    """The language of the request being answered."""
    return Lang.ES if (translation.get_language() or "en").startswith("es") else Lang.EN


def decimals(text: str) -> str:
    """``text`` with its decimal numbers as the page's language writes them (0,25 mm in Spanish)."""
    return local_decimals(text, active_lang())


def report_label(key: str) -> str:
    """A fixed word of the reports (tier names, next steps ...) in the page's language, as the CLI says it."""
    return label(key, active_lang())


def long_date(value: dt.date) -> str:
    """A date in words in the page's language: 7 December 2026, 7 de diciembre de 2026.

    Worked out once per day and language (a journal's page writes sixty or so dates).
    """
    return _long_date(value, active_lang())


@functools.lru_cache(maxsize=8192)
def _long_date(value: dt.date, lang: Lang) -> str:
    """:func:`long_date` for ``lang``, which is the active language (it says the month's name)."""
    return formats.date_format(value, r"j \d\e F \d\e Y" if lang is Lang.ES else "j F Y")


def local_time(value: dt.datetime, seconds: bool = False) -> str:
    """A stored instant on the active clock with the zone's abbreviation: ``2026-12-21 10:00 CET``.

    Staff pages run with the clinic's time zone active (:class:`needlewise.web.staff_session.StaffSessionMiddleware`),
    a home journal's pages with the journal's (:func:`needlewise.web.views.journal_return.on_journal_clock`).
    """
    return timezone.localtime(value).strftime(f"%Y-%m-%d %H:%M{':%S' if seconds else ''} %Z")


def local_day(value: dt.datetime | str) -> dt.date | str:
    """The calendar day on the active clock (see :func:`local_time`) of a stored instant.

    An instant may come as the ISO 8601 text a journal's summary keeps (``2026-12-21T23:30:00+00:00``;
    one without an offset is UTC); text that is no instant is given back as it is.
    """
    if isinstance(value, str):
        try:
            instant = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        value = instant if timezone.is_aware(instant) else instant.replace(tzinfo=dt.UTC)
    return timezone.localdate(value)


def local_date(value: dt.datetime | str) -> str:
    """:func:`local_day` written as ``2026-12-21``."""
    day = local_day(value)
    return day.isoformat() if isinstance(day, dt.date) else day


def plain_number(value: float | Decimal | str) -> str:
    """``8.0`` as ``8``, ``Decimal("0.50")`` as ``0,5`` in Spanish: a number as the page's language writes it."""
    return format_number(value, active_lang())


def role_label(role: str) -> str:
    """A staff role's code (``front_desk``) as words in the active language ("front desk")."""
    return translation.gettext(_ROLE_LABELS[Role(role)])


def disposition_of(tier: str) -> Disposition:
    """The clinic disposition of a stored tier code, for staff pages (see needlewise.domain.disposition)."""
    return Disposition.of_tier(Tier(tier))
