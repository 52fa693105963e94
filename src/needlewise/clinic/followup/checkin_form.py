"""The client's check-in form, declared once: the questions answered "yes" and the page's language.

:class:`CheckinFields` declares every field the check-in page posts; :func:`read` builds
:class:`CheckinAnswers` from a post by that declaration. Whether the ids are questions of that day's
check-in is checked by :func:`needlewise.clinic.followup.checkins.answer`, against the knowledge base.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from pydantic import BaseModel, ConfigDict

from needlewise.clinic import forms
from needlewise.clinic.forms import Many, Posted, Reads
from needlewise.domain.vocabulary import Lang


def asked_lang(code: str) -> Lang | None:
    """The language a page was asked in (``?lang=`` or the form's hidden field), if it is one we speak."""
    return Lang(code) if code in {lang.value for lang in Lang} else None


class CheckinFields(BaseModel):
    """Every field the check-in page posts: the ids of the questions answered "yes", the page's language."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    yes: Many
    lang: Annotated[Lang | None, Reads(asked_lang)]


@dataclass(frozen=True, slots=True)
class CheckinAnswers:
    """The check-in as posted: the questions answered "yes" (the others are "no"), the page's language."""

    yes_ids: set[str]
    lang: Lang | None


def read(post: Posted) -> CheckinAnswers:
    """The answers as posted, each field read by its declaration."""
    values = forms.read(CheckinFields, post)
    return CheckinAnswers(set(values["yes"]), values["lang"])
