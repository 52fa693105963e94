"""What a home journal says now: its stored entries read back, decided by the engine, written as JSON.

The stored state is one sealed JSON document: ``sessions`` in the order they were logged and the
``device`` (:mod:`needlewise.services.journal_entries`), and the history: ``checks``
(:mod:`needlewise.services.journal_history`) and ``changes``
(:mod:`needlewise.services.journal_change_history`). Everything else (findings, the next day,
replacement, pause) is decided again on each read with today's knowledge base, so a corrected
knowledge base corrects every journal.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from needlewise.domain.assessment import Assessment, Finding
from needlewise.domain.citation import ENUM_TEXT, Citation
from needlewise.domain.json_types import JsonValue
from needlewise.domain.profile import Profile
from needlewise.domain.tier import Confidence
from needlewise.domain.vocabulary import Lang
from needlewise.engine.evaluate import assess
from needlewise.engine.home_limit import OverHomeLimit, limits_of
from needlewise.engine.journal import (
    NextSession,
    Pause,
    Replacement,
    logged_findings,
    next_session,
    pause,
    replacement,
)
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.engine.prepared import prepared_for
from needlewise.services.journal_change_history import ChangeEntry, changes_of
from needlewise.services.journal_entries import DeviceEntry, SessionEntry, device_of, sessions_of
from needlewise.services.journal_history import ShownCheck, checks_of, hold_of, shown_checks
from needlewise.services.journal_referrals import ReferralEntry, referrals_of

JOURNAL_SCHEMA = "needlewise.journal/1"


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months (the last day of a shorter month where needed)."""
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


@dataclass(frozen=True, slots=True)
class LoggedSession:
    """A logged session and what it raised."""

    entry: SessionEntry
    findings: tuple[Finding, ...]


@dataclass(frozen=True, slots=True)
class JournalView:
    """A journal as it stands today: its entries, the re-assessment, and what the engine decides from them."""

    created_at: datetime | None
    lang: Lang
    assessment: Assessment
    pause: Pause | None
    sessions: tuple[LoggedSession, ...]  # in the order they were logged
    next_session: NextSession | None
    device: DeviceEntry | None
    replacement: Replacement | None
    document: Mapping[str, JsonValue]  # the stored profile document, as the person answered it
    citations: tuple[Citation, ...] = ()  # the interval's, the replacement figures' and the history's sources
    checks: tuple[ShownCheck, ...] = ()  # in the order made
    changes: tuple[ChangeEntry, ...] = ()  # in the order made
    referrals: tuple[ReferralEntry, ...] = ()  # the clinics it was sent to, in the order sent
    limits: tuple[OverHomeLimit, ...] = ()  # the latest session's and the binding one's, when above home use

    @property
    def attention(self) -> ShownCheck | None:
        """The worst skin check still in force (stop and watch, seek care now): first on the page until resolved.

        Resolved only by a later check on a later day that says the expected course, where the person
        says a doctor has seen them or the signs have gone (:func:`.journal_history.hold_of`).
        """
        held = hold_of([c.entry for c in self.checks])
        return self.checks[held.index] if held is not None else None

    reminders: bool = False  # whether reminders go by e-mail (the address itself is never part of the view)
    time_zone: str | None = None  # the IANA zone whose 09:00 reminders go at; None: none chosen, UTC

    @property
    def reminder_zone(self) -> str:
        """The zone whose 09:00 the reminders go at: the one chosen, or UTC."""
        return self.time_zone or "UTC"

    @property
    def next_session_on(self) -> date | None:
        """The next reasonable day: None before the first session, while paused, and while care is due.

        While a skin check that said more than the expected course holds (``attention``; its advice: not
        again until it has settled, or until a doctor says so), nothing (the page, the calendar, a
        reminder) offers a day.
        """
        if self.next_session is None or self.pause is not None or self.attention is not None:
            return None
        return date.fromordinal(self.next_session.on)

    @property
    def next_needle_mm_max(self) -> float | None:
        """The longest needle for the next session when a session above home use went longer (None: no such limit)."""
        caps = [limit.cap_mm for limit in self.limits if limit.needle_over and limit.cap_mm is not None]
        return min(caps, default=None)

    @property
    def replace_on(self) -> date | None:
        """The day the device is due for replacement by time (None: no device, or its purchase day unknown)."""
        if self.replacement is None or self.device is None or self.device.bought_on is None:
            return None
        return add_months(self.device.bought_on, self.replacement.after_months)

    @property
    def findings(self) -> tuple[Finding, ...]:
        """What the latest logged session raised."""
        return self.sessions[-1].findings if self.sessions else ()

    def to_json(self) -> dict[str, JsonValue]:
        """The journal's state as the API writes it (findings in the assessment's finding shape)."""
        cited: list[Finding] = [f for s in self.sessions for f in s.findings]
        cited.extend(self.pause.reasons if self.pause is not None else ())
        cited.extend(f for limit in self.limits for f in limit.reasons)
        interval = self.next_session
        sources: dict[str, JsonValue] = {}
        for finding in cited:
            sources.update(finding.text.source_forms)
        for citation in self.citations:
            sources.setdefault(citation.source_id, citation.shared_json)
        return {
            "schema": JOURNAL_SCHEMA,
            "created_at": self.created_at.isoformat() if self.created_at is not None else None,
            "lang": self.lang.value,
            "kb_version": self.assessment.kb_version.to_json(),
            "tier": ENUM_TEXT[self.assessment.tier],
            "paused": _pause_json(self.pause),
            "next_session_on": _day(self.next_session_on),
            "interval": _interval_json(interval, self.lang, self.next_needle_mm_max),
            "device": self.device.to_json() if self.device is not None else None,
            "replacement": self._replacement_json(),
            "reminders": self.reminders,
            "time_zone": self.time_zone,
            "sessions": [{**s.entry.to_json(), "findings": [f.json_form() for f in s.findings]} for s in self.sessions],
            "findings": [f.json_form() for f in self.findings],
            "checks": [c.to_json() for c in self.checks],
            "changes": [c.shown(self.lang) for c in self.changes],
            "attention": self.attention.to_json() if self.attention is not None else None,
            "home_limits": [_limit_json(limit) for limit in self.limits],
            "sources": sources,
            "disclaimer": self.assessment.disclaimer,
        }

    def _replacement_json(self) -> JsonValue:
        due = self.replacement
        if due is None:
            return None
        return {
            "after_uses": due.after_uses,
            "uses": due.uses,
            "uses_left": due.uses_left,
            "after_months": due.after_months,
            "replace_on": _day(self.replace_on),
            "confidence": ENUM_TEXT[due.confidence],
            "note": due.note,
            "citations": list(due.citations),
        }


