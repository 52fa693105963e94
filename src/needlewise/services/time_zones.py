"""IANA time zones: which names are accepted, and the list a person chooses from, named understandably.

One place for both: a clinic's time zone (:mod:`needlewise.clinic.accounts.fields`) and a home
journal's reminders (:mod:`needlewise.services.journal`) are checked by :func:`valid_time_zone`; the
journal's reminders page and the clinic's settings page offer :func:`zone_choices`; :func:`zone_named`
is the zone a stored name stands for (times are shown on the clinic's clock, or on the person's for a
journal), and :func:`today_in` the day it is there now (a journal's "today"). Any name the installed
IANA database knows is accepted (``US/Pacific`` too; not ``localtime``, the server's own, nor the
placeholder ``Factory``); the list offers the region/city names (``Europe/Madrid``) and ``UTC``, grouped
by region, each city written with spaces (``America/Argentina/Buenos_Aires``: "Argentina, Buenos Aires"
under "America").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from needlewise.errors import N_

#: The regions the list offers, with their names to translate (``Etc``, ``US`` ... are left out).
REGIONS = {
    "Africa": N_("Africa"),
    "America": N_("America"),
    "Antarctica": N_("Antarctica"),
    "Arctic": N_("Arctic"),
    "Asia": N_("Asia"),
    "Atlantic": N_("Atlantic"),
    "Australia": N_("Australia"),
    "Europe": N_("Europe"),
    "Indian": N_("Indian Ocean"),
    "Pacific": N_("Pacific"),
}
UTC_NAME = "UTC"


#: Files of the time zone database that name no place's time: the server's own zone, and a placeholder.
NOT_ZONES = frozenset({"localtime", "Factory"})


@cache
def _names() -> frozenset[str]:
    return frozenset(available_timezones()) - NOT_ZONES


def time_zone_names() -> list[str]:
    """Every name :func:`valid_time_zone` accepts, sorted (the API's schema lists them)."""
    return sorted(_names())


def valid_time_zone(name: str) -> bool:
    """Whether ``name`` is an IANA time zone name (``Europe/Madrid``, ``UTC``)."""
    return name in _names()


def zone_named(name: str | None) -> tzinfo:
    """The IANA zone ``name`` (checked when it was chosen); UTC for none, and for a name Python does not know."""
    try:
        return ZoneInfo((name or "").strip() or UTC_NAME)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def today_in(name: str | None) -> date:
    """Today's calendar day on the clock of the zone ``name`` (a journal's; UTC for none), not the server's."""
    return datetime.now(UTC).astimezone(zone_named(name)).date()


@dataclass(frozen=True, slots=True)
class Zone:
    """One choice of the list: its IANA name and the place it is named after (``Buenos Aires``)."""

    name: str
    place: str


@dataclass(frozen=True, slots=True)
class Region:
    """A group of the list: the region's English name (translate it with ``_``) and its zones by place."""

    label: str
    zones: tuple[Zone, ...]


def place_of(name: str) -> str:
    """The place a zone is named after, readable: ``America/Argentina/Buenos_Aires`` is "Argentina, Buenos Aires"."""
    return ", ".join(part.replace("_", " ") for part in name.split("/")[1:]) or name


@cache
def zone_choices() -> tuple[Region, ...]:
    """The zones a person chooses from, by region (in :data:`REGIONS`' order), each region's by place."""
    regions = []
    for region, label in REGIONS.items():
        zones = sorted((Zone(n, place_of(n)) for n in _names() if n.startswith(f"{region}/")), key=lambda z: z.place)
        regions.append(Region(label, tuple(zones)))
    return tuple(regions)
