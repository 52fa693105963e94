"""A source as an assessment cites it, with its JSON form built once and shared."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import TypeAlias

from needlewise.domain.json_types import JsonValue
from needlewise.domain.shared_json import SharedObject, shared
from needlewise.domain.tier import Confidence, Grade, Severity, Tier

# Plain strings for the closed vocabularies, looked up instead of reading Enum.value (a slow descriptor).
ENUM_TEXT: dict[Enum, str] = {member: member.value for kind in (Tier, Severity, Confidence, Grade) for member in kind}


@dataclass(frozen=True, slots=True)
class Citation:
    """A source as a finding cites it."""

    source_id: str
    title: str
    authors: str | None
    year: int | None
    grade: Grade
    url: str | None  # None: no public original found; cited by its text, never by a copy's address
    shared_json: SharedObject = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        """Build the JSON form once: the same citation appears in many assessments (read-only, shared)."""
        json: dict[str, JsonValue] = {
            "id": self.source_id,
            "title": self.title,
            "authors": self.authors,
            "year": self.year,
            "grade": ENUM_TEXT[self.grade],
            "url": self.url,
        }
        object.__setattr__(self, "shared_json", shared(json))

    def to_json(self) -> dict[str, JsonValue]:
        """JSON form (a fresh, changeable copy)."""
        return dict(self.shared_json)


# Source id -> its shared, read-only JSON form.
SourceForms: TypeAlias = dict[str, SharedObject]


def source_forms(citations: tuple[Citation, ...]) -> SourceForms:
    """The JSON form of each cited source, by id, in order of citation."""
    return {c.source_id: c.shared_json for c in citations}
