"""Load the knowledge base: read, check shape, check meaning, build, freeze.

Every problem in every file is collected and reported together, each with its file, the rule or
question id, the path inside it and a did-you-mean suggestion where one is close. Nothing is
loaded unless everything is valid, except that a knowledge base written for an older needlewise can be
read with tolerance, to compare it with the current one (see :mod:`needlewise.kb.older`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from string import Formatter
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from needlewise.domain.assessment import KbVersion
from needlewise.domain.text import Text
from needlewise.domain.tier import Grade, Tier
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
    Source,
    Term,
    TierText,
)
from needlewise.engine.plan import PLAN_TEXT_KEYS
from needlewise.errors import KnowledgeBaseError, Problem
from needlewise.kb.conditions import ConditionParser
from needlewise.kb.files import KnowledgeFiles, default_directory, read_files
from needlewise.kb.older import OlderFormat
from needlewise.kb.questionnaire import build_questions
from needlewise.kb.schema import (
    ClaimsFileModel,
    GapsFileModel,
    KbFileModel,
    ProtocolsFileModel,
    QuestionnaireFileModel,
    RuleModel,
    RulesFileModel,
    SourcesFileModel,
    TermModel,
    TextModel,
)
from needlewise.kb.suggestions import closest
from needlewise.kb.treatment import build_treatment
from needlewise.kb.treatment_schema import TreatmentFileModel
from needlewise.kb.vocabulary import VOCABULARIES, read_vocabulary

M = TypeVar("M", bound=BaseModel)


def load_knowledge_base(directory: Path | None = None, *, older: OlderFormat | None = None) -> KnowledgeBase:
    """The validated knowledge base in ``directory`` (default: the bundled one).

    With ``older``, the knowledge base is read as an older needlewise wrote it: what the current format
    adds is noted in ``older`` rather than refused (see :mod:`needlewise.kb.older`).
    """
    files = read_files(directory or default_directory())
    problems: list[Problem] = []
    kb_file = _shape(files, "kb.yaml", KbFileModel, problems)
    sources_file = _shape(files, "sources.yaml", SourcesFileModel, problems)
    vocab = read_vocabulary(files.documents.get("vocabulary.yaml"), problems if older is None else older.notes)
    protocols = _shape(files, "protocols.yaml", ProtocolsFileModel, problems)
    questionnaire = _shape(files, "questionnaire.yaml", QuestionnaireFileModel, problems)
    claims_file = _shape(files, "claims.yaml", ClaimsFileModel, problems)
    gaps_file = _shape(files, "gaps.yaml", GapsFileModel, problems)
    treatment_file = _shape(files, "treatment.yaml", TreatmentFileModel, problems)
    rule_files = {
        name: _shape(files, name, RulesFileModel, problems)
        if older is None
        else _older_rules_file(files, name, older, problems)
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
    sources = _sources(sources_file, problems)
    cite = _CitationChecker(sources, problems, older)
    rules = _rules({n: f for n, f in rule_files.items() if f is not None}, cite, problems, older)
    terms_of = {field: tuple(vocab[name].values()) for name, (_, field) in VOCABULARIES.items()}
    questions = build_questions(questionnaire.questions, terms_of, problems, older=older)
    sections, schedules = _protocols(protocols, vocab["goals"], cite, problems)
    missing_tiers = [t.value for t in Tier if t not in kb_file.tiers]
    if missing_tiers:
        problems.append(Problem("kb.yaml: tiers", f"missing texts for tiers: {', '.join(missing_tiers)}"))
    claims, gaps = _claims_and_gaps(claims_file, gaps_file, cite, problems)
    treatment = build_treatment(treatment_file, vocab, cite, problems)
    plan_texts = _plan_texts(kb_file, problems, older)
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


def _shape(files: KnowledgeFiles, name: str, model: type[M], problems: list[Problem]) -> M | None:
    return _validate(name, files.documents[name], model, problems)


def _validate(name: str, document: object, model: type[M], problems: list[Problem]) -> M | None:
    try:
        return model.model_validate(document)
    except ValidationError as error:
        for detail in error.errors():
            where = _location(name, document, detail["loc"])
            problems.append(Problem(where, detail["msg"]))
        return None


def _older_rules_file(
    files: KnowledgeFiles, name: str, older: OlderFormat, problems: list[Problem]
) -> RulesFileModel | None:
    """A rules file of an older knowledge base: each rule the current schema refuses is unreadable."""
    document = files.documents[name]
    raw_rules = document.get("rules") if isinstance(document, dict) else None
    if not isinstance(document, dict) or not isinstance(raw_rules, list):
        return _validate(name, document, RulesFileModel, problems)
    kept: list[object] = []
    for i, raw in enumerate(raw_rules):
        try:
            RuleModel.model_validate(raw)
        except ValidationError as error:
            ident = raw.get("id") if isinstance(raw, dict) else None
            label = ident if isinstance(ident, str) else f"{name}: rules[{i}]"
            older.unreadable[label] = tuple(
                f"{_location(name, document, ('rules', i, *d['loc']))}: {d['msg']}" for d in error.errors()
            )
            continue
        kept.append(raw)
    if not kept:
        return None
    return _validate(name, {**document, "rules": kept}, RulesFileModel, problems)


def _location(name: str, document: object, loc: Iterable[int | str]) -> str:
    """``file: rules[3] (id 'x').advice.es`` from a pydantic error location."""
    parts: list[str] = []
    node = document
    for key in loc:
        if isinstance(key, int):
            parts.append(f"[{key}]")
            node = node[key] if isinstance(node, list) and key < len(node) else None
            ident = node.get("id") if isinstance(node, dict) else None
            if isinstance(ident, str):
                parts.append(f" (id {ident!r})")
        else:
            parts.append(f".{key}" if parts else str(key))
            node = node.get(key) if isinstance(node, dict) else None
    return f"{name}: {''.join(parts)}" if parts else name


def _text(model: TextModel | TermModel) -> Text:
    return Text(model.en, model.es)


def _address(url: str) -> str:
    """``url`` compared loosely: scheme, ``www.``, case of the host and a trailing slash ignored."""
    rest = url.split("://", 1)[1]
    host, _, path = rest.partition("/")
    return f"{host.lower().removeprefix('www.')}/{path}".rstrip("/")


def _sources(model: SourcesFileModel, problems: list[Problem]) -> dict[str, Source]:
    """The bibliography: one entry per work, each brief number and each address used once."""
    sources: dict[str, Source] = {}
    refs: dict[int, str] = {}
    addresses: dict[str, str] = {}
    for i, s in enumerate(model.sources):
        where = f"sources.yaml: sources[{i}] (id {s.id!r})"
        if s.id in sources:
            problems.append(Problem(where, f"duplicate source id {s.id!r}"))
        for ref in (s.brief_ref, *s.also_brief_refs):
            if ref in refs:
                problems.append(Problem(where, f"brief_ref {ref} is used twice (also by {refs[ref]!r})"))
            refs[ref] = s.id
        for field, url in (("url", s.url), *(("read_at", u) for u in s.read_at)):
            key = _address(url)
            other = addresses.setdefault(key, s.id)
            if other != s.id:
                problems.append(
                    Problem(f"{where}.{field}", f"{url} is also the address of {other!r}: the same work twice?")
                )
        sources[s.id] = Source(
            s.id,
            s.brief_ref,
            s.title,
            s.authors,
            s.year,
            s.venue,
            s.url,
            s.grade,
            s.note,
            public_note=s.public_note,
            read_at=tuple(s.read_at),
            also_brief_refs=tuple(s.also_brief_refs),
        )
    return sources


class _CitationChecker:
    """Checks a citation list: known sources, none twice, and no marketing unless a claim is checked."""

    def __init__(
        self, sources: Mapping[str, Source], problems: list[Problem], older: OlderFormat | None = None
    ) -> None:
        self._sources = sources
        self._problems = problems
        self._older = older

    def check(
        self,
        where: str,
        citations: Iterable[str],
        *,
        marketing_allowed: bool = False,
        into: list[Problem] | None = None,
    ) -> tuple[str, ...]:
        """``citations`` as a tuple; problems for unknown, repeated and (unless allowed) marketing sources.

        Marketing (MKT) material may only document a claim being checked (``claims.yaml``); it is
        never support for a rule, a plan, a schedule, a gap or a treatment figure. An older knowledge
        base's marketing citations are counted, not refused. Problems go ``into`` a list when given.
        """
        problems = self._problems if into is None else into
        cited = tuple(citations)
        seen: set[str] = set()
        for i, source_id in enumerate(cited):
            source = self._sources.get(source_id)
            if source is None:
                hint = closest(source_id, self._sources)
                problems.append(Problem(f"{where}[{i}]", f"unknown source {source_id!r}", hint))
            elif source.grade is Grade.MKT and not marketing_allowed and self._older is not None:
                self._older.marketing_citations += 1
            elif source.grade is Grade.MKT and not marketing_allowed:
                problems.append(
                    Problem(
                        f"{where}[{i}]",
                        f"cites marketing source {source_id!r} (grade MKT): marketing material may only "
                        "document a claim in claims.yaml, never support a statement",
                    )
                )
            if source_id in seen:
                problems.append(Problem(f"{where}[{i}]", f"a source is cited twice in this list: {source_id!r}"))
            seen.add(source_id)
        return cited


def _rules(
    files: Mapping[str, RulesFileModel], cite: _CitationChecker, problems: list[Problem], older: OlderFormat | None
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
    cite: _CitationChecker,
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
        sections.append(ProtocolSection(s.id, _text(s.title), steps, s.confidence, cited, applies, s.requires_home_use))
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


def _plan_texts(model: KbFileModel, problems: list[Problem], older: OlderFormat | None) -> dict[str, Text]:
    """The plan texts; an older knowledge base's missing or unusable ones are noted and left empty."""
    if older is None:
        _check_plan_texts(model, problems)
        return {key: _text(text) for key, text in model.plan_texts.items()}
    found: list[Problem] = []
    unusable = _check_plan_texts(model, found)
    older.notes.extend(Problem(p.where, f"{p.message}; verdicts do not read it", p.suggestion) for p in found)
    return {key: Text("", "") if key in unusable else _text(model.plan_texts[key]) for key in PLAN_TEXT_KEYS}


