"""The Jinja2 environment: autoescaping, gettext from Django's catalogues, static, url and label helpers."""

from __future__ import annotations

from typing import Any

from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_noop
from jinja2 import Environment, StrictUndefined

from needlewise.domain.permissions import Action, Role

# A staff role as pages show it, e.g. "Nadia Nurse (nurse)"; translated when shown.
_ROLE_LABELS: dict[Role, str] = {
    Role.OWNER: gettext_noop("owner"),
    Role.PROVIDER: gettext_noop("provider"),
    Role.NURSE: gettext_noop("nurse"),
    Role.AESTHETICIAN: gettext_noop("aesthetician"),
    Role.FRONT_DESK: gettext_noop("front desk"),
}


def environment(**options: Any) -> Environment:  # noqa: ANN401 - Django passes Jinja2's own options
    """The environment Django's Jinja2 backend uses."""
    options.update(autoescape=True, undefined=StrictUndefined)
    env = Environment(extensions=["jinja2.ext.i18n"], **options)  # noqa: S701 - autoescape forced on above
    env.install_gettext_translations(translation, newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(
        static=static,
        url=reverse,
        get_language=translation.get_language,
        plain_number=plain_number,
        role_label=role_label,
        Action=Action,
    )
    return env


def plain_number(value: object) -> object:
    """``8.0`` as ``8``: whole numbers are shown without a decimal point."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def role_label(role: str) -> str:
    """A staff role's code (``front_desk``) as words in the active language ("front desk")."""
    return translation.gettext(_ROLE_LABELS[Role(role)])
