"""The aftercare sheet a client takes home: the knowledge base's aftercare and red flags, their session, links.

Plain data in, HTML or PDF out: the clinic use case gathers the session's facts
(:func:`needlewise.clinic.followup.aftercare.aftercare_facts`) and the web page adds the check-in links' full
addresses. Every clinical sentence comes from the knowledge base's protocol sections with their
citations and confidence; the fixed words are in :data:`WORDS`, in the sheet's language (the client's,
which need not be the staff member's).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

import segno
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from needlewise.domain.contact import Contact
from needlewise.domain.vocabulary import Lang
from needlewise.engine.knowledge import KnowledgeBase, ProtocolSection
from needlewise.reports.labels import label
from needlewise.reports.numbers import format_number
from needlewise.reports.pdf import render_pdf

#: The protocol sections the sheet shows, in this order.
SECTION_IDS = ("aftercare", "red-flags")

WORDS: dict[str, dict[Lang, str]] = {
    "title": {
        Lang.EN: "Aftercare after your microneedling session",
        Lang.ES: "Cuidados después de tu sesión de microneedling",
    },
    "your_session": {Lang.EN: "Your session", Lang.ES: "Tu sesión"},
    "clinic": {Lang.EN: "Clinic", Lang.ES: "Clínica"},
    "date": {Lang.EN: "Date", Lang.ES: "Fecha"},
    "zones": {Lang.EN: "Zones treated (needle length)", Lang.ES: "Zonas tratadas (longitud de aguja)"},
    "products": {Lang.EN: "Products applied", Lang.ES: "Productos aplicados"},
    "none": {Lang.EN: "None recorded", Lang.ES: "Ninguno registrado"},
    "checkins": {Lang.EN: "Your check-ins", Lang.ES: "Tus controles"},
    "checkins_intro": {
        Lang.EN: (
            "On each of these days, scan its QR code with your phone's camera (or type its short link) and "
            "answer a few yes/no questions about how your skin is healing. Your clinic sees your answers. "
            "Keep these links to yourself."
        ),
        Lang.ES: (
            "Cada uno de estos días, escanea su código QR con la cámara del móvil (o escribe su enlace corto) y "
            "responde unas preguntas de sí o no sobre cómo se está curando tu piel. Tu clínica verá tus "
            "respuestas. No compartas estos enlaces."
        ),
    },
    "qr": {
        Lang.EN: "QR code of your check-in link for day {day}",
        Lang.ES: "Código QR del enlace de tu control del día {day}",
    },
    "day": {Lang.EN: "Day", Lang.ES: "Día"},
    "from": {Lang.EN: "from", Lang.ES: "a partir del"},
    "no_checkins": {
        Lang.EN: "No check-ins were scheduled for this session: call the clinic if anything worries you.",
        Lang.ES: "No se programaron controles para esta sesión: llama a la clínica si algo te preocupa.",
    },
    "contact": {Lang.EN: "How to reach your clinic", Lang.ES: "Cómo contactar con tu clínica"},
    "phone": {Lang.EN: "Phone", Lang.ES: "Teléfono"},
    "address": {Lang.EN: "Address", Lang.ES: "Dirección"},
    "out_of_hours": {Lang.EN: "When the clinic is closed", Lang.ES: "Cuando la clínica está cerrada"},
    "call_if": {
        Lang.EN: "Call the clinic if anything on this sheet worries you, or if a check-in tells you to.",
        Lang.ES: "Llama a la clínica si algo de esta hoja te preocupa o si un control te lo indica.",
    },
    "sources": {Lang.EN: "Sources", Lang.ES: "Fuentes"},
    "no_original": {Lang.EN: label("no_original", Lang.EN), Lang.ES: label("no_original", Lang.ES)},
    "confidence": {Lang.EN: "confidence", Lang.ES: "confianza"},
    "high": {Lang.EN: "high", Lang.ES: "alta"},
    "moderate": {Lang.EN: "moderate", Lang.ES: "moderada"},
    "low": {Lang.EN: "low", Lang.ES: "baja"},
    "very_low": {Lang.EN: "very low", Lang.ES: "muy baja"},
    "kb": {Lang.EN: "Knowledge base", Lang.ES: "Base de conocimiento"},
}


@dataclass(frozen=True, slots=True)
class SessionSheet:
    """What the sheet says about the session: plain values, no database rows."""

    clinic_name: str
    session_on: date
    zones: tuple[tuple[str, Decimal], ...]  # (zone id, needle length in mm)
    products: tuple[str, ...]  # ``planned_products`` values, or what the practitioner wrote
    contact: Contact = field(default_factory=Contact)  # the clinic's phone, address and what to do out of hours


@dataclass(frozen=True, slots=True)
class CheckinLink:
    """One check-in's day after the session, the date it is due and its private address (the short one)."""

    day: int
    due_on: date
    url: str

    def qr_svg(self, title: str) -> Markup:
        """The address as a QR code, an inline SVG drawn here (no image is fetched from anywhere)."""
        svg = segno.make(self.url, error="m").svg_inline(omitsize=True, title=title, svgclass="checkin-qr")
        return Markup(svg)  # noqa: S704 - segno writes the SVG and escapes the title


