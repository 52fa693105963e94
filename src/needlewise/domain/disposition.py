"""A clinic screening as staff read it: the clinic disposition, declared once from the engine's tier.

The engine's tiers are written for a person deciding where microneedling could happen (at home, in a
clinic). A clinic reads them for treatment in its own rooms:

- ``home_ok``: nothing in the screening changes the treatment: **OK to treat**;
- ``home_caution`` and ``clinic``: some reason needs a precaution (for example darker skin, a recent
  peel, an answer to find out, or a goal that the knowledge base says needs a trained practitioner
  or a dermatologist's assessment): **Treat with these precautions**. A ``clinic`` result is not
  read as "OK" merely because the client is in a clinic: the knowledge base does not say which of
  its clinic reasons the setting itself satisfies, so each one is shown to be checked;
- ``medical_review``: **Provider clearance needed** (treatment is blocked until a provider records one);
- ``stop``: **Do not treat now**.

A disposition is never weaker than the tier it comes from, nor than any single reason or "not sure"
answer behind it (:meth:`Disposition.of`).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from needlewise.domain.text import Text
from needlewise.domain.tier import Tier
from needlewise.domain.vocabulary import Lang


class Disposition(StrEnum):
    """What staff may do with a screened client, least to most restrictive; the value is the stable code."""

    OK_TO_TREAT = "ok_to_treat"
    TREAT_WITH_PRECAUTIONS = "treat_with_precautions"
    PROVIDER_CLEARANCE = "provider_clearance"
    DO_NOT_TREAT = "do_not_treat"

    @property
    def rank(self) -> int:
        """Position on the scale: 0 for OK to treat up to 3 for do not treat now."""
        return _RANK[self]

    def label(self, lang: Lang) -> str:
        """The disposition in words, e.g. "Provider clearance needed"."""
        return _LABELS[self].in_(lang)

    def summary(self, lang: Lang) -> str:
        """What staff do next, in one or two sentences: what to check and what to document."""
        return _SUMMARIES[self].in_(lang)

    @classmethod
    def of_tier(cls, tier: Tier) -> Disposition:
        """The disposition of an engine tier (the one mapping; see the module's docstring)."""
        return _BY_TIER[tier]

    @classmethod
    def of(cls, tier: Tier, reason_tiers: Iterable[Tier] = (), *, open_answers: int = 0) -> Disposition:
        """The disposition of a screening: its tier's, raised by any stricter reason or open answer.

        The engine's tier is already the highest of its reasons' tiers and an open ("not sure")
        answer already raises it to ``home_caution`` or above; taking the maximum again keeps the
        disposition safe even for a stored document that was not written that way.
        """
        found = [cls.of_tier(tier), *(cls.of_tier(t) for t in reason_tiers)]
        if open_answers:
            found.append(cls.TREAT_WITH_PRECAUTIONS)
        return max(found, key=_RANK.__getitem__)


_RANK: dict[Disposition, int] = {disposition: rank for rank, disposition in enumerate(Disposition)}

_BY_TIER: dict[Tier, Disposition] = {
    Tier.HOME_OK: Disposition.OK_TO_TREAT,
    Tier.HOME_CAUTION: Disposition.TREAT_WITH_PRECAUTIONS,
    Tier.CLINIC: Disposition.TREAT_WITH_PRECAUTIONS,
    Tier.MEDICAL_REVIEW: Disposition.PROVIDER_CLEARANCE,
    Tier.STOP: Disposition.DO_NOT_TREAT,
}

_LABELS: dict[Disposition, Text] = {
    Disposition.OK_TO_TREAT: Text("OK to treat", "Se puede tratar"),
    Disposition.TREAT_WITH_PRECAUTIONS: Text("Treat with these precautions", "Tratar con estas precauciones"),
    Disposition.PROVIDER_CLEARANCE: Text("Provider clearance needed", "Necesita autorización médica"),
    Disposition.DO_NOT_TREAT: Text("Do not treat now", "No tratar ahora"),
}

_SUMMARIES: dict[Disposition, Text] = {
    Disposition.OK_TO_TREAT: Text(
        "Nothing in this screening calls for a precaution. Treat following the clinic's protocol and record "
        "the session as usual.",
        "Nada en esta evaluación previa exige una precaución. Trata según el protocolo de la clínica y registra la "
        "sesión como siempre.",
    ),
    Disposition.TREAT_WITH_PRECAUTIONS: Text(
        "Before treating, check each reason below with the client, and note in the session record how it "
        "was addressed.",
        "Antes de tratar, comprueba con el cliente cada motivo indicado abajo y anota en el registro de la "
        "sesión cómo se ha tenido en cuenta.",
    ),
    Disposition.PROVIDER_CLEARANCE: Text(
        "Do not treat until a provider has reviewed the reasons below and recorded a clearance with the "
        "clinical reason and an expiry date.",
        "No trates hasta que un médico/a responsable haya revisado los motivos indicados abajo y haya registrado una "
        "autorización médica con el motivo clínico y una fecha de caducidad.",
    ),
    Disposition.DO_NOT_TREAT: Text(
        "Do not treat now. Tell the client the reasons below and screen them again once the reason has "
        "resolved; only a clearance recorded by a provider lifts this.",
        "No trates ahora. Explica al cliente los motivos indicados abajo y repite la evaluación previa "
        "cuando el motivo se haya resuelto; solo una autorización médica registrada por un médico/a "
        "responsable lo levanta.",
    ),
}
