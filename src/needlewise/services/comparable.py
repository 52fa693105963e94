"""Whether a case can be compared between an older knowledge base and the current one, and why not.

An older knowledge base read with tolerance (see :mod:`needlewise.kb.older`) cannot express every
answer the current one can. Its verdict for such a case would silently read the answer as something
else ("not sure" as "no", an unknown value as absent), so ``needlewise kb diff`` reports the case as
not comparable, with the reason, instead of a verdict change:

* an answer that is not a value of the old vocabulary (``history: cardiac_abnormality``);
* a "not sure" (or, in v2, left-out) answer that counts today, to a question the old questionnaire
  asks without "not sure";
* a rule that fires today and could not be read in the old version.
"""

from __future__ import annotations

from collections.abc import Collection

from needlewise.domain.profile import Profile
from needlewise.engine.evaluate import fired_rule_ids
from needlewise.engine.fields import facts_of
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.engine.unsure import askable, open_questions
from needlewise.kb.vocabulary import VOCABULARIES


def answers(profile: Profile) -> dict[str, frozenset[str]]:
    """The profile's vocabulary answers, by ``vocabulary.yaml`` section."""
    return {
        "setting": frozenset({profile.setting}),
        "goals": frozenset(profile.goals),
        "areas": frozenset(profile.areas),
        "device_kind": frozenset({profile.device.kind}),
        "skin_now": frozenset(profile.skin_now),
        "history": frozenset(profile.history),
        "medications": frozenset(profile.medications),
        "procedure_kind": frozenset(p.kind for p in profile.recent_procedures),
        "planned_products": frozenset(profile.planned_products),
    }


def not_comparable(profile: Profile, old: KnowledgeBase, new: KnowledgeBase, unreadable: Collection[str]) -> str | None:
    """Why ``profile``'s verdicts under ``old`` and ``new`` cannot be compared; None when they can."""
    reasons = []
    for section, values in answers(profile).items():
        missing = sorted(v for v in values if v not in old.vocabulary[section])
        if missing:
            field = VOCABULARIES[section][1]
            reasons.append(f"{field} {', '.join(repr(str(v)) for v in missing)} is not in the old vocabulary")
    takes_unsure = {q.field for q in old.questions if q.takes_unsure}
    untaken = [
        q
        for q in open_questions(profile, askable(new.questions), facts_of(profile))
        if q.question.field not in takes_unsure
    ]
    unsure = [q.question.field for q in untaken if q.answer == "unsure"]
    if unsure:
        reasons.append(f"'not sure' to {', '.join(unsure)}, which the old questionnaire does not take")
    left_out = [q.question.field for q in untaken if q.answer != "unsure"]
    if left_out:
        reasons.append(f"no answer to {', '.join(left_out)}, which the old questionnaire cannot leave open")
    fired = [r for r in fired_rule_ids(profile, new) if r in unreadable]
    if fired:
        reasons.append(f"{', '.join(fired)} fires now and could not be read in the old version")
    return "; ".join(reasons) or None
