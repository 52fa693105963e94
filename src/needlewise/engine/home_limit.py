"""A home session above home use: what the journal must say first, and the needle length home use allows.

A logged session happened; the journal never pretends it did not. When what it used is above home use
(a needle longer than the home limit for the session's areas and the person's goals, or a finding whose
tier is above :data:`~needlewise.engine.journal.HOME_LIMIT`, such as a product for clinics only), the
journal says so before anything else: do not do it again at home, and the longest needle home use
allows instead, with the findings that say so and their sources.

The allowed length is the knowledge base's, read through the engine: the plan's home needle limit for
the person's answers at home with the session's areas (the home maximum, lowered by every needle cap
a rule sets for an area or a goal, and by those of rules that an answer "not sure" could fire); None
when no length is reasonable at home. Products are left out of it: the next session can do without
them, and a product above home use is one of the reasons.

The next day is not moved: the interval after a session is the one for the needle actually used (the
knowledge base's, :func:`~needlewise.engine.journal.next_session`); the next session is only phrased as
one with a needle within the home limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from needlewise.domain.assessment import Finding
from needlewise.domain.profile import Profile
from needlewise.domain.vocabulary import Lang
from needlewise.engine.evaluate import assess
from needlewise.engine.journal import HOME_LIMIT, TOO_SOON, HomeSession, session_profile
from needlewise.engine.knowledge import KnowledgeBase

NEEDLE_FIELD = "device.needle_mm"


@dataclass(frozen=True, slots=True)
class OverHomeLimit:
    """A session above home use: the longest needle allowed at home instead, and the findings that say so."""

    session: HomeSession
    cap_mm: float | None  # the longest needle reasonable at home for its areas and the goals (None: none)
    reasons: tuple[Finding, ...]
    cap_sources: tuple[str, ...] = ()  # the home maximum's sources, where it is the cap (a lower cap is a reason's)

    @property
    def needle_over(self) -> bool:
        """Whether the session's needle was longer than home use allows (no length allowed: always)."""
        return self.cap_mm is None or self.session.needle_mm > self.cap_mm

    @property
    def sources(self) -> tuple[str, ...]:
        """The source ids its reasons cite, each once, in order."""
        cited = [c.source_id for f in self.reasons for c in f.citations]
        return tuple(dict.fromkeys([*cited, *self.cap_sources]))


def home_cap(
    kb: KnowledgeBase, profile: Profile, session: HomeSession, lang: Lang
) -> tuple[float | None, list[Finding]]:
    """The longest needle reasonable at home with the session's areas, and the assessment's findings for it."""
    within = assess(session_profile(profile, HomeSession(session.on, kb.home_needle.max_mm, session.areas)), kb, lang)
    return within.plan.home_needle_mm_max, list(within.findings)


def over_home_limit(
    kb: KnowledgeBase, profile: Profile, session: HomeSession, findings: Sequence[Finding], lang: Lang
) -> OverHomeLimit | None:
    """What ``session`` (with its ``findings``) did above home use, or None when it kept within it."""
    cap, within = home_cap(kb, profile, session, lang)
    longer = cap is None or session.needle_mm > cap
    caps = {r.rule_id: r.home_needle_cap_mm for r in kb.rules if r.home_needle_cap_mm is not None}
    reasons = {
        f.rule_id: f
        for f in findings
        if f.rule_id != TOO_SOON
        and (f.tier.rank > HOME_LIMIT.rank or (longer and any(fact.field == NEEDLE_FIELD for fact in f.facts)))
    }
    for f in within if longer else ():
        cap_of = caps.get(f.rule_id)
        if (cap_of is not None and session.needle_mm > cap_of) or (cap is None and f.tier.rank > HOME_LIMIT.rank):
            reasons.setdefault(f.rule_id, f)
    cap_sources = kb.home_needle.citations if cap == kb.home_needle.max_mm else ()
    return OverHomeLimit(session, cap, tuple(reasons.values()), cap_sources) if reasons else None


def limits_of(
    kb: KnowledgeBase,
    profile: Profile,
    logged: Sequence[tuple[HomeSession, Sequence[Finding]]],
    binding: HomeSession | None,
    lang: Lang,
) -> tuple[OverHomeLimit, ...]:
    """What the latest ``logged`` session and the ``binding`` one (that sets the next day) did above home use.

    ``logged``: each session with its findings, in the order logged; a session counts once.
    """
    chosen = {session: findings for session, findings in logged if session == binding}
    if logged:
        chosen[logged[-1][0]] = logged[-1][1]
    found = (over_home_limit(kb, profile, session, findings, lang) for session, findings in chosen.items())
    return tuple(limit for limit in found if limit is not None)
