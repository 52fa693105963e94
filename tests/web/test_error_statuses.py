"""One table of HTTP statuses for the errors needlewise raises, read by the API and by the pages alike."""

from __future__ import annotations

import importlib
import pkgutil

import orjson
import pytest
from django.test import RequestFactory

import needlewise.clinic
from needlewise import errors
from needlewise.api.clinic_routes import clinic_error
from needlewise.api.statuses import ERROR_STATUSES, SERVER_ERROR, ErrorStatus, status_of
from needlewise.errors import (
    ClinicError,
    ConflictError,
    InvalidInputError,
    NeedlewiseError,
    NotAllowedError,
    NotFoundError,
    Problem,
    ProfileError,
    SessionBlockedError,
)
from needlewise.web.views.clinic_common import _refused

PROBLEM = Problem("client", "No such client in your clinic.")


def _needlewise_errors() -> set[type[NeedlewiseError]]:
    """Every error class needlewise defines: errors.py's and any a clinic module declares."""
    for module in pkgutil.walk_packages(needlewise.clinic.__path__, "needlewise.clinic."):
        importlib.import_module(module.name)
    found: set[type[NeedlewiseError]] = set()
    todo: list[type[NeedlewiseError]] = [NeedlewiseError]
    while todo:
        kind = todo.pop()
        if kind.__module__.startswith("needlewise.") and kind not in found:
            found.add(kind)
            todo.extend(kind.__subclasses__())
    return found


def test_every_error_class_has_an_entry() -> None:
    classes = _needlewise_errors()
    in_errors_py = {v for v in vars(errors).values() if isinstance(v, type) and issubclass(v, NeedlewiseError)}
    assert in_errors_py <= classes
    assert sorted(k.__name__ for k in classes - set(ERROR_STATUSES)) == []
    assert set(ERROR_STATUSES) <= classes  # and no entry for a class that is gone


def test_the_table() -> None:
    assert {k.__name__: (v.status, v.code) for k, v in ERROR_STATUSES.items() if v != SERVER_ERROR} == {
        "ProfileError": (422, "invalid_input"),
        "InvalidInputError": (422, "invalid_input"),
        "NotAllowedError": (403, "not_allowed"),
        "NotFoundError": (404, "not_found"),
        "ConflictError": (409, "conflict"),
        "SessionBlockedError": (409, "conflict"),
        "LikelyDuplicateError": (409, "conflict"),
        "TooManyAttemptsError": (429, "too_many_attempts"),
    }
    assert {k.__name__ for k, v in ERROR_STATUSES.items() if v == SERVER_ERROR} == {
        "NeedlewiseError",
        "KnowledgeBaseError",
        "BackupError",
        "DataKeyError",
        "ClinicError",
    }


def test_a_class_without_an_entry_takes_its_nearest_listed_base_class() -> None:
    class GoneError(NotFoundError):
        pass

    assert status_of(GoneError([PROBLEM])) == ErrorStatus(404, "not_found")
    assert status_of(GoneError) == ErrorStatus(404, "not_found")
    assert status_of(SessionBlockedError([PROBLEM], ())) == status_of(ConflictError)


@pytest.mark.parametrize("kind", [NotAllowedError, NotFoundError, ConflictError, SessionBlockedError])
@pytest.mark.django_db
def test_pages_and_the_api_answer_a_refusal_with_the_same_status(kind: type[ClinicError]) -> None:
    error = kind([PROBLEM], ()) if kind is SessionBlockedError else kind([PROBLEM])
    request = RequestFactory().get("/clinic/")
    api = clinic_error(request, error)
    page = _refused(request, error)
    assert api.status_code == page.status_code == status_of(kind).status
    assert orjson.loads(api.content)["error"] == status_of(kind).code
    assert PROBLEM.message in page.content.decode()


@pytest.mark.parametrize(
    ("kind", "message"),
    [(InvalidInputError, "email: not valid"), (ProfileError, "The profile is not valid: email: not valid")],
)
def test_the_api_answers_invalid_input_with_each_problem(kind: type[NeedlewiseError], message: str) -> None:
    response = clinic_error(RequestFactory().post("/api/v1/clinic/clients"), kind([Problem("email", "not valid")]))
    assert response.status_code == 422
    assert orjson.loads(response.content) == {
        "error": "invalid_input",
        "message": message,
        "problems": [{"field": "email", "message": "not valid", "suggestion": None}],
    }
