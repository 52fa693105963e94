"""Reports written for people: decimals as each language writes them, tiers and levels in words,
sources by title and year, the answers a result rests on."""

from __future__ import annotations

import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from rich.console import Console

from factories import make_profile
from needlewise.cli.render import print_assessment
from needlewise.domain.citation import Citation
from needlewise.domain.text import Text
from needlewise.domain.tier import Grade, Severity, Tier
from needlewise.domain.vocabulary import Lang
from needlewise.engine.evaluate import assess
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.reports.answers import AnswerLine, answer_lines
from needlewise.reports.citations import short_reference
from needlewise.reports.levels import Level, card_level
from needlewise.reports.markdown import render_markdown
from needlewise.reports.numbers import for_readers, format_number, local_decimals

NEEDS_CLINIC = {"goals": ["acne_scars"], "device": {"kind": "roller", "needle_mm": 0.5}}
RAW_TIER = re.compile(r"\b(home_ok|home_caution|medical_review)\b|`clinic`|`stop`|\[clinic\]|\[stop\]")


@pytest.mark.parametrize(
    ("text", "spanish"),
    [
        ("0.25 mm", "0,25 mm"),
        ("de 0.5 a 1.5 mm.", "de 0,5 a 1,5 mm."),
        ("0.3-0.5 mm", "0,3-0,5 mm"),
        ("versión 1.0.0", "versión 1.0.0"),
        ("ver 2.0.", "ver 2,0."),
        ("10 semanas", "10 semanas"),
    ],
)
def test_spanish_writes_decimals_with_a_comma(text: str, spanish: str) -> None:
    assert local_decimals(text, Lang.ES) == spanish
    assert local_decimals(text, Lang.EN) == text


def test_numbers_for_a_reader() -> None:
    assert format_number(8.0, Lang.ES) == "8"
    assert format_number(0.25, Lang.ES) == "0,25"
    assert format_number(0.25, Lang.EN) == "0.25"
    assert format_number(3, Lang.EN) == "3"


@pytest.mark.parametrize(
    ("value", "english", "spanish"),
    [
        (Decimal("0.50"), "0.5", "0,5"),  # a needle length as the database keeps it
        (Decimal("1.00"), "1", "1"),
        (Decimal("2.25"), "2.25", "2,25"),
        (Decimal(100), "100", "100"),  # not 1E+2
        (4.5, "4.5", "4,5"),  # a lidocaine strength in %
        ("0.5", "0.5", "0,5"),  # a number already written, as in an error message's parameters
        ("1.50", "1.50", "1,50"),
        ("LOT-1.5", "LOT-1.5", "LOT-1.5"),  # other text is left alone: a lot, a serial, a date
        ("007", "007", "007"),
        ("2031-06-15", "2031-06-15", "2031-06-15"),
    ],
)
def test_one_function_writes_every_number_in_both_languages(value, english, spanish) -> None:
    assert format_number(value, Lang.EN) == english
    assert format_number(value, Lang.ES) == spanish


def test_an_english_assessment_is_left_as_it_is(kb: KnowledgeBase) -> None:
    assessment = assess(make_profile(**NEEDS_CLINIC), kb, Lang.EN)
    assert for_readers(assessment) is assessment


def test_every_text_of_a_spanish_assessment_writes_decimals_with_a_comma(kb: KnowledgeBase) -> None:
    assessment = assess(make_profile(goals=["glow"], device={"kind": "roller", "needle_mm": 0.5}), kb, Lang.ES)
    local = for_readers(assessment)
    texts = [local.tier_title, local.tier_summary, local.disclaimer, local.plan.needle_summary]
    for f in local.findings:
        texts += [f.title, f.advice, f.seek_care_if or "", f.evidence_note]
    for s in local.plan.schedules:
        texts += [s.goal_label, s.interval, s.sessions]
    for section in local.plan.sections:
        texts += [section.title, *section.steps]
    assert any(re.search(r"\d,\d", text) for text in texts)
    assert not [text for text in texts if re.search(r"(?<![\d.])\d+\.\d+(?!\.?\d)", text)]
    assert [f.rule_id for f in local.findings] == [f.rule_id for f in assessment.findings]
    assert local.to_json()["tier"] == assessment.to_json()["tier"]
    # A reason without "see a doctor if" keeps none.
    quiet = [f for f in local.findings if f.seek_care_if is None]
    assert quiet


