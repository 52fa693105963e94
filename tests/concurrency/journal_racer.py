"""The child side of ``test_journal_start_race.py``: post the same journal start form from forked processes at once.

Run with the virtual environment's python, ``NEEDLEWISE_DATA_DIR`` (and ``DATABASE_URL`` for
PostgreSQL) in the environment. Django is set up here, never in the test process.

``journal_racer.py setup``
    Migrate.

``journal_racer.py race ROUNDS POSTS``
    Set Django up and load the knowledge base once, with no database connection open. For each
    round, make one start form's token, then fork ``POSTS`` processes; each opens its own connection,
    waits for the same instant, starts the journal of that form through
    ``needlewise.web.journal_start_form.start_from_form`` and prints one JSON line: the round and the
    journal's key.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback

import django

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


def _line(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def setup() -> int:
    """An empty, migrated database."""
    from django.core.management import call_command  # noqa: PLC0415 - only after django.setup()

    call_command("migrate", verbosity=0, interactive=False)
    return 0


def _post(round_number: int, posted: str, start_at: float) -> None:
    from needlewise.domain.vocabulary import Lang  # noqa: PLC0415
    from needlewise.web.journal_start_form import start_from_form  # noqa: PLC0415

    time.sleep(max(start_at - time.time(), 0))
    key = start_from_form(posted, PROFILE, Lang.EN, None, None)  # type: ignore[arg-type]
    _line(json.dumps({"round": round_number, "key": key}))


def race(rounds: int, posts: int) -> int:
    """Each round's posts of one form in simultaneous forked processes; every post prints its journal's key."""
    from django.db import connections  # noqa: PLC0415 - only after django.setup()

    from needlewise.bootstrap import knowledge_base  # noqa: PLC0415
    from needlewise.web.journal_start_form import new_once  # noqa: PLC0415

    knowledge_base()
    failed = 0
    for round_number in range(rounds):
        posted = new_once()
        connections.close_all()  # no connection may be shared with the children
        start_at = time.time() + 0.3
        children = []
        for _post_number in range(posts):
            sys.stdout.flush()
            pid = os.fork()
            if pid == 0:
                code = 0
                try:
                    _post(round_number, posted, start_at)
                except BaseException:  # noqa: BLE001 - report anything, then leave without the parent's cleanup
                    traceback.print_exc()
                    code = 1
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
            children.append(pid)
        for pid in children:
            _, status = os.waitpid(pid, 0)
            failed += os.waitstatus_to_exitcode(status) != 0
    return 1 if failed else 0


def main(argv: list[str]) -> int:
    """Dispatch ``setup`` or ``race``."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "needlewise.web.settings")
    django.setup()
    if argv[0] == "setup":
        return setup()
    return race(int(argv[1]), int(argv[2]))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
