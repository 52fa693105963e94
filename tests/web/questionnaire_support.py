"""Walking the questionnaire without JavaScript through Django's test client (the state travels in the form)."""

from __future__ import annotations

import re

from django.test import Client

STATE = re.compile(r'name="state" value="([^"]*)"')


def state_of(page: str) -> str:
    match = STATE.search(page)
    assert match, page[:500]
    return match.group(1).replace("&#34;", '"').replace("&quot;", '"').replace("&amp;", "&")


def question_of(page: str) -> str:
    match = re.search(r'data-question="([^"]+)"', page)
    return match.group(1) if match else "result"


def step(client: Client, page: str, action: str = "next", **answer: object) -> str:
    data: dict[str, object] = {"state": state_of(page), "action": action, **answer}
    return client.post("/assess/", data, follow=True).content.decode()


# A person with nothing to report says so explicitly: none, no, never (nothing typed is no answer).
DEFAULTS: dict[str, dict[str, object]] = {
    "skin-now": {"answer": ["none"]},
    "pregnant": {"answer": "no"},
    "history": {"answer": ["none"]},
    "medications": {"answer": ["none"]},
    "isotretinoin": {"choice": "none"},
    "recent-procedures": {"answer": ["none"]},
    "goals": {"answer": ["none"]},
    "areas": {"answer": ["none"]},
    "device-kind": {"answer": "undecided"},
    "device-shared": {"answer": "no"},
    "device-sterile": {"answer": "yes"},
    "products": {"answer": ["none"]},
    "fitzpatrick": {"answer": "2"},
}


def walk(client: Client, answers: dict[str, dict[str, object]], until: str = "result") -> str:
    page = client.get("/assess/").content.decode()
    for _ in range(30):
        question = question_of(page)
        if question == until:
            return page
        page = step(client, page, **{**DEFAULTS, **answers}.get(question, {}))
    message = f"never reached {until}: stuck at {question_of(page)}"
    raise AssertionError(message)
