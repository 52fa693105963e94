"""Load the knowledge base: read, check shape, check meaning, build, freeze.

Every problem in every file is collected and reported together, each with its file, the rule or
question id, the path inside it and a did-you-mean suggestion where one is close. Nothing is
loaded unless everything is valid, except that a knowledge base written for an older needlewise can be
read with tolerance, to compare it with the current one (see :mod:`needlewise.kb.older`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from needlewise.domain.assessment import KbVersion
from needlewise.domain.text import Text
from needlewise.domain.tier import Tier
from needlewise.domain.vocabulary import (
    Setting,
)
from needlewise.engine.knowledge import (
    Claim,
    Gap,
    HomeNeedlePolicy,
    KnowledgeBase,
    ProtocolSection,
    Rule,
    RuleExample,
    Schedule,
    Term,
    TierText,
)
from needlewise.errors import KnowledgeBaseError, Problem
from needlewise.kb.citations import CitationChecker, build_sources
from needlewise.kb.conditions import ConditionParser
from needlewise.kb.files import default_directory, read_files
from needlewise.kb.older import OlderFormat, fill_home_journal
from needlewise.kb.plan_texts import build_plan_texts
from needlewise.kb.questionnaire import build_questions
from needlewise.kb.schema import (
    ClaimsFileModel,
    GapsFileModel,
    KbFileModel,
    ProtocolsFileModel,
    QuestionnaireFileModel,
    RulesFileModel,
    SourcesFileModel,
    TermModel,
    TextModel,
)
from needlewise.kb.shapes import older_rules_file, shape
from needlewise.kb.suggestions import closest
from needlewise.kb.treatment import build_treatment
from needlewise.kb.treatment_schema import TreatmentFileModel
from needlewise.kb.vocabulary import VOCABULARIES, read_vocabulary


def load_knowledge_base(directory: Path | None = None, *, older: OlderFormat | None = None) -> KnowledgeBase:
    """The validated knowledge base in ``directory`` (default: the bundled one).

    With ``older``, the knowledge base is read as an older needlewise wrote it: what the current format
    adds is noted in ``older`` rather than refused (see :mod:`needlewise.kb.older`).
    """
    files = read_files(directory or default_directory())
    problems: list[Problem] = []
    if older is not None:
        fill_home_journal(files.documents, older)
    kb_file = shape(files, "kb.yaml", KbFileModel, problems)
    sources_file = shape(files, "sources.yaml", SourcesFileModel, problems)
    vocab = read_vocabulary(files.documents.get("vocabulary.yaml"), problems if older is None else older.notes)
    protocols = shape(files, "protocols.yaml", ProtocolsFileModel, problems)
    questionnaire = shape(files, "questionnaire.yaml", QuestionnaireFileModel, problems)
    claims_file = shape(files, "claims.yaml", ClaimsFileModel, problems)
    gaps_file = shape(files, "gaps.yaml", GapsFileModel, problems)
    treatment_file = shape(files, "treatment.yaml", TreatmentFileModel, problems)
    rule_files = {
        name: shape(files, name, RulesFileModel, problems)
        if older is None
        else older_rules_file(files, name, older, problems)
        for name in files.rule_files
    }
    if problems:
        raise KnowledgeBaseError(problems)
    assert kb_file is not None  # noqa: S101 - no problems means every file had its shape
    assert sources_file is not None  # noqa: S101
    assert protocols is not None  # noqa: S101
    assert questionnaire is not None  # noqa: S101
    assert claims_file is not None  # noqa: S101
    assert gaps_file is not None  # noqa: S101
    assert treatment_file is not None  # noqa: S101
    sources = build_sources(sources_file, problems)
    cite = CitationChecker(sources, problems, older)
    rules = _rules({n: f for n, f in rule_files.items() if f is not None}, cite, problems, older)
    terms_of = {field: tuple(vocab[name].values()) for name, (_, field) in VOCABULARIES.items()}
    questions = build_questions(questionnaire.questions, terms_of, problems, older=older)
    sections, schedules = _protocols(protocols, vocab["goals"], cite, problems)
    missing_tiers = [t.value for t in Tier if t not in kb_file.tiers]
    if missing_tiers:
        problems.append(Problem("kb.yaml: tiers", f"missing texts for tiers: {', '.join(missing_tiers)}"))
    claims, gaps = _claims_and_gaps(claims_file, gaps_file, cite, problems)
    treatment = build_treatment(treatment_file, vocab, cite, problems)
    plan_texts = build_plan_texts(kb_file, problems, older)
    cite.check("kb.yaml: home_needle.citations", kb_file.home_needle.citations)
    if kb_file.home_needle.preferred_mm > kb_file.home_needle.max_mm:
        problems.append(Problem("kb.yaml: home_needle", "preferred_mm is longer than max_mm"))
    if problems:
        raise KnowledgeBaseError(problems)
    return KnowledgeBase(
        version=KbVersion(kb_file.version, files.content_hash),
        disclaimer=_text(kb_file.disclaimer),
        plan_texts=plan_texts,
        tier_texts={t: TierText(_text(m.title), _text(m.summary)) for t, m in kb_file.tiers.items()},
        home_needle=HomeNeedlePolicy(
            kb_file.home_needle.max_mm, kb_file.home_needle.preferred_mm, tuple(kb_file.home_needle.citations)
        ),
        sources=sources,
        vocabulary=vocab,
        rules=rules,
        sections=sections,
        schedules=schedules,
        questions=questions,
        treatment=treatment,
        claims=claims,
        gaps=gaps,
    )


def _text(model: TextModel | TermModel) -> Text:
    return Text(model.en, model.es)


def _rules(
    files: Mapping[str, RulesFileModel], cite: CitationChecker, problems: list[Problem], older: OlderFormat | None
) -> tuple[Rule, ...]:
    """The rules; in an older knowledge base, a rule with a problem is unreadable rather than an error."""
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for name, model in files.items():
        for i, r in enumerate(model.rules):
            where = f"{name}: rules[{i}] (id {r.id!r})"
            if r.id in seen:
                problems.append(Problem(where, f"duplicate rule id {r.id!r} (also in {seen[r.id]})"))
            seen[r.id] = name
            found: list[Problem] = [] if older is not None else problems
            tiers = r.tier if isinstance(r.tier, dict) else dict.fromkeys(Setting, r.tier)
            missing = [s.value for s in Setting if s not in tiers]
            if missing:
                found.append(Problem(f"{where}.tier", f"no tier for setting(s): {', '.join(missing)}"))
            rule = Rule(
                rule_id=r.id,
                group=model.group,
                tiers=tiers,
                severity=r.severity,
                confidence=r.confidence,
                brief_class=r.brief_class,
                condition=ConditionParser(found).parse(r.condition, f"{where}.condition"),
                title=_text(r.title),
                advice=_text(r.advice),
                seek_care_if=_text(r.seek_care_if) if r.seek_care_if else None,
                evidence_note=_text(r.evidence_note),
                citations=cite.check(f"{where}.citations", r.citations, into=found),
                home_needle_cap_mm=r.home_needle_cap_mm,
                blocks_home=r.blocks_home,
                home_technique=r.home_technique,
                examples=tuple(RuleExample(e.profile, e.tier, e.fires) for e in r.examples),
            )
            if older is not None and found:
                older.unreadable[r.id] = tuple(str(p) for p in found)
            else:
                rules.append(rule)
    return tuple(rules)


def _protocols(
    model: ProtocolsFileModel,
    goals: Mapping[str, Term],
    cite: CitationChecker,
    problems: list[Problem],
) -> tuple[tuple[ProtocolSection, ...], tuple[Schedule, ...]]:
    sections: list[ProtocolSection] = []
    ids: set[str] = set()
    for i, s in enumerate(model.sections):
        where = f"protocols.yaml: sections[{i}] (id {s.id!r})"
        if s.id in ids:
            problems.append(Problem(where, f"duplicate section id {s.id!r}"))
        ids.add(s.id)
        applies = ConditionParser(problems).parse(s.applies_if, f"{where}.applies_if") if s.applies_if else None
        steps = tuple(_text(step) for step in s.steps)
        cited = cite.check(f"{where}.citations", s.citations)
        consumer_only = frozenset(n for n, step in enumerate(s.steps) if step.consumer_only)
        sections.append(
            ProtocolSection(
                s.id, _text(s.title), steps, s.confidence, cited, applies, s.requires_home_use, consumer_only
            )
        )
    schedules: list[Schedule] = []
    keys: set[tuple[str, Setting]] = set()
    for i, sc in enumerate(model.schedules):
        where = f"protocols.yaml: schedules[{i}] (goal {sc.goal!r}, where {sc.where.value!r})"
        if sc.goal not in goals:
            problems.append(Problem(f"{where}.goal", f"unknown goal {sc.goal!r}", closest(sc.goal, goals)))
        if (sc.goal, sc.where) in keys:
            problems.append(Problem(where, "a schedule for this goal and setting already exists"))
        keys.add((sc.goal, sc.where))
        cited = cite.check(f"{where}.citations", sc.citations)
        schedules.append(Schedule(sc.goal, sc.where, _text(sc.interval), _text(sc.sessions), sc.confidence, cited))
    problems.extend(
        Problem("protocols.yaml: schedules", f"goal {goal!r} has no clinic schedule")
        for goal in goals
        if (goal, Setting.CLINIC) not in keys
    )
    return tuple(sections), tuple(schedules)


def _claims_and_gaps(
    claims_file: ClaimsFileModel,
    gaps_file: GapsFileModel,
    cite: CitationChecker,
    problems: list[Problem],
) -> tuple[tuple[Claim, ...], tuple[Gap, ...]]:
    claims: list[Claim] = []
    for i, c in enumerate(claims_file.claims):
        where = f"claims.yaml: claims[{i}] (id {c.id!r})"
        if any(c.id == other.claim_id for other in claims):
            problems.append(Problem(where, f"duplicate claim id {c.id!r}"))
        cited = cite.check(f"{where}.citations", c.citations, marketing_allowed=True)
        claims.append(Claim(c.id, _text(c.claim), c.verdict, c.confidence, _text(c.explanation), cited))
    gaps: list[Gap] = []
    for i, g in enumerate(gaps_file.gaps):
        where = f"gaps.yaml: gaps[{i}] (id {g.id!r})"
        if any(g.id == other.gap_id for other in gaps):
            problems.append(Problem(where, f"duplicate gap id {g.id!r}"))
        applies = ConditionParser(problems).parse(g.applies_if, f"{where}.applies_if") if g.applies_if else None
        gaps.append(Gap(g.id, _text(g.text), cite.check(f"{where}.citations", g.citations), applies))
    return tuple(claims), tuple(gaps)
