"""Home journal pages through Django's test client: a questionnaire state for a profile, a journal started."""

from __future__ import annotations

import re
from typing import Any

import orjson
from django.test import Client

from needlewise import bootstrap
from needlewise.domain.vocabulary import Lang
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.services import journal
from needlewise.services.questionnaire import Interview

GLOW: dict[str, Any] = {
    "setting": "home",
    "age": 30,
    "goals": ["glow"],
    "areas": ["cheeks"],
    "device.kind": "roller",
    "device.needle_mm": 0.25,
    "device.uses": 0,
    "device.shared": False,
    "fitzpatrick": 2,
}
KEY = re.compile(r"/journal/([A-Za-z0-9_-]{20,})/")


def interview(kb: KnowledgeBase, answers: dict[str, Any]) -> Interview:
    """An interview answered as ``answers`` says (nothing to report where they say nothing)."""
    done = Interview(kb)
    while (question := done.next_question()) is not None:
        if done.early_stop() is not None:
            break
        default: object = [] if question.kind in ("multi", "procedures") else None
        if question.kind == "boolean":
            default = False
        done.answer(question, answers.get(question.field, default))
    return done


def state(kb: KnowledgeBase, answers: dict[str, Any] | None = None) -> str:
    """The questionnaire's hidden ``state`` for ``answers`` (the glow profile by default)."""
    return orjson.dumps(interview(kb, answers or GLOW).to_state()).decode()


def started(kb: KnowledgeBase, answers: dict[str, Any] | None = None, lang: Lang = Lang.EN) -> str:
    """A journal started from ``answers``; its key."""
    document = interview(kb, answers or GLOW).document
    key, _view = journal.start_journal(bootstrap.journals(), document, kb, lang)  # type: ignore[arg-type]
    return key


#: A Profile v2 document of a person rolling at home with a 0.25 mm roller for glow (the API's body).
PROFILE: dict[str, Any] = {
    "profile_version": 2,
    "setting": "home",
    "age": 30,
    "goals": ["glow"],
    "areas": ["cheeks"],
    "device": {"kind": "roller", "needle_mm": 0.25, "uses": 0, "shared": False, "sterile_single_use": False},
    "pregnant_or_breastfeeding": False,
    "fitzpatrick": 2,
    "skin_now": [],
    "history": [],
    "medications": [],
    "isotretinoin_months_since_stop": None,
    "recent_procedures": [],
    "planned_products": [],
}
#: The instant the API tests run at.
TODAY = "2026-12-07T10:00Z"


def post(client: Client, path: str, body: object) -> Any:
    """POST ``body`` as JSON."""
    return client.post(path, data=orjson.dumps(body), content_type="application/json")


def skin_form(kb: KnowledgeBase, day: int = 1, yes: Any = (), not_sure: Any = ()) -> dict[str, str]:
    """The skin check's form answered: ``yes`` yes, ``not_sure`` not sure, every other question of ``day`` no."""
    said = dict.fromkeys(yes, "yes") | dict.fromkeys(not_sure, "not_sure")
    return {f"answer-{q.question_id}": said.get(q.question_id, "no") for q in kb.treatment.checkin.questions_for(day)}


def submitted(client: Client, path: str, data: dict[str, Any], **headers: Any) -> Any:
    """POST a journal form that is kept: a ``303`` to the journal's page (Post/Redirect/Get); that page."""
    posted = client.post(path, data, **headers)
    assert posted.status_code == 303, posted.status_code
    assert posted["Cache-Control"] == "no-store"
    assert posted["Location"].startswith("/journal/")
    return client.get(posted["Location"], **headers)
