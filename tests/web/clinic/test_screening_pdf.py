"""The staff PDF of a screening: the clinic disposition and reasons for a practitioner, in both languages.

No consumer wording and no answer codes, in the text WeasyPrint lays out on the pages.
"""

from __future__ import annotations

import pytest
from weasyprint import HTML

from needlewise.bootstrap import knowledge_base
from needlewise.clinic.records import screenings
from needlewise.domain.permissions import Role
from needlewise.domain.vocabulary import Lang
from needlewise.reports.staff_pdf import ScreeningFacts, screening_html
from needlewise.storage.models import AuditEntry
from web.clinic.support import Site, actor_for, staff_client

pytestmark = pytest.mark.django_db

CONSUMER = [
    "Do not try to reach it at home",
    "No intentes conseguirlo en casa",
    "This needs a trained practitioner",
    "home caution",
    "home ok",
    "fine at home",
    "en casa, con cuidado",
    "Because",
    "Debido a",
    "goals =",
    "acne_scars",
    "it does not examine you",
]
EXPECTED = {
    Lang.EN: ["Treat with these precautions", "Check with the client", "Acne scars", "Answers recorded"],
    Lang.ES: [
        "Tratar con estas precauciones",
        "Comprueba con el cliente",
        "Cicatrices de acné",
        "Respuestas registradas",
    ],
}
PROFILE = {"setting": "clinic", "age": 34, "goals": ["acne_scars"], "fitzpatrick": 4, "device": {"needle_mm": 1.5}}


def squeezed(text: str) -> str:
    return "".join(text.split())


def laid_out_text(html: str) -> str:
    """The text WeasyPrint lays out on the PDF's pages (its boxes, as drawn), without white space."""
    document = HTML(string=html).render()
    parts = [
        box.text
        for page in document.pages
        for box in page._page_box.descendants()
        if isinstance(getattr(box, "text", None), str)
    ]
    return squeezed("".join(parts))


@pytest.mark.parametrize("lang", [Lang.EN, Lang.ES])
def test_the_pdf_text_is_in_staff_words_only(site_a: Site, lang: Lang):
    kb = knowledge_base()
    nurse = actor_for(site_a.members[Role.NURSE])
    stored = screenings.record(nurse, client_id=site_a.client.pk, profile=PROFILE, kb=kb, lang=lang)
    _, document = screenings.get(nurse, stored.pk)
    facts = ScreeningFacts("Zephyrine Quixotelle", "1990-05-17", "2026-12-06 10:00 UTC", "Nurse Alpha", "2.0.3")
    text = laid_out_text(screening_html(facts, document, PROFILE, kb, lang))
    for phrase in CONSUMER:
        assert squeezed(phrase) not in text, phrase
    for phrase in EXPECTED[lang]:
        assert squeezed(phrase) in text, phrase
    assert squeezed({Lang.EN: "1.5", Lang.ES: "1,5"}[lang]) in text  # the needle length as the language writes it


@pytest.mark.parametrize("lang", ["en", "es"])
def test_staff_download_the_pdf_and_the_read_is_recorded(site_a: Site, lang: str):
    client = staff_client(site_a.members[Role.PROVIDER])
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = lang
    before = AuditEntry.objects.filter(action="read", object_type="screening").count()
    response = client.get(f"/clinic/screenings/{site_a.stop.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="screening-{site_a.stop.pk}.pdf"'
    assert response["Cache-Control"] == "no-store"
    assert response.content.startswith(b"%PDF")
    assert AuditEntry.objects.filter(action="read", object_type="screening").count() == before + 1


def test_the_front_desk_gets_no_screening_pdf(site_a: Site):
    response = staff_client(site_a.members[Role.FRONT_DESK]).get(f"/clinic/screenings/{site_a.stop.pk}/pdf/")
    assert response.status_code == 403