def _check_plan_texts(model: KbFileModel, problems: list[Problem]) -> set[str]:
    """Each plan text exists, and uses exactly its placeholders, in both languages; the keys that do not."""
    unusable: set[str] = set()
    for key, wanted in PLAN_TEXT_KEYS.items():
        text = model.plan_texts.get(key)
        if text is None:
            problems.append(Problem(f"kb.yaml: plan_texts.{key}", "missing"))
            unusable.add(key)
            continue
        for lang, template in (("en", text.en), ("es", text.es)):
            try:
                used = {name for _, name, _, _ in Formatter().parse(template) if name is not None}
            except ValueError as error:
                problems.append(Problem(f"kb.yaml: plan_texts.{key}.{lang}", f"bad template: {error}"))
                unusable.add(key)
                continue
            if used != set(wanted):
                expected = ", ".join("{" + w + "}" for w in wanted) or "no placeholders"
                problems.append(Problem(f"kb.yaml: plan_texts.{key}.{lang}", f"must use {expected}"))
                unusable.add(key)
    problems.extend(
        Problem(f"kb.yaml: plan_texts.{key}", "unknown plan text", closest(key, PLAN_TEXT_KEYS))
        for key in model.plan_texts
        if key not in PLAN_TEXT_KEYS
    )
    return unusable


def _claims_and_gaps(
    claims_file: ClaimsFileModel,
    gaps_file: GapsFileModel,
    cite: _CitationChecker,
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
