"""A stored clinic screening as a PDF for the clinic's own record: staff words only.

The same reading as the staff pages (:mod:`.staff`): the clinic disposition, what to check for each
reason, questions to find out, and the answers in words; never the consumer's tier wording nor the
answers' codes. Rendered with WeasyPrint, fetching nothing (:mod:`.pdf`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from needlewise.domain.vocabulary import Lang
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.reports.answers import answer_lines
from needlewise.reports.labels import label
from needlewise.reports.numbers import local_decimals
from needlewise.reports.pdf import render_pdf
from needlewise.reports.staff import staff_screening

WORDS: dict[str, dict[Lang, str]] = {
    "title": {Lang.EN: "Clinic screening", Lang.ES: "Evaluación previa en la clínica"},
    "client": {Lang.EN: "Client", Lang.ES: "Cliente"},
    "birth_date": {Lang.EN: "Date of birth", Lang.ES: "Fecha de nacimiento"},
    "screened": {Lang.EN: "Screened", Lang.ES: "Realizada"},
    "by": {Lang.EN: "By", Lang.ES: "Por"},
    "kb": {Lang.EN: "Knowledge base", Lang.ES: "Base de conocimiento"},
    "disposition": {Lang.EN: "Clinic disposition", Lang.ES: "Decisión clínica"},
    "find_out": {Lang.EN: "Find out before treating", Lang.ES: "Averigua antes de tratar"},
    "could_mean": {Lang.EN: "could mean", Lang.ES: "podría significar"},
    "reasons": {Lang.EN: "Reasons", Lang.ES: "Motivos"},
    "notes": {Lang.EN: "Also note", Lang.ES: "Ten en cuenta también"},
    "check": {Lang.EN: "Check with the client", Lang.ES: "Comprueba con el cliente"},
    "seek_care": {Lang.EN: "Seek medical care if", Lang.ES: "Busca atención médica si"},
    "evidence": {Lang.EN: "Evidence", Lang.ES: "Evidencia"},
    "sources": {Lang.EN: "Sources", Lang.ES: "Fuentes"},
    "answers": {Lang.EN: "Answers recorded", Lang.ES: "Respuestas registradas"},
    "disclaimer": {
        Lang.EN: "Decision support, not a diagnosis: it applies published evidence to the answers recorded. "
        "The practitioner's own assessment of the client decides.",
        Lang.ES: "Ayuda a la decisión, no un diagnóstico: aplica la evidencia publicada a las respuestas "
        "registradas. Decide la valoración del propio profesional sobre el cliente.",
    },
}

_TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True, slots=True)
class ScreeningFacts:
    """Who was screened, when, by whom and under which knowledge base (as the record says)."""

    client_name: str
    birth_date: str
    screened_on: str
    ran_by: str
    kb_version: str


def screening_html(
    facts: ScreeningFacts,
    document: Mapping[str, object],
    profile: Mapping[str, object],
    kb: KnowledgeBase,
    lang: Lang,
) -> str:
    """The screening as a printable HTML document with its stylesheet inline (nothing fetched)."""
    confidence = {key: label(key, lang) for key in ("high", "moderate", "low", "very_low")}
    return _TEMPLATES.get_template("staff_screening_print.html").render(
        lang=lang.value,
        w={key: words[lang] for key, words in WORDS.items()},
        facts=facts,
        staff=staff_screening(document, kb, lang),
        answers=answer_lines(profile, kb, lang),
        confidence=confidence,
        words=lang,
        d=lambda text: local_decimals(text, lang),
    )


def screening_pdf(
    facts: ScreeningFacts,
    document: Mapping[str, object],
    profile: Mapping[str, object],
    kb: KnowledgeBase,
    lang: Lang,
) -> bytes:
    """The screening as a PDF (WeasyPrint, no network access)."""
    return render_pdf(screening_html(facts, document, profile, kb, lang))
