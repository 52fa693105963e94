"""``assess``: one profile + one knowledge base -> one assessment. Pure and deterministic.

The verdict tier is the highest tier any fired rule forces in the person's setting. Rule conditions
and plan-section conditions run as one compiled function (see :mod:`needlewise.engine.compiler`).
Everything that depends only on the knowledge base and the language (finding texts and citations,
plan sections, schedules) is prepared once per knowledge base and language
(:mod:`needlewise.engine.prepared`), so an assessment only selects and assembles.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from operator import attrgetter

from needlewise.domain.assessment import Assessment, Fact, Finding, FindingText, OpenAnswer
from needlewise.domain.json_types import JsonValue
from needlewise.domain.profile import Profile
from needlewise.domain.tier import Confidence, Severity, Tier
from needlewise.domain.vocabulary import Lang, Setting
from needlewise.engine.fields import FactValue, facts_of
from needlewise.engine.knowledge import KnowledgeBase, Rule
from needlewise.engine.plan import (
    UNSURE_CHECK,
    UNSURE_FIND_OUT,
    UNSURE_NOTE,
    UNSURE_TITLE,
    Matched,
    build_plan,
)
from needlewise.engine.prepared import Prepared, prepared_for, resolver
from needlewise.engine.unsure import (
    NOTHING_OPEN,
    OpenQuestion,
    floor,
    is_device_question,
    open_answer,
    opened,
)


def assess(profile: Profile, kb: KnowledgeBase, lang: Lang = Lang.EN) -> Assessment:
    """The assessment of ``profile`` against ``kb``, written in ``lang``."""
    prepared = prepared_for(kb, lang)
    facts = facts_of(profile)
    setting = profile.setting
    left = opened(profile, prepared.askable, facts) if profile.unsure or profile.unanswered else NOTHING_OPEN
    unknown = left.unknown
    rule_hits, possible, section_hits = (prepared.resolvers.get(unknown) or resolver(prepared, unknown))(facts)
    caches, values = prepared.findings_caches[setting], prepared.values
    findings: list[Finding] = []
    for i in rule_hits:
        key = values[i](facts)
        made = caches[i].get(key)
        findings.append(_finding(prepared, setting, i, facts, key) if made is None else made)
    open_answers: tuple[OpenAnswer, ...] = ()
    if left.questions:
        named = (setting, left.key, *possible)
        both = prepared.open_cache.get(named)
        if both is None:
            both = _open_findings(prepared, setting, left.questions, possible, named)
        findings += both[0]
        open_answers = both[1]
    findings.sort(key=_DESCENDING_TIER)  # stable: knowledge-base order within a tier
    tier = findings[0].text.tier if findings else Tier.HOME_OK
    plan = build_plan(profile, prepared.plan, tier=tier, rules=Matched(rule_hits, possible), sections=section_hits)
    if plan.home_needle_mm_max is None:  # home use not advised: no how-to-do-it-at-home advice
        technique = prepared.home_technique
        findings = [f for f in findings if f.text.rule_id not in technique]
    title, summary = prepared.tier_words[tier]
    return Assessment(
        tier=tier,
        tier_title=title,
        tier_summary=summary,
        setting=_SETTING_TEXT[setting],
        lang=prepared.lang,
        kb_version=kb.version,
        findings=tuple(findings),
        plan=plan,
        disclaimer=prepared.disclaimer,
        open_answers=open_answers,
    )


_SETTING_TEXT = {setting: setting.value for setting in Setting}
_ALL_GIVEN: frozenset[int] = frozenset()


_OPEN_CACHE_SIZE = 4_096  # entries per knowledge base and language; emptied when full


def _open_findings(
    prepared: Prepared,
    setting: Setting,
    opened: Sequence[OpenQuestion],
    possible: Sequence[int],
    key: tuple[object, ...],
) -> tuple[tuple[Finding, ...], tuple[OpenAnswer, ...]]:
    """One finding per open question that raises the verdict, and the note of every open answer that matters.

    Both depend only on the setting, the open questions, how each was left open and the rules they
    could fire (``key`` names these), so they are built once per knowledge base, language and key.
    """
    findings: list[Finding] = []
    answers: list[OpenAnswer] = []
    for question in opened:
        indices = tuple(i for i in possible if not prepared.positions[i].isdisjoint(question.positions))
        made = _open_finding(prepared, setting, question, indices)
        if made is not None:
            findings.append(made[0])
            answers.append(made[1])
    cache = prepared.open_cache
    if len(cache) >= _OPEN_CACHE_SIZE:
        cache.clear()
    both = cache[key] = (tuple(findings), tuple(answers))
    return both


def _open_finding(
    prepared: Prepared, setting: Setting, question: OpenQuestion, indices: tuple[int, ...]
) -> tuple[Finding, OpenAnswer] | None:
    """The finding and the note for one open question, or None where no answer to it could matter."""
    kb, lang = prepared.plan.kb, prepared.plan.lang
    texts = kb.plan_texts
    rules = [kb.rules[i] for i in indices]
    worst = Tier.highest(rule.tier_for(setting) for rule in rules)
    device = is_device_question(question.question)
    least = floor(worst, device=device)
    if least is Tier.HOME_OK:
        return None
    label = question.question.text.in_(lang)
    note = open_answer(question, max(worst, least, key=_rank), label)
    worst_rules = [rule for rule in rules if rule.tier_for(setting) is worst]
    advice = []
    if worst is not Tier.HOME_OK:
        key = UNSURE_FIND_OUT if least is Tier.MEDICAL_REVIEW else UNSURE_CHECK
        advice.append(texts[key].in_(lang).format(worst=kb.tier_texts[worst].title.in_(lang)))
    advice.append(question.advice.in_(lang))
    titles = "; ".join(rule.title.in_(lang) for rule in sorted(rules, key=_by_tier(setting))) or "-"
    citations = _unique(c for rule in worst_rules for c in rule.citations) or kb.home_needle.citations
    text = FindingText(
        f"unsure-{question.question.question_id}",
        least,
        max((rule.severity for rule in worst_rules), key=_SEVERITY_RANK.__getitem__, default=Severity.LOW),
        worst_rules[0].confidence if worst_rules else Confidence.LOW,
        texts[UNSURE_TITLE].in_(lang).format(question=label),
        " ".join(advice),
        None,
        texts[UNSURE_NOTE].in_(lang).format(rules=titles),
        prepared.cite(citations),
    )
    return Finding.of(text, (Fact(question.question.field, question.answer),)), note


_SEVERITY_RANK = {severity: rank for rank, severity in enumerate(Severity)}


def _rank(tier: Tier) -> int:
    return tier.rank


def _by_tier(setting: Setting) -> Callable[[Rule], int]:
    return lambda rule: -rule.tier_for(setting).rank


def _unique(ids: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(ids))


def fired_rule_ids(profile: Profile, kb: KnowledgeBase) -> list[str]:
    """Ids of the rules whose conditions hold for ``profile``, in knowledge-base order."""
    prepared = prepared_for(kb, Lang.EN)
    return [kb.rules[i].rule_id for i in resolver(prepared, _ALL_GIVEN)(facts_of(profile))[0]]


def could_stop(profile: Profile, kb: KnowledgeBase) -> bool:
    """Whether some rule that forces ``stop`` in the person's setting holds on the answers as given.

    A cheap necessary condition for a ``stop`` verdict: a rule certain to fire whatever the open
    answers are also fires on their default values, and an open answer alone never gives ``stop``.
    """
    prepared = prepared_for(kb, Lang.EN)
    stops = prepared.stops[profile.setting]
    return any(i in stops for i in resolver(prepared, _ALL_GIVEN)(facts_of(profile))[0])


_DESCENDING_TIER = attrgetter("text.order")


_FINDINGS_CACHE_SIZE = 4_096  # entries per setting and rule (per knowledge base and language); emptied when full


def _finding(prepared: Prepared, setting: Setting, rule: int, facts: Sequence[FactValue], key: object) -> Finding:
    """Rule ``rule``'s finding with the answers it read (``key``): built once per setting, rule and values read."""
    cache = prepared.findings_caches[setting][rule]
    if len(cache) >= _FINDINGS_CACHE_SIZE:
        cache.clear()
    read = tuple(Fact(name, _json(facts[index])) for name, index in prepared.reads[rule])
    made = cache[key] = Finding.of(prepared.findings[setting][rule], read)
    return made


def _json(value: FactValue) -> JsonValue:
    if isinstance(value, frozenset):
        return list(_sorted_strings(value))
    if isinstance(value, str):
        return _plain(value)
    return value


@lru_cache(maxsize=4096)
def _sorted_strings(values: frozenset[str]) -> tuple[str, ...]:
    return tuple(sorted(str(v) for v in values))


@lru_cache(maxsize=256)
def _plain(value: str) -> str:
    return str(value)