@pytest.mark.parametrize(
    ("tier", "severity", "level"),
    [
        (Tier.HOME_OK, Severity.INFO, Level.NOTE),
        (Tier.HOME_OK, Severity.LOW, Level.NOTE),
        (Tier.HOME_OK, Severity.MODERATE, Level.CAUTION),
        (Tier.HOME_OK, Severity.HIGH, Level.CAUTION),
        (Tier.HOME_CAUTION, Severity.INFO, Level.CAUTION),
        (Tier.CLINIC, Severity.LOW, Level.CLINIC),
        (Tier.MEDICAL_REVIEW, Severity.MODERATE, Level.MEDICAL_REVIEW),
        (Tier.STOP, Severity.HIGH, Level.STOP),
    ],
)
def test_a_card_s_level_follows_its_tier_and_how_serious_it_is(tier: Tier, severity: Severity, level: Level) -> None:
    assert card_level(tier, severity) is level


def test_a_source_is_named_by_author_or_title_year_and_grade() -> None:
    def cite(authors: str | None, year: int | None) -> Citation:
        return Citation("chu-2021-safety-sr", "Safety of microneedling", authors, year, Grade.SR, "https://x.org")

    assert short_reference(cite("Harris AG, Naidoo C, Murrell DF", 2015)) == "Harris AG et al., 2015 [SR]"
    assert short_reference(cite("Alam M, et al.", 2014)) == "Alam M et al., 2014 [SR]"
    assert short_reference(cite("Ablon G", None)) == "Ablon G [SR]"
    assert short_reference(cite(None, 2021)) == "Safety of microneedling, 2021 [SR]"


def test_markdown_speaks_words_not_codes(kb: KnowledgeBase) -> None:
    for lang in Lang:
        for fields in (NEEDS_CLINIC, {"isotretinoin_months_since_stop": 3}, {"skin_now": ["cold_sore"]}):
            assessment = assess(make_profile(**fields), kb, lang)
            text = render_markdown(assessment)
            assert not RAW_TIER.search(text), RAW_TIER.search(text)
            cited = {c.source_id for s in assessment.plan.sections for c in s.citations}
            cited |= {c.source_id for s in assessment.plan.schedules for c in s.citations}
            urls = " ".join(c.url or "" for s in assessment.plan.sections for c in s.citations)
            assert not [source_id for source_id in cited if source_id in text and source_id not in urls]
    spanish = render_markdown(assess(make_profile(**NEEDS_CLINIC, isotretinoin_months_since_stop=3), kb, Lang.ES))
    assert "**nivel: antes, consulta a un médico**" in spanish
    assert "**Qué hacer ahora:** Habla con un médico" in spanish
    home = {"goals": ["glow"], "device": {"kind": "roller", "needle_mm": 0.25, "uses": 0}}
    at_home = render_markdown(assess(make_profile(**home), kb, Lang.ES))
    assert "0,3 mm" in at_home
    assert "0.3 mm" not in at_home
    assert "0.3 mm" not in spanish


def _printed(assessment: object) -> str:
    console = Console(record=True, width=100, color_system=None)
    print_assessment(console, assessment)  # type: ignore[arg-type]
    return console.export_text()


def test_the_terminal_text_speaks_words_not_codes(kb: KnowledgeBase) -> None:
    out = _printed(assess(make_profile(isotretinoin_months_since_stop=3), kb, Lang.ES))
    assert "[antes, consulta a un médico]" in out
    assert "Qué hacer ahora: Habla con un médico" in out
    assert not RAW_TIER.search(out)
    long_needle = {"goals": ["glow"], "device": {"kind": "roller", "needle_mm": 0.5, "uses": 0}}
    assessment = assess(make_profile(**long_needle), kb, Lang.ES)
    out = _printed(assessment)
    assert "0,5 mm" in out
    assert not re.search(r"(?<![\d.\w/=-])\d+\.\d+ mm", out)
    section_ids = {c.source_id for s in assessment.plan.sections for c in s.citations}
    urls = " ".join(c.url or "" for s in assessment.plan.sections for c in s.citations)
    assert not [i for i in section_ids if i in out and i not in urls]
    assert "Consulta a un médico si:" not in out
    english = _printed(assess(make_profile(skin_now=["cold_sore"]), kb, Lang.EN))
    assert "[do not microneedle now]" in english
    assert "See a doctor if:" not in english
    assert "See a doctor if " in english


