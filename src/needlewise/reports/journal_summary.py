"""A referred home journal's summary as staff read it: the knowledge base's words in the staff page's language.

A referral stores the summary as it was sent, in the person's language
(:mod:`needlewise.services.journal_summary`), and it stays so: it is a record of what was sent. Staff
read it with the words the knowledge base gives again by id, in their own language: each finding's by
its rule id (the sessions', the latest, the pause's, the home limits' and the changes' reasons:
:mod:`needlewise.engine.words_by_rule`), each skin-check question's by its id, what a check's triage
tells the person, and the device replacement note. Where the knowledge base no longer knows an id (an
old summary, a rule removed since) the stored words are kept: no finding, question or reason is dropped.
The other parts (days, needle lengths, tiers, sources) hold no words, or the page words them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from needlewise.domain.vocabulary import Lang
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.engine.words_by_rule import words_by_rule

_Read = Callable[[object], object]


def staff_summary(summary: Mapping[str, object], kb: KnowledgeBase, lang: Lang) -> dict[str, object]:
    """``summary`` (a referral's, as stored) with the knowledge base's words in ``lang`` (see the module)."""
    words = words_by_rule(kb, lang)
    questions = {q.question_id: q.text.in_(lang) for q in kb.treatment.checkin.questions}
    outcomes = {triage.value: text.in_(lang) for triage, text in kb.treatment.home_journal.checkin_outcome.items()}
    note = kb.treatment.home_journal.replacement.text.in_(lang)

    def finding(stored: Mapping[str, object]) -> dict[str, object]:
        known = words.get(str(stored.get("rule_id")), {})
        return {key: known.get(key, value) for key, value in stored.items()}

    def answer(stored: Mapping[str, object]) -> dict[str, object]:
        return {**stored, **_known("text", questions.get(str(stored.get("id"))), stored)}

    def check(stored: Mapping[str, object]) -> dict[str, object]:
        worded = {**stored, **_known("advice", outcomes.get(str(stored.get("triage"))), stored)}
        return _parts(worded, answers=_each(answer))

    reasons = {"reasons": _each(finding)}
    return _parts(
        summary,
        paused=_object(lambda p: _parts(p, **reasons)),
        sessions=_each(lambda s: _parts(s, findings=_each(finding))),
        findings=_each(finding),
        checks=_each(check),
        attention=_object(check),
        changes=_each(lambda c: _parts(c, **reasons)),
        home_limits=_each(lambda h: _parts(h, **reasons)),
        replacement=_object(lambda r: {**r, **_known("note", note, r)}),
    )


def _known(key: str, words: str | None, stored: Mapping[str, object]) -> dict[str, object]:
    """``{key: words}`` where the knowledge base gives ``words`` and ``stored`` holds that key; else nothing."""
    return {key: words} if words is not None and key in stored else {}


def _parts(stored: Mapping[str, object], **read: _Read) -> dict[str, object]:
    """``stored`` with each of its keys named in ``read`` read by its function, the others as they are."""
    return {key: read[key](value) if key in read else value for key, value in stored.items()}


def _object(read: Callable[[Mapping[str, object]], object]) -> _Read:
    """An object read by ``read``; anything else (None: none) as it is."""
    return lambda stored: read(stored) if isinstance(stored, Mapping) else stored


def _each(read: Callable[[Mapping[str, object]], object]) -> _Read:
    """A list's objects each read by ``read``; anything else as it is."""
    return lambda stored: [_object(read)(item) for item in stored] if isinstance(stored, list) else stored
