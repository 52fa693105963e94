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
    # A source with no public original: cited by its text, never linked to a copy.
    "no_original": {
        Lang.EN: "No public original found; cited as read by our reviewers",
        Lang.ES: "No se encontró un original público; se cita tal como lo leyeron nuestros revisores",
    },
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
    "next": {Lang.EN: "What to do next", Lang.ES: "Qué hacer ahora"},
    # A verdict tier in words (the JSON output keeps the codes).
    "tier.home_ok": {Lang.EN: "fine at home", Lang.ES: "apto en casa"},
    "tier.home_caution": {Lang.EN: "at home, with care", Lang.ES: "en casa, con cuidado"},
    "tier.clinic": {Lang.EN: "clinic only", Lang.ES: "solo en una clínica"},
    "tier.medical_review": {Lang.EN: "see a doctor first", Lang.ES: "antes, consulta a un médico"},
    "tier.stop": {Lang.EN: "do not microneedle now", Lang.ES: "no hagas microneedling ahora"},
    # How serious one reason is (see needlewise.reports.levels): its card's colour and label.
    "level.note": {Lang.EN: "good to know", Lang.ES: "conviene saberlo"},
    "level.caution": {Lang.EN: "take care", Lang.ES: "ten cuidado"},
    "level.clinic": {Lang.EN: "clinic only", Lang.ES: "solo en una clínica"},
    "level.medical_review": {Lang.EN: "see a doctor first", Lang.ES: "antes, consulta a un médico"},
    "level.stop": {Lang.EN: "do not microneedle now", Lang.ES: "no hagas microneedling ahora"},
    # The verdict's next step, one sentence each.
    "next.home_ok": {
        Lang.EN: "Follow your plan below: the needle length, how often, and the signs that mean stop.",
        Lang.ES: "Sigue tu plan, más abajo: la longitud de aguja, la frecuencia y las señales para parar.",
    },
    "next.home_caution": {
        Lang.EN: "Make the changes below, then follow your plan: needle length, how often, signs to stop.",
        Lang.ES: "Haz los cambios de abajo y sigue tu plan: aguja, frecuencia, señales para parar.",
    },
    "next.clinic": {
        Lang.EN: "Do not try this at home. Choose a clinic whose trained practitioners use sterile single-use "
        "needles, and show them this result.",
        Lang.ES: "No lo intentes en casa. Elige una clínica cuyos profesionales con formación usen agujas "
        "estériles de un solo uso, y enséñales este resultado.",
    },
    "next.medical_review": {
        Lang.EN: "Talk to a doctor before any microneedling, at home or in a clinic. Take this result with you.",
        Lang.ES: "Habla con un médico antes de hacerte microneedling, en casa o en una clínica. Lleva este "
        "resultado contigo.",
    },
    "next.stop": {
        Lang.EN: "Do not microneedle now. The reasons below say why, and when to see a doctor.",
        Lang.ES: "No te hagas microneedling ahora. Los motivos, más abajo, explican por qué y cuándo consultar "
        "a un médico.",
    },
    # The answers a result rests on.
    "answers": {Lang.EN: "Your answers", Lang.ES: "Tus respuestas"},
    "yes": {Lang.EN: "Yes", Lang.ES: "Sí"},
    "no": {Lang.EN: "No", Lang.ES: "No"},
    "none_of_these": {Lang.EN: "None of these", Lang.ES: "Ninguno de estos"},
    "not_sure": {Lang.EN: "Not sure", Lang.ES: "No estoy seguro/a"},
    "no_answer": {Lang.EN: "No answer", Lang.ES: "Sin respuesta"},
    "week_ago": {Lang.EN: "{weeks} week ago", Lang.ES: "hace {weeks} semana"},
    "weeks_ago": {Lang.EN: "{weeks} weeks ago", Lang.ES: "hace {weeks} semanas"},
}


def label(key: str, lang: Lang) -> str:
    """The word for ``key`` in ``lang``."""
    return _LABELS[key][lang]
