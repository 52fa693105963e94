"""Helpers for the clinic page tests (imported as ``web.clinic.support``): signing in, sessions, page text.

The clinics themselves come from ``clinic_factories`` (re-exported here, so that a clinic page test
imports its helpers from one module).
"""

from __future__ import annotations

import hashlib
import re
import time
from typing import Any

import orjson
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client

from clinic_factories import CLINIC_OK, CLINIC_STOP, HOME_REVIEW, PASSWORD, ROLES, Site, actor_for, make_site
from factories import no_answer
from needlewise.bootstrap import knowledge_base
from needlewise.services.questionnaire import Interview
from needlewise.services.typed_answers import read_answer
from needlewise.storage.models import StaffMember

#: This module's helpers and, re-exported from ``clinic_factories``, the clinic builders these tests use.
__all__ = [
    "BOOKKEEPING",
    "CLINIC_OK",
    "CLINIC_STOP",
    "HOME_CLINIC_STATE",
    "HOME_OK_STATE",
    "HOME_REVIEW",
    "HOME_REVIEW_STATE",
    "PASSWORD",
    "ROLES",
    "SESSION_COOKIE",
    "Site",
    "actor_for",
    "body",
    "interview_state",
    "make_site",
    "plain_user",
    "session_exists",
    "session_key",
    "signed_in",
    "staff_client",
    "table_hashes",
    "walked_state",
    "without_tokens",
]


SESSION_COOKIE = "nw-session"


#: Tables whose rows a GET may add or change: the audit log (and its head row) and the sessions.
BOOKKEEPING = frozenset({"audit_entry", "audit_head", "django_session"})


def signed_in(client: Client, member: StaffMember) -> Client:
    """Sign ``member`` in on ``client`` as a full sign-in would (second factor passed), now."""
    client.force_login(member.user)
    session = client.session
    now = time.time()
    session["nw_verified"] = True
    session["nw_seen"] = now
    session["nw_signed_in_at"] = now
    session.save()
    return client


def staff_client(member: StaffMember) -> Client:
    """A fresh browser with ``member`` signed in."""
    return signed_in(Client(HTTP_ACCEPT_LANGUAGE="en"), member)


def session_key(client: Client) -> str | None:
    """The session cookie's value in ``client``'s cookie jar, if any."""
    morsel = client.cookies.get(SESSION_COOKIE)
    return morsel.value if morsel is not None and morsel.value else None


def session_exists(key: str | None) -> bool:
    """Whether a session row with this key is stored."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM django_session WHERE session_key = %s", [key])
        (count,) = cursor.fetchone()
    return bool(count)


def table_hashes(skip: frozenset[str] = BOOKKEEPING) -> dict[str, str]:
    """A digest of every row of every table (except ``skip``), to show that nothing changed."""
    digests = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            if table in skip:
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - table names from the schema
            rows = sorted(repr(row) for row in cursor.fetchall())
            digests[table] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return digests


def body(response: Any) -> str:
    """A response's text (streaming ones joined)."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def without_tokens(text: str) -> str:
    """A page with its CSRF tokens blanked (they differ on every response)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken" value=""', text)


def walked_state(answers: dict[str, str]) -> str:
    """The ``state`` of a questionnaire answered to its end: ``answers`` by question id, "none"/"no" for the rest."""
    kb = knowledge_base()
    interview = Interview(kb)
    while (question := interview.next_question()) is not None:
        interview.answer(question, read_answer(question, answers.get(question.question_id) or no_answer(question)))
    return orjson.dumps(interview.to_state()).decode()


def interview_state(answers: dict[str, str]) -> str:
    """The questionnaire's ``state`` after answering only ``answers`` (question id -> typed text), in order."""
    kb = knowledge_base()
    interview = Interview(kb)
    by_id = {q.question_id: q for q in kb.questions}
    for question_id, text in answers.items():
        question = by_id[question_id]
        interview.answer(question, read_answer(question, text))
    return orjson.dumps(interview.to_state()).decode()


#: A home result that needs a clinic (acne scars), one needing a medical review, and one fine at home.
HOME_CLINIC_STATE = {"setting": "home", "age": "30", "goals": "acne_scars"}
HOME_REVIEW_STATE = {"setting": "home", "age": "35", "history": "frequent_cold_sores"}
HOME_OK_STATE = {"setting": "home", "age": "30"}


def plain_user(email: str = "someone@example.org") -> User:
    """An account that is not a staff member of any clinic."""
    user = User(username=email, email=email)
    user.set_password(PASSWORD)
    user.save()
    return user
