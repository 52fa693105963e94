"""Which gaps in the evidence matter to this person: those whose ``applies_if`` holds for the answers.

An answer given as "not sure" (or left open) counts as any answer it could stand for, so a gap that
could matter is listed. General gaps (no ``applies_if``) belong on the sources page, not on a result.
"""

from __future__ import annotations

from needlewise.domain.profile import Profile
from needlewise.engine.fields import facts_of
from needlewise.engine.knowledge import Gap, KnowledgeBase
from needlewise.engine.unsure import askable, evaluate, open_questions


def relevant_gaps(profile: Profile, kb: KnowledgeBase) -> tuple[Gap, ...]:
    """The gaps whose condition holds, or could hold, for ``profile``, in knowledge-base order."""
    facts = facts_of(profile)
    unknown = frozenset().union(*(q.positions for q in open_questions(profile, askable(kb.questions), facts)))
    return tuple(
        gap for gap in kb.gaps if gap.applies_if is not None and evaluate(gap.applies_if, facts, unknown) is not False
    )
