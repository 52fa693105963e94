"""The person's plan: needle length, schedules by goal, and the protocol sections that apply."""

from __future__ import annotations

from dataclasses import dataclass, field

from needlewise.domain.citation import ENUM_TEXT, Citation, SourceForms, source_forms
from needlewise.domain.json_types import JsonValue
from needlewise.domain.shared_json import SharedObject, shared
from needlewise.domain.tier import Confidence


@dataclass(frozen=True, slots=True)
class PlanSection:
    """A titled list of steps (preparation, disinfection, aftercare, red flags ...) with its sources."""

    section_id: str
    title: str
    steps: tuple[str, ...]
    confidence: Confidence
    citations: tuple[Citation, ...]
    source_forms: SourceForms = field(init=False, repr=False, compare=False, hash=False)
    shared_json: SharedObject = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        """Its JSON form and its sources', built once: the same section and schedule recur in many plans."""
        object.__setattr__(self, "source_forms", source_forms(self.citations))
        object.__setattr__(self, "shared_json", shared(self.to_json()))

    def to_json(self) -> dict[str, JsonValue]:
        """JSON form."""
        return {
            "id": self.section_id,
            "title": self.title,
            "steps": list(self.steps),
            "confidence": ENUM_TEXT[self.confidence],
            "citations": [c.source_id for c in self.citations],
        }


@dataclass(frozen=True, slots=True)
class GoalSchedule:
    """How often, and how many sessions, for one goal where it can reasonably be done."""

    goal: str
    goal_label: str
    where: str
    interval: str
    sessions: str
    confidence: Confidence
    citations: tuple[Citation, ...]
    source_forms: SourceForms = field(init=False, repr=False, compare=False, hash=False)
    shared_json: SharedObject = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        """Its JSON form and its sources', built once: the same section and schedule recur in many plans."""
        object.__setattr__(self, "source_forms", source_forms(self.citations))
        object.__setattr__(self, "shared_json", shared(self.to_json()))

    def to_json(self) -> dict[str, JsonValue]:
        """JSON form."""
        return {
            "goal": self.goal,
            "goal_label": self.goal_label,
            "where": self.where,
            "interval": self.interval,
            "sessions": self.sessions,
            "confidence": ENUM_TEXT[self.confidence],
            "citations": [c.source_id for c in self.citations],
        }


@dataclass(frozen=True, slots=True)
class Plan:
    """The person's plan: needle length, schedule, protocols and red flags that apply."""

    home_needle_mm_max: float | None
    home_needle_mm_preferred: float | None
    needle_summary: str
    schedules: tuple[GoalSchedule, ...]
    sections: tuple[PlanSection, ...]
    source_forms: SourceForms = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        """The JSON form of the sources its schedules and sections cite, in order of first citation."""
        forms: SourceForms = {}
        for schedule in self.schedules:
            forms.update(schedule.source_forms)
        for section in self.sections:
            forms.update(section.source_forms)
        object.__setattr__(self, "source_forms", forms)

    def to_json(self) -> dict[str, JsonValue]:
        """JSON form."""
        return {
            "home_needle_mm_max": self.home_needle_mm_max,
            "home_needle_mm_preferred": self.home_needle_mm_preferred,
            "needle_summary": self.needle_summary,
            "schedules": [s.shared_json for s in self.schedules],
            "sections": [s.shared_json for s in self.sections],
        }
