"""Fixed words of the rendered reports, in every supported language."""

from __future__ import annotations

from needlewise.domain.vocabulary import Lang

_LABELS: dict[str, dict[Lang, str]] = {
    "verdict": {Lang.EN: "Verdict", Lang.ES: "Veredicto"},
    "why": {Lang.EN: "Why", Lang.ES: "Por qué"},
    "no_findings": {
        Lang.EN: "No rule raised a concern for your answers.",
        Lang.ES: "Ninguna regla encontró un problema en tus respuestas.",
    },
    "seek_care": {Lang.EN: "See a doctor if", Lang.ES: "Consulta a un médico si"},
    "evidence": {Lang.EN: "Evidence", Lang.ES: "Evidencia"},
    "sources": {Lang.EN: "Sources", Lang.ES: "Fuentes"},
    "plan": {Lang.EN: "Your plan", Lang.ES: "Tu plan"},
    "needle": {Lang.EN: "Needle length at home", Lang.ES: "Longitud de aguja en casa"},
    "schedule": {Lang.EN: "How often and how many sessions", Lang.ES: "Frecuencia y número de sesiones"},
    "at_home": {Lang.EN: "at home", Lang.ES: "en casa"},
    "in_clinic": {Lang.EN: "in a clinic", Lang.ES: "en una clínica"},
    "confidence": {Lang.EN: "confidence", Lang.ES: "confianza"},
    "tier": {Lang.EN: "tier", Lang.ES: "nivel"},
    "kb": {Lang.EN: "Knowledge base", Lang.ES: "Base de conocimiento"},
    "high": {Lang.EN: "high", Lang.ES: "alta"},
    "moderate": {Lang.EN: "moderate", Lang.ES: "moderada"},
    "low": {Lang.EN: "low", Lang.ES: "baja"},
    "very_low": {Lang.EN: "very low", Lang.ES: "muy baja"},
}


def label(key: str, lang: Lang) -> str:
    """The word for ``key`` in ``lang``."""
    return _LABELS[key][lang]