@dataclass(frozen=True, slots=True)
class _Source:
    grade: str
    title: str
    url: str | None  # None: no public original found; the sheet names it with no link


@dataclass(frozen=True, slots=True)
class _Section:
    section_id: str
    title: str
    steps: tuple[str, ...]
    confidence: str
    sources: tuple[_Source, ...]


_TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _term(kb: KnowledgeBase, vocabulary: str, value: str, lang: Lang) -> str:
    term = kb.vocabulary.get(vocabulary, {}).get(value)
    return term.label.in_(lang) if term is not None else value


def _section(kb: KnowledgeBase, section: ProtocolSection, lang: Lang) -> _Section:
    sources = tuple(
        _Source(kb.sources[s].grade.value, kb.sources[s].title, kb.sources[s].url) for s in section.citations
    )
    confidence = WORDS[section.confidence.value][lang]
    steps = tuple(step.in_(lang) for step in section.clinic_steps())  # a clinic's client: no consumer-only advice
    return _Section(section.section_id, section.title.in_(lang), steps, confidence, sources)


def _context(
    sheet: SessionSheet, kb: KnowledgeBase, lang: Lang, links: Sequence[CheckinLink | tuple[int, date, str]]
) -> dict[str, object]:
    by_id = {s.section_id: s for s in kb.sections}
    return {
        "lang": lang.value,
        "w": {key: words[lang] for key, words in WORDS.items()},
        "sheet": sheet,
        "zones": [(_term(kb, "areas", zone, lang), format_number(length, lang)) for zone, length in sheet.zones],
        "products": [_term(kb, "planned_products", p, lang) for p in sheet.products],
        "sections": [_section(kb, by_id[i], lang) for i in SECTION_IDS if i in by_id],
        "links": [link if isinstance(link, CheckinLink) else CheckinLink(*link) for link in links],
        "disclaimer": kb.disclaimer.in_(lang),
        "kb_version": kb.version,
    }


def aftercare_body(
    sheet: SessionSheet, kb: KnowledgeBase, lang: Lang, links: Sequence[CheckinLink | tuple[int, date, str]]
) -> Markup:
    """The sheet's content as an HTML fragment (escaped), for a page to place inside its own layout."""
    return Markup(_TEMPLATES.get_template("aftercare_body.html").render(_context(sheet, kb, lang, links)))  # noqa: S704 - rendered with autoescape


def aftercare_html(
    sheet: SessionSheet, kb: KnowledgeBase, lang: Lang, links: Sequence[CheckinLink | tuple[int, date, str]]
) -> str:
    """The whole sheet as a printable HTML document with its stylesheet inline (nothing fetched)."""
    context = _context(sheet, kb, lang, links)
    context["body"] = aftercare_body(sheet, kb, lang, links)
    return _TEMPLATES.get_template("aftercare_print.html").render(context)


def aftercare_pdf(
    sheet: SessionSheet, kb: KnowledgeBase, lang: Lang, links: Sequence[CheckinLink | tuple[int, date, str]]
) -> bytes:
    """The sheet as a PDF (WeasyPrint, no network access)."""
    return render_pdf(aftercare_html(sheet, kb, lang, links))
