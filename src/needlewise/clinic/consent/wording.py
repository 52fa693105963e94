"""The full text of a consent template: the clinic's words around the knowledge base's risks.

A body is built once, when a template version is created, and then stored: what a client signs is
that stored text, byte for byte, and its SHA-256 digest. The fixed parts (headings, the signing
statement) are written here in each language, like the intake consent, so the text is the same on
every machine whatever translations are installed.
"""

from __future__ import annotations

import hashlib
from types import MappingProxyType

from needlewise.domain.vocabulary import Lang
from needlewise.engine.knowledge import KnowledgeBase

_FIXED: MappingProxyType[Lang, MappingProxyType[str, str]] = MappingProxyType(
    {
        Lang.EN: MappingProxyType(
            {
                "risks": "Risks of microneedling",
                "risks_lead": "The knowledge base used by this clinic lists these risks; the sources are given below.",
                "sources": "Sources",
                "no_original": "(no public original found; cited as read by our reviewers)",
                "kb": "Knowledge base version {version} (content hash {hash}).",
                "signing": (
                    "By signing, I confirm that I have read this text, that my questions were answered, and that "
                    "I agree to the treatment."
                ),
            }
        ),
        Lang.ES: MappingProxyType(
            {
                "risks": "Riesgos del microneedling",
                "risks_lead": (
                    "La base de conocimiento que usa esta clínica enumera estos riesgos; las fuentes se indican "
                    "más abajo."
                ),
                "sources": "Fuentes",
                "no_original": "(no se encontró un original público; se cita tal como lo leyeron nuestros revisores)",
                "kb": "Versión de la base de conocimiento {version} (hash de contenido {hash}).",
                "signing": (
                    "Al firmar, confirmo que he leído este texto, que se han respondido mis preguntas y que acepto "
                    "el tratamiento."
                ),
            }
        ),
    }
)


def digest(text: str) -> str:
    """The SHA-256 (hex) of the exact text, as UTF-8."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def compose(intro: str, kb: KnowledgeBase, lang: Lang) -> str:
    """The consent body in ``lang``: intro, every risk with numbered citations, sources, disclaimer, version."""
    words = _FIXED[lang]
    numbers: dict[str, int] = {}
    risk_lines = []
    for position, risk in enumerate(kb.treatment.consent_risks, start=1):
        marks = "".join(f"[{numbers.setdefault(source_id, len(numbers) + 1)}]" for source_id in risk.citations)
        risk_lines.append(f"{position}. {risk.text.in_(lang)}{' ' + marks if marks else ''}")
    source_lines = []
    for source_id, number in numbers.items():
        source = kb.sources[source_id]
        source_lines.append(f"[{number}] {source.title}. {source.url or words['no_original']}")
    parts = [
        intro.strip(),  # required: the use case refuses an empty intro
        words["risks"],
        words["risks_lead"],
        "\n".join(risk_lines),
        *((words["sources"], "\n".join(source_lines)) if source_lines else ()),
        kb.disclaimer.in_(lang),
        words["kb"].format(version=kb.version.version, hash=kb.version.content_hash),
        words["signing"],
    ]
    return "\n\n".join(parts) + "\n"