def _day(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _pause_json(paused: Pause | None) -> JsonValue:
    if paused is None:
        return None
    return {"tier": ENUM_TEXT[paused.tier], "reasons": [f.json_form() for f in paused.reasons]}


def _limit_json(limit: OverHomeLimit) -> JsonValue:
    return {
        "session_on": date.fromordinal(limit.session.on).isoformat(),
        "needle_mm": limit.session.needle_mm,
        "needle_over": limit.needle_over,
        "cap_mm": limit.cap_mm,
        "reasons": [f.json_form() for f in limit.reasons],
        "citations": list[JsonValue](limit.sources),
    }


def _interval_json(interval: NextSession | None, lang: Lang, within_mm: float | None) -> JsonValue:
    if interval is None:
        return None
    rules = interval.interval.rules
    return {
        "days": interval.interval.days,
        "after_session_on": date.fromordinal(interval.after.on).isoformat(),
        "needle_mm": interval.after.needle_mm,
        "next_needle_mm_max": within_mm,
        "confidence": ENUM_TEXT[max((r.confidence for r in rules), key=list(Confidence).index)],
        "notes": list(dict.fromkeys(r.note.in_(lang) for r in rules)),
        "citations": list(dict.fromkeys(c for r in rules for c in r.citations)),
    }


def journal_view(  # noqa: PLR0913 - the knowledge base, the profile and its document, the state, language, creation
    kb: KnowledgeBase,
    profile: Profile,
    document: Mapping[str, JsonValue],
    state: Mapping[str, JsonValue],
    lang: Lang,
    *,
    created_at: datetime | None = None,
) -> JournalView:
    """The journal of ``profile`` (read from ``document``) and its stored ``state``, decided with ``kb`` in ``lang``."""
    entries = sessions_of(state)
    device = device_of(state)
    logged = tuple(_logged(kb, profile, entries, lang))
    sessions = [e.home_session() for e in entries]
    upcoming = next_session(kb.treatment, profile.goals, sessions)
    due = replacement(kb.treatment, device.home_device(), lang) if device is not None else None
    cited = [c for r in (upcoming.interval.rules if upcoming is not None else ()) for c in r.citations]
    cited.extend(due.citations if due is not None else ())
    checks = checks_of(state)
    changes = changes_of(state)
    cited.extend(kb.treatment.checkin.citations if checks else ())
    cited.extend(c for change in changes for reason in change.reasons for c in reason.citations if c in kb.sources)
    binding = upcoming.after if upcoming is not None else None
    limits = limits_of(kb, profile, [(s.entry.home_session(), s.findings) for s in logged], binding, lang)
    cited.extend(c for limit in limits for c in limit.cap_sources)
    return JournalView(
        created_at=created_at,
        lang=lang,
        assessment=(assessment := assess(profile, kb, lang)),
        pause=pause(assessment),
        sessions=logged,
        next_session=upcoming,
        device=device,
        replacement=due,
        document=document,
        citations=prepared_for(kb, lang).cite(tuple(dict.fromkeys(cited))),
        checks=shown_checks(kb, checks, len(entries), lang),
        changes=changes,
        referrals=referrals_of(state),
        limits=limits,
    )


def _logged(kb: KnowledgeBase, profile: Profile, entries: Sequence[SessionEntry], lang: Lang) -> list[LoggedSession]:
    found = logged_findings(kb, profile, [e.home_session() for e in entries], lang)
    return [LoggedSession(entry, findings) for entry, findings in zip(entries, found, strict=True)]
