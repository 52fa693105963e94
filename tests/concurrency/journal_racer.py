"""The child side of ``test_journal_start_race.py``: post the same journal start form from forked processes at once.

Run with the virtual environment's python, ``NEEDLEWISE_DATA_DIR`` (and ``DATABASE_URL`` for
PostgreSQL) in the environment. Django is set up here, never in the test process.

``journal_racer.py setup``
    Migrate.

``journal_racer.py race ROUNDS POSTS``
    Set Django up and load the knowledge base once, with no database connection open. For each
    round, make one start form's token, then fork ``POSTS`` processes (``forking.py``); each opens its
    own connection, waits for the same instant, starts the journal of that form through
    ``needlewise.web.journal_start_form.start_from_form`` and prints one JSON line: the round and the
    journal's key.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from functools import partial

import django
import forking
from forking import line

#: A Profile v2 document of a person rolling at home with a 0.25 mm roller for glow.
PROFILE = {
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


def setup() -> int:
    """An empty, migrated database."""
    from django.core.management import call_command  # noqa: PLC0415 - only after django.setup()

    call_command("migrate", verbosity=0, interactive=False)
    return 0


def _post(round_number: int, posted: str) -> Callable[[], None]:
    """In its process: (at the start) start the journal of the form ``posted`` and print its key."""
    from needlewise.domain.vocabulary import Lang  # noqa: PLC0415
    from needlewise.web.journal_start_form import start_from_form  # noqa: PLC0415

    def post() -> None:
        key = start_from_form(posted, PROFILE, Lang.EN, None, None)  # type: ignore[arg-type]
        line(json.dumps({"round": round_number, "key": key}))

    return post


def race(rounds: int, posts: int) -> int:
    """Each round's posts of one form in simultaneous forked processes; every post prints its journal's key."""
    from needlewise.bootstrap import knowledge_base  # noqa: PLC0415 - only after django.setup()
    from needlewise.web.journal_start_form import new_once  # noqa: PLC0415

    def each_round() -> Iterator[list[forking.Task]]:
        for round_number in range(rounds):
            posted = new_once()  # the round's form, made before its processes are forked
            yield [partial(_post, round_number, posted)] * posts

    knowledge_base()
    return forking.race(each_round())


def main(argv: list[str]) -> int:
    """Dispatch ``setup`` or ``race``."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "needlewise.web.settings")
    django.setup()
    if argv[0] == "setup":
        return setup()
    return race(int(argv[1]), int(argv[2]))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
