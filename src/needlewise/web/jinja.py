"""The Jinja2 environment: autoescaping, gettext from Django's catalogues, static, url and label helpers."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_noop
from jinja2 import Environment, StrictUndefined

from needlewise.clinic.followup.alerts import open_alert_count_for
from needlewise.domain.disposition import Disposition
from needlewise.domain.permissions import Action, Role
from needlewise.domain.tier import Tier
from needlewise.domain.vocabulary import Lang
from needlewise.reports.labels import label
from needlewise.reports.levels import card_level
from needlewise.reports.numbers import format_number, local_decimals

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
        disposition_of=disposition_of,
        open_alert_count=open_alert_count_for,
    )
    env.filters["decimals"] = decimals
    env.filters["local_time"] = local_time
    env.filters["local_date"] = local_date
    return env


def url(viewname: str, args: Sequence[object] | None = None, kwargs: dict[str, object] | None = None) -> str:
    """Django's ``reverse``; a link without arguments (the menus' links, on every page) is worked out once.

    Remembered per URL configuration and script prefix, the two things besides the name it depends on.
    """
    if args or kwargs:
        return reverse(viewname, args=args, kwargs=kwargs)
    return _plain_url(viewname, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())


@functools.lru_cache(maxsize=512)
def _plain_url(viewname: str, urlconf: str, prefix: str) -> str:
    del prefix  # part of the cache key: reverse() adds the current one itself
    return reverse(viewname, urlconf=urlconf)


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
    """A date in words in the page's language: 7 December 2026, 7 de diciembre de 2026."""
    return formats.date_format(value, r"j \d\e F \d\e Y" if active_lang() is Lang.ES else "j F Y")


def local_time(value: dt.datetime, seconds: bool = False) -> str:
    """A stored instant on the clinic's clock with the zone's abbreviation: ``2026-12-21 10:00 CET``.

    Staff pages run with the clinic's time zone active (:class:`needlewise.web.staff_session.StaffSessionMiddleware`).
    """
    return timezone.localtime(value).strftime(f"%Y-%m-%d %H:%M{':%S' if seconds else ''} %Z")


def local_date(value: dt.datetime) -> str:
    """The clinic's calendar day of a stored instant: ``2026-12-21``."""
    return timezone.localdate(value).isoformat()


def plain_number(value: float | Decimal | str) -> str:
    """``8.0`` as ``8``, ``Decimal("0.50")`` as ``0,5`` in Spanish: a number as the page's language writes it."""
    return format_number(value, active_lang())


def role_label(role: str) -> str:
    """A staff role's code (``front_desk``) as words in the active language ("front desk")."""
    return translation.gettext(_ROLE_LABELS[Role(role)])


def disposition_of(tier: str) -> Disposition:
    """The clinic disposition of a stored tier code, for staff pages (see needlewise.domain.disposition)."""
    return Disposition.of_tier(Tier(tier))
