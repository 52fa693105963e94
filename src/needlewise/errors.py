"""Every error needlewise raises on purpose, in one tree.

::

    NeedlewiseError
    ├── KnowledgeBaseError          the knowledge base on disk is invalid; .problems lists each one
    ├── ProfileError                a profile document is invalid; .problems lists each one
    ├── ClinicError                 a clinic workspace request cannot be done
    │   ├── InvalidInputError            a form or API field is invalid; .problems lists each one
    │   ├── NotAllowedError              the user's role does not allow it (recorded in the audit log)
    │   ├── NotFoundError                no such record in the user's clinic (other clinics' records
    │   │                           are "not found" too, so ids cannot be probed)
    │   └── ConflictError                the record's state does not allow it (e.g. already archived)
    │       ├── SessionBlockedError          a check of the day failed; .checks keeps each failed check
    │       └── LikelyDuplicateError         a new record may be one on file; .matches keeps those records
    ├── BackupError                 a backup could not be written or restored; nothing was replaced
    └── DataKeyError                the data key is missing, malformed, or not the one the data was
                                    encrypted with (a wrong key, a restore from another installation)

Each problem names where it is (file and path, or the profile field) and, where one is close, a
did-you-mean suggestion. Edges (CLI, API) turn these into exit codes or HTTP statuses in one place.
A person's risk is never an exception: a contraindication is a finding, not an error.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from needlewise.domain.treatment import CheckResult

#: Where a worded problem's word is translated: the message catalogue (the word is a message marked ``N_``).
CATALOGUE = ""
#: Between the words of a param that lists several (each translated on its own).
WORD_SEPARATOR = ", "


def N_(text: str) -> str:  # noqa: N802 - the conventional name gettext tools look for
    """Mark ``text`` for translation; edges translate it (see :meth:`Problem.worded`)."""
    return text


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong, where it is, and a suggestion when there is one.

    Messages meant for people carry their English ``template`` and its ``params`` as well, so an edge
    can show them in the person's language (``message`` is ``template % params``). A param is a number
    (written as the reader's language writes it) unless ``words`` names it: then it is a word, or a
    list of words (separated by :data:`WORD_SEPARATOR`), said in the reader's language from where
    ``words`` says: :data:`CATALOGUE`, or the name of a knowledge-base vocabulary (its values' labels).
    """

    where: str
    message: str
    suggestion: str | None = None
    template: str | None = None
    params: tuple[tuple[str, str], ...] = ()
    words: tuple[tuple[str, str], ...] = ()

    @classmethod
    def worded(cls, where: str, template: str, **params: str) -> Problem:
        """A problem whose message is ``template % params``, keeping both for translation."""
        return cls(where, template % params, template=template, params=tuple(params.items()))

    def with_words(self, **sources: str) -> Problem:
        """The same problem whose params named here are words, each translated from its source (see the class)."""
        return replace(self, words=tuple(sources.items()))

    def __str__(self) -> str:
        """``where: message (did you mean 'x'?)``."""
        hint = f" (did you mean {self.suggestion!r}?)" if self.suggestion else ""
        return f"{self.where}: {self.message}{hint}"


class NeedlewiseError(Exception):
    """Root of every error needlewise raises deliberately."""

    def __init__(self, problems: list[Problem]) -> None:
        """Hold one or more problems; the message lists them all."""
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in problems))

    @property
    def first(self) -> Problem:
        """The first problem, for one-line reports."""
        return self.problems[0]


class KnowledgeBaseError(NeedlewiseError):
    """The knowledge base files are missing or invalid; nothing was loaded."""


class ProfileError(NeedlewiseError):
    """A profile document (v1 or v2) is invalid; ``problem.where`` is the field path."""


class ClinicError(NeedlewiseError):
    """A clinic workspace request cannot be done; edges turn each subclass into one status."""


class InvalidInputError(ClinicError):
    """A form or API field is invalid; ``problem.where`` is the field."""


class NotAllowedError(ClinicError):
    """The user's role does not allow the action; the attempt is in the audit log."""


class NotFoundError(ClinicError):
    """No such record in the user's clinic (records of other clinics are not found either)."""


class ConflictError(ClinicError):
    """The record's current state does not allow the action."""


class TooManyAttemptsError(ClinicError):
    """Too many failed attempts just now (a password guessed, a reset asked for): ``wait`` seconds first."""

    def __init__(self, problems: list[Problem], wait: int) -> None:
        """The problem, and how many seconds to wait before trying again."""
        super().__init__(problems)
        self.wait = wait


class SessionBlockedError(ConflictError):
    """A treatment session was not recorded: a check of the day failed.

    ``problems`` say why and what to do, in English; ``checks`` keeps each failed check (a
    ``needlewise.domain.treatment.CheckResult``) so an edge can word it in the reader's language.
    """

    def __init__(self, problems: list[Problem], checks: tuple[CheckResult, ...]) -> None:
        """The problems, one a failed check, and the checks themselves."""
        super().__init__(problems)
        self.checks = checks


class BackupError(NeedlewiseError):
    """A database backup could not be written or restored; ``problem.where`` names the file.

    Nothing was replaced: a backup file appears, and a restore changes the database, only once every
    check has passed.
    """


class DataKeyError(NeedlewiseError):
    """Health data cannot be encrypted or read with the configured data key; ``problem.where`` names the key or column.

    Raised instead of showing or writing anything: a wrong key never yields garbage or a traceback.
    """


class LikelyDuplicateError(ConflictError):
    """A new record was not added: it may be one already on file.

    ``problems`` name each likely match, in English; ``matches`` keeps the records themselves (for
    clients, ``Client`` rows) so an edge can name and link them in the reader's language. Staff who
    know it is someone else confirm, and the record is added.
    """

    def __init__(self, problems: list[Problem], matches: tuple[object, ...]) -> None:
        """The problems, one a match, and the matching records."""
        super().__init__(problems)
        self.matches = matches