def _question(kind: str, field: str, options: tuple[tuple[str, str], ...] = (), **extra: object) -> SimpleNamespace:
    terms = tuple(SimpleNamespace(value=v, label=Text(en, en.upper())) for v, en in options)
    return SimpleNamespace(
        kind=kind, field=field, text=Text(f"{field}?", f"¿{field}? (p. ej. 0.25)"), options=terms, **extra
    )


def test_the_answers_in_words() -> None:
    questions = [
        _question("single", "setting", (("home", "At home"),)),
        _question("integer", "age"),
        _question("multi", "skin_now", (("cold_sore", "Cold sore"),)),
        _question("multi", "history", (("pih", "Dark marks"), ("keloid", "Keloid"))),
        _question("boolean", "pregnant_or_breastfeeding"),
        _question("number", "isotretinoin_months_since_stop", none_label=Text("Never", "Nunca")),
        _question("procedures", "recent_procedures", (("filler", "Filler"), ("laser", "Laser"), ("peel", "Peel"))),
        _question("single", "device.kind", (("roller", "Roller"),)),
        _question("number", "device.needle_mm"),
        _question("number", "device.uses"),
        _question("boolean", "device.shared"),
        _question("scale", "fitzpatrick", (("1", "I"), ("2", "II"))),
        _question("single", "unlisted", (("a", "A"),)),
        _question("multi", "planned_products"),
    ]
    kb = SimpleNamespace(questions=questions)
    document = {
        "profile_version": 2,
        "setting": "home",
        "age": 30,
        "skin_now": [],
        "history": ["pih", "keloid"],
        "pregnant_or_breastfeeding": False,
        "isotretinoin_months_since_stop": None,
        "recent_procedures": [
            {"kind": "filler", "weeks_ago": 1},
            {"kind": "laser", "weeks_ago": 6.5},
            {"kind": "peel"},
        ],
        "device": {"kind": "roller", "needle_mm": 0.25, "uses": None, "shared": "unsure"},
        "fitzpatrick": 2,
        "unlisted": "other",
    }
    lines = answer_lines(document, kb, Lang.EN)  # type: ignore[arg-type]
    assert [line.answer for line in lines] == [
        "At home",
        "30",
        "None of these",
        "Dark marks, Keloid",
        "No",
        "Never",
        "Filler: 1 week ago, Laser: 6.5 weeks ago, Peel",
        "Roller",
        "0.25",
        "No answer",
        "Not sure",
        "II",
        "other",
    ]
    assert lines[0] == AnswerLine("setting?", "At home")
    spanish = answer_lines(document, kb, Lang.ES)  # type: ignore[arg-type]
    assert spanish[0].question == "¿setting? (p. ej. 0,25)"
    assert spanish[6].answer == "FILLER: hace 1 semana, LASER: hace 6,5 semanas, PEEL"
    assert spanish[8].answer == "0,25"
    assert spanish[5].answer == "Nunca"
    # A choice left unknown is "not sure"; no device means no device answers.
    unknown = answer_lines({"fitzpatrick": None, "pregnant_or_breastfeeding": True}, kb, Lang.ES)  # type: ignore[arg-type]
    assert [line.answer for line in unknown] == ["Sí", "No estoy seguro/a"]


def test_the_real_questionnaire_s_answers_in_words(kb: KnowledgeBase) -> None:
    document = {"setting": "clinic", "age": 41, "goals": ["acne_scars"], "device": {"kind": "pen"}}
    answers = [line.answer for line in answer_lines(document, kb, Lang.EN)]
    assert len(answers) == 4
    assert answers[:2] == ["In a clinic, by a practitioner", "41"]
    assert not [answer for answer in answers if "_" in answer]
