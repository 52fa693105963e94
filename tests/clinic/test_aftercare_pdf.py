"""The aftercare sheet: the session's facts gathered by the clinic, rendered as HTML and PDF by the report."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import segno
import time_machine
from markupsafe import Markup
from weasyprint import HTML
from weasyprint.formatting_structure.boxes import ReplacedBox
from weasyprint.images import SVGImage

from clinic.followup_support import session_row
from clinic.support import expected, last_seq, rows_after, summary
from clinic_factories import site_contact
from needlewise.clinic.followup import short_links
from needlewise.clinic.followup.aftercare import aftercare_facts
from needlewise.domain.permissions import Role
from needlewise.domain.vocabulary import Lang
from needlewise.errors import NotAllowedError, NotFoundError
from needlewise.reports.aftercare import CheckinLink, SessionSheet, aftercare_body, aftercare_html, aftercare_pdf
from needlewise.storage.models import CheckIn

NOW = datetime(2031, 6, 15, 12, 0, tzinfo=UTC)
SHEET = SessionSheet(
    clinic_name="Clinic Alpha",
    session_on=date(2031, 6, 15),
    zones=(("cheeks", Decimal("1.00")), ("forehead", Decimal("0.50"))),
    products=("hyaluronic_acid", "house serum"),
)
LINKS = [
    (1, date(2031, 6, 16), "https://clinic.example/c/7KQ4-M9XW-P2RT"),
    (3, date(2031, 6, 18), "https://clinic.example/c/HG3D-W2ZB-5NAE"),
]


def section(kb, section_id):
    return next(s for s in kb.sections if s.section_id == section_id)


def squeezed(text: str) -> str:
    """``text`` without any white space (line breaks fall between layout boxes)."""
    return "".join(text.split())


def pdf_text(html: str) -> str:
    """The text WeasyPrint lays out on the PDF's pages (its boxes, as drawn), without white space."""
    document = HTML(string=html).render()
    parts = [
        box.text
        for page in document.pages
        for box in page._page_box.descendants()
        if isinstance(getattr(box, "text", None), str)
    ]
    return squeezed("".join(parts))


def test_the_pdf_carries_the_red_flags_aftercare_session_and_links(kb):
    pdf = aftercare_pdf(SHEET, kb, Lang.EN, LINKS)
    assert pdf.startswith(b"%PDF")
    text = pdf_text(aftercare_html(SHEET, kb, Lang.EN, LINKS))
    shown = [
        *(step.en for step in section(kb, "red-flags").clinic_steps()),
        *(step.en for step in section(kb, "aftercare").clinic_steps()),
    ]
    first_source = kb.sources[section(kb, "red-flags").citations[0]]
    shown += [section(kb, "red-flags").title.en, kb.disclaimer.en, first_source.title, "confidence: moderate"]
    shown += ["Clinic Alpha", "Date 2031-06-15", "Cheeks: 1 mm", "Forehead: 0.5 mm", "Hyaluronic acid serum"]
    shown += ["house serum", "Day 1 (from 2031-06-16)", "https://clinic.example/c/7KQ4-M9XW-P2RT"]
    for words in shown:
        assert squeezed(words) in text, words
    assert "fever" in section(kb, "red-flags").steps[1].en


REUSED = {Lang.EN: "re-used needles", Lang.ES: "agujas reutilizadas"}


@pytest.mark.parametrize("lang", list(Lang))
def test_a_clinics_sheet_never_suggests_its_needles_were_re_used(kb, lang):
    red_flags = section(kb, "red-flags")
    consumer = [step for n, step in enumerate(red_flags.steps) if n in red_flags.consumer_only]
    assert [REUSED[lang] in step.in_(lang) for step in consumer] == [True]  # the knowledge base marks it
    assert all(REUSED[lang] not in step.in_(lang) for step in red_flags.clinic_steps())
    assert len(red_flags.clinic_steps()) == len(red_flags.steps) - 1
    html = aftercare_html(SHEET, kb, lang, LINKS)
    assert REUSED[lang] not in html
    assert REUSED[lang] not in str(aftercare_body(SHEET, kb, lang, LINKS))
    assert squeezed(REUSED[lang]) not in pdf_text(html)
    assert squeezed(red_flags.clinic_steps()[-1].in_(lang)) in pdf_text(html)  # the other red flags stay


def qr_codes(html: str) -> list[str]:
    """The opening tags of the QR codes drawn inline in ``html``."""
    return re.findall(r'<svg viewBox="0 0 \d+ \d+" class="checkin-qr">', html)


def test_each_checkin_is_a_qr_code_of_its_short_link_drawn_in_the_pdf(kb):
    html = aftercare_html(SHEET, kb, Lang.EN, LINKS)
    assert len(qr_codes(html)) == 2
    for day, _, url in LINKS:
        expected_svg = segno.make(url, error="m").svg_inline(
            omitsize=True, title=f"QR code of your check-in link for day {day}", svgclass="checkin-qr"
        )
        assert expected_svg in html  # the code of that very address, drawn here: no image fetched
    assert "<img" not in html
    assert "https://clinic.example/c/HG3D-W2ZB-5NAE" in pdf_text(html)
    drawn = [
        box
        for page in HTML(string=html).render().pages
        for box in page._page_box.descendants()
        if isinstance(box, ReplacedBox) and isinstance(box.replacement, SVGImage)
    ]
    assert len(drawn) == 2  # WeasyPrint lays both codes out on the page


