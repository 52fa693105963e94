"""Texts in every language the project speaks."""

from __future__ import annotations

from dataclasses import dataclass

from needlewise.domain.vocabulary import Lang


@dataclass(frozen=True, slots=True)
class Text:
    """A text in every supported language."""

    en: str
    es: str

    def in_(self, lang: Lang) -> str:
        """The text in ``lang``."""
        return self.es if lang is Lang.ES else self.en
