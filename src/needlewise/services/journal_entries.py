"""What the person logs in a home journal: its sessions and its device, as stored and as the engine counts them.

The journal's stored state (:mod:`needlewise.services.journal_state`) keeps ``sessions`` in the order
they were logged and at most one ``device``; this module reads them back and writes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from needlewise.domain.json_types import JsonValue
from needlewise.domain.vocabulary import Area, DeviceKind, Product
from needlewise.engine.journal import HomeDevice, HomeSession


@dataclass(frozen=True, slots=True)
class SessionEntry:
    """A home session as the person logs it: the day, the needle length, the areas, the products applied afterwards."""

    on: date
    needle_mm: float
    areas: frozenset[Area]
    products: frozenset[Product] = frozenset()

    def to_json(self) -> dict[str, JsonValue]:
        """Stored and written form."""
        return {
            "on": self.on.isoformat(),
            "needle_mm": self.needle_mm,
            "areas": list[JsonValue](sorted(a.value for a in self.areas)),
            "products": list[JsonValue](sorted(p.value for p in self.products)),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, JsonValue]) -> SessionEntry:
        """Read back a stored entry."""
        return cls(
            date.fromisoformat(str(data["on"])),
            float(data["needle_mm"]),  # type: ignore[arg-type]
            frozenset(Area(str(a)) for a in data["areas"]),  # type: ignore[union-attr]
            frozenset(Product(str(p)) for p in data["products"]),  # type: ignore[union-attr]
        )

    def home_session(self) -> HomeSession:
        """As the engine counts it."""
        return HomeSession(self.on.toordinal(), self.needle_mm, self.areas, self.products)


@dataclass(frozen=True, slots=True)
class DeviceEntry:
    """The person's device: its kind, needle length (None: not known), when bought (None: not known), uses so far."""

    kind: DeviceKind
    needle_mm: float | None
    bought_on: date | None
    uses: int

    def to_json(self) -> dict[str, JsonValue]:
        """Stored and written form."""
        bought = self.bought_on.isoformat() if self.bought_on is not None else None
        return {"kind": self.kind.value, "needle_mm": self.needle_mm, "bought_on": bought, "uses": self.uses}

    @classmethod
    def from_json(cls, data: Mapping[str, JsonValue]) -> DeviceEntry:
        """Read back a stored entry."""
        bought = data["bought_on"]
        needle = data["needle_mm"]
        return cls(
            DeviceKind(str(data["kind"])),
            float(needle) if isinstance(needle, int | float) else None,
            date.fromisoformat(bought) if isinstance(bought, str) else None,
            int(data["uses"]),  # type: ignore[arg-type]
        )

    def home_device(self) -> HomeDevice:
        """As the engine counts it."""
        bought = self.bought_on.toordinal() if self.bought_on is not None else None
        return HomeDevice(self.kind, self.needle_mm, bought, self.uses)


def latest_today() -> date:
    """The latest calendar day anywhere (UTC+14): a session logged "today" is never refused as after today."""
    return (datetime.now(UTC) + timedelta(hours=14)).date()


def stored_objects(value: JsonValue) -> list[dict[str, JsonValue]]:
    """The objects of a stored list (anything else in it, or a stored value that is no list: none)."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def sessions_of(state: Mapping[str, JsonValue]) -> list[SessionEntry]:
    """The sessions in a stored state, in the order they were logged."""
    return [SessionEntry.from_json(s) for s in stored_objects(state.get("sessions"))]


def device_of(state: Mapping[str, JsonValue]) -> DeviceEntry | None:
    """The device in a stored state (None: none recorded)."""
    stored = state.get("device")
    return DeviceEntry.from_json(stored) if isinstance(stored, dict) else None