def test_the_sheet_in_spanish(kb):
    html = aftercare_html(SHEET, kb, Lang.ES, [CheckinLink(7, date(2031, 6, 22), "https://x/c/7/")])
    assert '<html lang="es">' in html
    assert section(kb, "red-flags").title.es in html
    assert "Cuidados después de tu sesión de microneedling" in html
    assert "Mejillas: 1 mm" in html
    assert "Día 7" in html
    assert kb.disclaimer.es.split()[0] in html


@pytest.mark.parametrize(
    ("lang", "note"),
    [
        (Lang.EN, "No public original found; cited as read by our reviewers"),
        (Lang.ES, "No se encontró un original público; se cita tal como lo leyeron nuestros revisores"),
    ],
)
def test_a_source_without_an_original_is_named_with_no_link_on_the_sheet_and_in_the_pdf(kb, lang, note):
    granuloma = kb.sources["asdp-granulomatous-reaction"]  # cited by the red flags, read only on a copy
    assert granuloma.url is None
    assert granuloma.source_id in section(kb, "red-flags").citations
    html = aftercare_html(SHEET, kb, lang, LINKS)
    assert f'{granuloma.title} <span class="no-original">({note})</span>' in html
    assert f">{granuloma.title}</a>" not in html
    assert not any(url in html for url in granuloma.read_at)
    assert squeezed(f"{granuloma.title} ({note})") in pdf_text(html)


def test_the_fragment_is_escaped_markup_and_says_when_no_checkins_exist(kb):
    sheet = replace(SHEET, clinic_name="<b>Bold</b> & Co", zones=(), products=())
    body = aftercare_body(sheet, kb, Lang.EN, [])
    assert isinstance(body, Markup)
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; Co" in body
    assert "<b>Bold</b>" not in body
    assert "No check-ins were scheduled" in body
    assert body.count("None recorded") == 2


def test_a_knowledge_base_without_a_section_leaves_it_out(kb):
    fewer = replace(kb, sections=tuple(s for s in kb.sections if s.section_id != "aftercare"))
    html = aftercare_html(SHEET, fewer, Lang.EN, LINKS)
    assert section(kb, "red-flags").title.en in html
    assert section(kb, "aftercare").steps[0].en not in html


@pytest.mark.django_db
def test_aftercare_facts_gathers_the_session_for_the_sheet(site_a, kb):
    with time_machine.travel(NOW, tick=False):
        session = session_row(site_a, kb, performed_at=NOW - timedelta(hours=1), lang=Lang.ES)
    nurse = site_a.actor(Role.NURSE)
    seq = last_seq()
    facts = aftercare_facts(nurse, session.pk)
    assert [summary(r) for r in rows_after(seq)] == [
        expected(nurse, "read", "aftercare", session.pk, client_id=site_a.client.pk)
    ]
    assert facts.sheet == SessionSheet(
        "Clinic Alpha",
        date(2031, 6, 15),
        (("cheeks", Decimal("1.00")), ("forehead", Decimal("0.50"))),
        ("hyaluronic_acid",),
        site_contact("alpha"),
    )
    assert (facts.session_id, facts.client_id, facts.client_name, facts.lang) == (
        session.pk,
        site_a.client.pk,
        "Zephyrine Quixotelle",
        Lang.ES,
    )
    assert [(day, due.isoformat()) for day, due, _ in facts.checkins] == [
        (1, "2031-06-16"),
        (3, "2031-06-18"),
        (7, "2031-06-22"),
    ]
    codes = [code for _, _, code in facts.checkins]
    assert codes == [short_links.short_code(c) for c in CheckIn.objects.filter(session=session).order_by("day")]
    assert all(len(code) == 12 and set(code) <= set(short_links.ALPHABET) for code in codes)


@pytest.mark.django_db
def test_aftercare_facts_without_checkins_have_no_language(site_a, kb):
    session = session_row(site_a, kb, lang=None)
    facts = aftercare_facts(site_a.actor(Role.OWNER), session.pk)
    assert (facts.checkins, facts.lang) == ((), None)


@pytest.mark.django_db
def test_aftercare_facts_refuse_the_front_desk_and_other_clinics(site_a, site_b, kb):
    session = session_row(site_a, kb)
    desk, nurse_b = site_a.actor(Role.FRONT_DESK), site_b.actor(Role.NURSE)
    seq = last_seq()
    with pytest.raises(NotAllowedError):
        aftercare_facts(desk, session.pk)
    with pytest.raises(NotFoundError):
        aftercare_facts(nurse_b, session.pk)
    assert [summary(r) for r in rows_after(seq)] == [
        expected(desk, "view_health", "aftercare", session.pk, outcome="denied"),
        expected(nurse_b, "not_found", "session", session.pk, outcome="denied"),
    ]
