"""The cost of encryption at rest on one client page view, in-process (issue 13).

Builds a clinic in a fresh SQLite data folder with the test helpers (a client with notes, two
screenings, five sessions with notes and their consents, plans and check-ins), signs a nurse in, then:

- times ``--views`` GETs of the client page (CPU time of this process: ``time.process_time``);
- profiles ``--profiled`` more with cProfile and counts the calls into ``storage/sealing.py`` and
  the AES-GCM decryptions, with their cumulative time.

Run it against this checkout and against one without encryption (same script, other ``PYTHONPATH``)::

    PYTHONPATH=src .venv/bin/python bench/client_page_crypto.py
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    """Build the clinic, time and profile the client page, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--views", type=int, default=300)
    parser.add_argument("--profiled", type=int, default=100)
    options = parser.parse_args()
    os.environ["NEEDLEWISE_DATA_DIR"] = tempfile.mkdtemp(prefix="nw-bench-crypto-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "needlewise.web.settings")
    import django  # noqa: PLC0415 - after the data folder is chosen

    django.setup()
    from django.conf import settings  # noqa: PLC0415
    from django.core.management import call_command  # noqa: PLC0415

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", interactive=False, verbosity=0)
    sys.path[:] = [str(ROOT / "tests"), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench")]
    from clinic.followup_support import session_row  # noqa: PLC0415 - the tests' builders
    from clinic_factories import make_site  # noqa: PLC0415
    from needlewise.bootstrap import knowledge_base  # noqa: PLC0415
    from needlewise.domain.permissions import Role  # noqa: PLC0415
    from needlewise.storage.models import Client, TreatmentSession  # noqa: PLC0415
    from web.clinic.support import staff_client  # noqa: PLC0415

    kb = knowledge_base()
    site = make_site("Bench Clinic", "bench", "Bea", "Marsh")
    Client.objects.filter(pk=site.client.pk).update(clinical_notes="Allergic to lidocaine; keloid on the chest. " * 10)
    for _ in range(5):
        session = session_row(site, kb)
        TreatmentSession.objects.filter(pk=session.pk).update(
            notes="Tolerated well; mild erythema at the end.", immediate_reactions="Erythema, pinpoint bleeding."
        )
    browser = staff_client(site.members[Role.NURSE])
    url = f"/clinic/clients/{site.client.pk}/"
    assert browser.get(url).status_code == 200  # noqa: S101 - a benchmark's sanity check
    times = []
    for _ in range(options.views):
        started = time.process_time()
        browser.get(url)
        times.append(time.process_time() - started)
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(options.profiled):
        browser.get(url)
    profile.disable()
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    unseal = [v for k, v in stats.items() if k[0].endswith("storage/sealing.py") and k[2] == "unseal"]
    unseal_calls, unseal_seconds = sum(v[1] for v in unseal), sum(v[3] for v in unseal)
    page = [v for k, v in stats.items() if k[0].endswith("django/test/client.py") and k[2] == "get"]
    page_seconds = max(v[3] for v in page)
    n, ordered = options.profiled, sorted(times)
    print(
        f"client page, {options.views} views, CPU time a view: median {statistics.median(times) * 1e3:.2f} ms, "
        f"mean {statistics.mean(times) * 1e3:.2f} ms, p99 {ordered[int(len(ordered) * 0.99) - 1] * 1e3:.2f} ms"
    )
    print(
        f"cProfile, {n} views: {unseal_calls / n:.1f} unseal() calls a view, {unseal_seconds / n * 1e6:.1f} us a view "
        f"in unseal() of {page_seconds / n * 1e3:.2f} ms a view ({unseal_seconds / page_seconds:.2%}), "
        f"{stats and sum(v[1] for v in stats.values()) / n:.0f} function calls a view"
    )


if __name__ == "__main__":
    main()
