"""Home journal benchmark on PostgreSQL: the journal page and logging a session with 100,000 journals.

Run with ``uv run python bench/journal.py [--connections C] [--duration S] [--rounds R] [--wait-idle S]``
(``--regenerate`` rebuilds the data, ``--generate-only`` only makes sure it is there, ``--drop`` removes
the scratch database, ``--profiled N`` prints where N in-process page views spend their CPU). It reuses
``bench/api.py``'s server and wrk helpers and ``bench/clinic.py``'s COPY, marker, round and report helpers.

1. Data. A scratch database (``needlewise_bench_journal`` on ``postgresql://postgres@127.0.0.1:5432/``)
   is created and migrated with needlewise's own migrations, then filled with COPY (psycopg 3), not the
   ORM: 100,000 journals, each with its own random Profile v2 read at home (ages, goals, areas, devices
   and needles, skin types, some "not sure" answers, products, history) kept only when the real engine
   allows home use (``home_ok`` / ``home_caution``: ``services.journal.parsed_profile`` + ``assess``),
   0-60 logged sessions (about 12 % none; days back from the last weeks, intervals around the needle's,
   some too soon; each session's needle, areas among the profile's, products among those planned),
   a device for about 60 % (bought before its first session or not known, uses counted), an e-mail
   address for about 35 %, Spanish for 20 %. Sessions and device are written with the application's
   own ``SessionEntry`` / ``DeviceEntry.to_json``; every column is prepared by the ``Journal`` model's
   own fields (``get_db_prep_save``: the profile, the state and the e-mail sealed exactly as the
   application stores them) with a fixed bench data key (``NEEDLEWISE_DATA_KEY``, also given to the
   server). Each journal's key is derived from the seed and its number (the same 32 URL-safe characters
   as ``saved_results.new_token``); only its SHA-256 digest is stored, as the application does. The
   run checks that ``services.journal.open_journal`` opens a sample by its key with the sessions and
   device generated. The data is kept and reused while the generation parameters match.
2. Server. ``needlewise serve`` (granian, WSGI, production settings, its default 2 workers per CPU x 1 thread as
   ``bench/clinic.py``) on a free port of 127.0.0.1 with ``DATABASE_URL`` pointing at the scratch
   database and the limits off (``NEEDLEWISE_RATE_LIMIT=0``, ``NEEDLEWISE_PUBLIC_LIMITS=0``).
3. Load. ``wrk --latency -t1`` with a Lua script that rotates over many journals' keys and counts the
   answers by status: (a) ``GET /journal/<key>/``, the journal's HTML page; (b)
   ``POST /api/v1/journals/<key>/sessions`` with a valid body per journal (today or yesterday, the
   journal's needle, areas among its profile's), spread so that no journal nears ``MAX_SESSIONS``;
   (c) ``GET /api/v1/health``, the same server's trivial floor. The journals the POSTs write to are
   saved first and restored afterwards (also after an interrupted run, on the next start), so that
   every run reads the same data. Each workload gets a warm-up; measured rounds alternate.
4. Queries. In-process (Django's test client): the SQL statements of the page and of a POST for
   journals with 0, 1 and 60 sessions (an N+1 would show), and the CPU time per view.

The exit status is 1 when a check fails (no PostgreSQL, wrk missing, server start, a page or POST not
answering as expected, any non-2xx answer or socket error while timing); a missed p99 target is printed
as FAIL without changing the exit status.
"""

from __future__ import annotations

import argparse
import base64
import cProfile
import hashlib
import io
import pstats
import random
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from importlib.metadata import version
from pathlib import Path
from typing import Any

import orjson
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
import api
import clinic

HOST = api.HOST
HEALTH = api.HEALTH
DEFAULT_DATABASE = "needlewise_bench_journal"
SECRET_KEY = "bench-journal-not-a-secret"  # noqa: S105 - a throwaway local server
#: The data key the journals are sealed with: fixed, so that the generator, the checks and the server agree.
DATA_KEY = base64.urlsafe_b64encode(hashlib.sha256(b"needlewise bench journal data key").digest()).decode()
GENERATOR_VERSION = 5  # bump when the generated data changes shape
TARGET_P99_MS = 50.0
META_TABLE = "bench_journal_meta"
SAVED_TABLE = "bench_journal_saved"  # the rows the POST workload writes to, restored after the run
QUEUE_TABLE = "bench_journal_queue"  # the message queue as it was before the run (the POSTs move reminders)
HOME_TIERS = frozenset({"home_ok", "home_caution"})
NEEDLES = (0.2, 0.25, 0.3, 0.5, 0.75, 1.0, 1.5)
NEEDLE_WEIGHTS = (8, 30, 10, 25, 12, 10, 5)
#: Days between sessions by needle length, as people space them (some sooner than the knowledge base's minimum).
SPACING = {0.2: 3, 0.25: 4, 0.3: 5, 0.5: 14, 0.75: 28, 1.0: 35, 1.5: 42}
EMAIL_DOMAINS = ("example.com", "example.org", "correo.example", "mail.example.net")


def key_of(seed: int, number: int) -> str:
    """Journal ``number``'s secret key: 24 bytes as 32 URL-safe characters, like ``saved_results.new_token``."""
    raw = hashlib.sha256(f"needlewise bench journal {seed} {number}".encode()).digest()[:24]
    return base64.urlsafe_b64encode(raw).decode()


@dataclass(frozen=True, slots=True)
class Sizes:
    """What to generate."""

    journals: int
    max_sessions: int
    seed: int

    def meta(self) -> dict[str, int]:
        """The parameters the stored data must match to be reused."""
        return {
            "generator": GENERATOR_VERSION,
            "journals": self.journals,
            "max_sessions": self.max_sessions,
            "seed": self.seed,
        }


# --------------------------------------------------------------------------------------------------
# Generation


class HomeProfiles:
    """Seeded random valid Profile v2 documents of people at home (the engine keeps those allowed home use)."""

    def __init__(self, rng: random.Random) -> None:
        """Use ``rng``."""
        from needlewise.domain.vocabulary import Area, Goal, History, Medication, Product, SkinNow  # noqa: PLC0415

        self.rng = rng
        self.goals = [str(v.value) for v in Goal]
        #: Most people at home want glow, absorption, texture or fine lines (the others mostly need a clinic).
        home_goals = {"glow": 30, "product_absorption": 20, "texture": 20, "fine_lines": 15}
        self.goal_weights = [home_goals.get(goal, 2) for goal in self.goals]
        self.areas = [str(v.value) for v in Area if v.value not in {"scalp", "body"}]
        self.lists = {
            "skin_now": ([str(v.value) for v in SkinNow], 0.03),
            "history": ([str(v.value) for v in History], 0.08),
            "medications": ([str(v.value) for v in Medication], 0.05),
            "planned_products": ([str(v.value) for v in Product if v.value != "prp"], 0.6),
        }

    def profile(self) -> dict[str, Any]:
        """One profile."""
        rng = self.rng
        kind = rng.choices(("roller", "stamp", "pen", "undecided"), (55, 15, 25, 5))[0]
        doc: dict[str, Any] = {
            "profile_version": 2,
            "setting": "home",
            "age": rng.randint(18, 70),
            "goals": list(dict.fromkeys(rng.choices(self.goals, self.goal_weights, k=rng.choice((1, 1, 2, 3))))),
            "areas": rng.sample(self.areas, rng.choices((1, 2, 3, 4), (30, 35, 25, 10))[0]),
            "device": {
                "kind": kind,
                "needle_mm": rng.choices(NEEDLES, NEEDLE_WEIGHTS)[0] if rng.random() < 0.93 else "unsure",
                "uses": rng.choice((0, 0, 0, 1, 3, 10)),
                "shared": False,
                "sterile_single_use": rng.random() < 0.3,
            },
            "pregnant_or_breastfeeding": False,
            "fitzpatrick": rng.choices((1, 2, 3, 4, 5, 6, "unsure"), (8, 25, 25, 17, 10, 8, 7))[0],
            "isotretinoin_months_since_stop": None,
            "recent_procedures": [],
        }
        for key, (values, p_any) in self.lists.items():
            doc[key] = rng.sample(values, rng.choices((1, 2), (75, 25))[0]) if rng.random() < p_any else []
        if rng.random() < 0.05:
            doc["recent_procedures"] = [{"kind": "chemical_peel", "weeks_ago": round(rng.uniform(8, 60), 1)}]
        return doc


@dataclass(slots=True)
class Generated:
    """What the generator made, for the report and the checks."""

    seconds: float = 0.0
    steps: list[tuple[str, float]] = field(default_factory=list)
    tiers: Counter[str] = field(default_factory=Counter)
    drawn: int = 0
    sessions: list[int] = field(default_factory=list)  # per journal number
    devices: int = 0
    emails: int = 0
    checks: int = 0
    changes: int = 0  # journals with a cold sore reported (paused) and healed (resumed)
    emailed: list[int] = field(default_factory=list)  # journal numbers with an address
    reminders: int = 0  # reminders waiting in the queue


def _sessions(rng: random.Random, profile: dict[str, Any], count: int, today: date) -> list[Any]:
    """``count`` logged sessions, oldest first, as the application's ``SessionEntry``."""
    from needlewise.domain.vocabulary import Area, Product  # noqa: PLC0415
    from needlewise.services.journal_entries import SessionEntry  # noqa: PLC0415

    needle = profile["device"]["needle_mm"]
    needle = needle if isinstance(needle, float) else 0.25
    days: list[date] = []
    day = today - timedelta(days=rng.randint(1, 30))
    for _ in range(count):
        days.append(day)
        spacing = SPACING[needle]
        day -= timedelta(days=max(1, round(rng.gauss(spacing * 1.2, spacing * 0.4))))
    entries = []
    for on in reversed(days):
        used = needle if rng.random() < 0.9 else rng.choices(NEEDLES, NEEDLE_WEIGHTS)[0]
        areas = rng.sample(profile["areas"], rng.randint(1, len(profile["areas"])))
        planned = profile["planned_products"]
        products = rng.sample(planned, rng.randint(1, len(planned))) if planned and rng.random() < 0.5 else []
        entries.append(SessionEntry(on, used, frozenset(map(Area, areas)), frozenset(map(Product, products))))
    return entries


def _device(rng: random.Random, profile: dict[str, Any], entries: Sequence[Any], today: date) -> Any:  # noqa: ANN401
    """The person's device as ``DeviceEntry``: bought before the first session (or not known), uses counted."""
    from needlewise.domain.vocabulary import DeviceKind  # noqa: PLC0415
    from needlewise.services.journal_entries import DeviceEntry  # noqa: PLC0415

    kind = profile["device"]["kind"]
    kind = kind if kind != "undecided" else rng.choice(("roller", "pen", "stamp"))
    needle = entries[-1].needle_mm if entries else profile["device"]["needle_mm"]
    needle = needle if isinstance(needle, float) and rng.random() < 0.9 else None
    first = entries[0].on if entries else today
    bought = first - timedelta(days=rng.randint(0, 90)) if rng.random() < 0.8 else None
    return DeviceEntry(DeviceKind(kind), needle, bought, rng.randint(0, 15) + len(entries))


def _checks(rng: random.Random, kb: Any, entries: Sequence[Any], today: date) -> list[dict[str, Any]]:  # noqa: ANN401
    """Skin checks after about a third of the sessions, a day or a few after, as ``CheckEntry`` stores them.

    Mostly nothing to report (the expected course); now and then one red flag, triaged by the engine.
    """
    from needlewise.domain.treatment import Answer  # noqa: PLC0415
    from needlewise.engine.treatment import triage  # noqa: PLC0415
    from needlewise.services.journal_history import CheckEntry  # noqa: PLC0415

    checks = []
    for index, entry in enumerate(entries):
        day = rng.choice((1, 1, 1, 2, 3))
        on = entry.on + timedelta(days=day)
        later = entries[index + 1].on if index + 1 < len(entries) else today + timedelta(days=1)
        if rng.random() >= 0.35 or on >= later or on > today:
            continue
        ids = [q.question_id for q in kb.treatment.checkin.questions_for(day)]
        yes = {rng.choice(ids)} if ids and rng.random() < 0.06 else set()
        at = datetime.combine(on, datetime.min.time(), UTC) + timedelta(seconds=rng.randint(7 * 3600, 22 * 3600))
        found = triage(kb.treatment, day, yes)
        answers = tuple((key, Answer.YES if key in yes else Answer.NO) for key in ids)
        checks.append(CheckEntry(at, on, entry.on, day, answers, found, index + 1).to_json())
    return checks


def _cold_sore(kb: Any, profile: dict[str, Any], entries: Sequence[Any], today: date) -> list[dict[str, Any]]:  # noqa: ANN401
    """Things changed twice, as the application keeps it: a cold sore (the journal paused), then healed."""
    from needlewise.services.journal import parsed_profile  # noqa: PLC0415
    from needlewise.services.journal_change_history import change_entry  # noqa: PLC0415

    sore = {**profile, "skin_now": sorted({*profile["skin_now"], "cold_sore"})}
    began = entries[len(entries) // 2].on if entries else today - timedelta(days=20)
    at = datetime.combine(began, datetime.min.time(), UTC) + timedelta(hours=9)
    paused = change_entry(kb, profile, sore, parsed_profile(sore), at)
    healed = change_entry(kb, sore, profile, parsed_profile(profile), at + timedelta(days=9))
    return [paused.to_json(), healed.to_json()]


def _email(rng: random.Random, number: int) -> str:
    user = rng.choice(("ana", "jo", "maria.l", "kim", "sam_r", "lucia", "alex", "noor", "eva", "tom"))
    return f"{user}{number}@{rng.choice(EMAIL_DOMAINS)}"


def _copy_value(value: Any) -> str:  # noqa: ANN401 - whatever a Django field prepares for the database
    if value is None:
        return clinic.NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f+00")
    return clinic.text(str(value))


def generate(url: str, sizes: Sizes) -> Generated:  # noqa: C901, PLR0915 - one straight pipeline
    """Fill the freshly migrated database at ``url``; returns what was made."""
    from django.db import connection  # noqa: PLC0415 - after Django is set up

    from needlewise import bootstrap  # noqa: PLC0415
    from needlewise.domain.vocabulary import Lang  # noqa: PLC0415
    from needlewise.engine.evaluate import assess  # noqa: PLC0415
    from needlewise.services.journal import parsed_profile  # noqa: PLC0415
    from needlewise.services.saved_results import digest  # noqa: PLC0415
    from needlewise.storage.models import Journal  # noqa: PLC0415

    started = time.perf_counter()
    made = Generated()
    rng = random.Random(sizes.seed)
    kb = bootstrap.knowledge_base()
    maker = HomeProfiles(random.Random(sizes.seed + 1))
    today = datetime.now(UTC).date()
    now = datetime.now(UTC)

    def step(name: str, since: float) -> float:
        current = time.perf_counter()
        made.steps.append((name, current - since))
        print(f"  - {name}: {current - since:.1f} s", flush=True)
        return current

    # Every column as the model's own field prepares it for the database (the sealed ones sealed).
    fields = [f for f in Journal._meta.concrete_fields if not f.primary_key]  # noqa: SLF001 - Django's model API
    columns = [f.column for f in fields]

    def rows() -> Iterator[str]:
        t = time.perf_counter()
        for number in range(sizes.journals):
            while True:
                profile = maker.profile()
                made.drawn += 1
                tier = assess(parsed_profile(profile), kb, Lang.EN).tier.value
                if tier in HOME_TIERS:
                    break
            made.tiers[tier] += 1
            count = 0 if rng.random() < 0.12 else rng.randint(1, sizes.max_sessions)
            entries = _sessions(rng, profile, count, today)
            device = _device(rng, profile, entries, today) if rng.random() < 0.6 else None
            first = entries[0].on if entries else today - timedelta(days=rng.randint(0, 60))
            created = datetime.combine(first - timedelta(days=rng.randint(0, 10)), datetime.min.time(), UTC)
            created = min(created + timedelta(seconds=rng.randint(6 * 3600, 22 * 3600)), now)
            email = _email(rng, number) if rng.random() < 0.35 else ""
            state: dict[str, Any] = {
                "sessions": [e.to_json() for e in entries],
                "device": device.to_json() if device else None,
            }
            checks = _checks(rng, kb, entries, today)
            if checks:
                state["checks"] = checks
                made.checks += len(checks)
            if rng.random() < 0.03 and not profile["skin_now"]:
                state["changes"] = _cold_sore(kb, profile, entries, today)
                made.changes += 1
            made.sessions.append(count)
            made.devices += device is not None
            made.emails += bool(email)
            if email:
                made.emailed.append(number)
            row = Journal(
                token_digest=digest(key_of(sizes.seed, number)),
                created_at=created,
                lang=Lang.ES.value if rng.random() < 0.2 else Lang.EN.value,
                profile=profile,
                state=state,
                email=email,
            )
            yield "\t".join(_copy_value(f.get_db_prep_save(getattr(row, f.attname), connection)) for f in fields)
            if (number + 1) % 20_000 == 0:
                print(f"    {number + 1:,} journals ({time.perf_counter() - t:.0f} s)", flush=True)

    t = time.perf_counter()
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
        cur.execute("SET maintenance_work_mem = '512MB'")
        restore = clinic.detach(cur, "journal")
        clinic.copy_rows(cur, "journal", columns, rows())
        t = step(f"{sizes.journals:,} journals drawn, assessed, sealed and copied", t)
        for statement in restore:
            cur.execute(statement)
        clinic.reset_sequences(cur, ("journal",))
        conn.commit()
    t = step("indexes", t)
    made.reminders = queue_reminders(sizes.seed, made.emailed)
    t = step(f"{made.reminders:,} reminders of {len(made.emailed):,} journals with an address queued", t)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
    step("VACUUM (ANALYZE)", t)
    made.seconds = time.perf_counter() - started
    return made


def links(key: str) -> Any:  # noqa: ANN401 - journal_reminders.Links
    """The journal's link and its stop link, as the edge makes them (on the bench's host)."""
    from needlewise.messaging import journal_reminders  # noqa: PLC0415
    from needlewise.services.saved_results import digest  # noqa: PLC0415

    stop = journal_reminders.stop_token(digest(key))
    return journal_reminders.Links(f"http://{HOST}/journal/{key}/", f"http://{HOST}/reminders/stop/{stop}/")


def queue_reminders(seed: int, numbers: Sequence[int]) -> int:
    """Queue the reminders the application would have waiting for these journals (those with an address).

    Each journal is opened and its reminders brought in line by ``journal_reminders.follow``, as after
    the journal's last change: the next session's day and the device's replacement day, where in the future.
    """
    from django.db import connection, transaction  # noqa: PLC0415

    from needlewise import bootstrap  # noqa: PLC0415
    from needlewise.messaging import journal_reminders  # noqa: PLC0415
    from needlewise.services.journal import open_journal  # noqa: PLC0415

    kb, store, queued = bootstrap.knowledge_base(), bootstrap.journals(), 0
    for start in range(0, len(numbers), 2_000):
        with transaction.atomic():
            for number in numbers[start : start + 2_000]:
                key = key_of(seed, number)
                planned = journal_reminders.follow(key, open_journal(store, key, kb, None), links(key))
                queued += sum(day is not None for day in planned.values())
        with connection.cursor() as cur:  # the queue grows from empty: keep the planner's statistics current
            cur.execute("ANALYZE queued_message")
    return queued


def ensure_data(server_url: str, name: str, sizes: Sizes, *, regenerate: bool) -> dict[str, Any]:
    """Reuse the scratch database when its marker matches ``sizes``; otherwise build it. Returns the marker."""
    wanted = sizes.meta()
    meta, started = clinic.reuse_or_recreate(server_url, name, wanted, fresh=regenerate, table=META_TABLE)
    if meta is not None:
        return meta
    url = clinic.database_url(server_url, name)
    made = generate(url, sizes)
    counts = made.sessions
    return clinic.store_generated(
        url,
        wanted,
        started,
        {
            "steps": [(n, round(s, 1)) for n, s in made.steps],
            "tiers": dict(made.tiers),
            "drawn": made.drawn,
            "sessions": sum(counts),
            "without_sessions": sum(1 for c in counts if c == 0),
            "devices": made.devices,
            "emails": made.emails,
            "checks": made.checks,
            "reminders": made.reminders,
            "changes": made.changes,
            "session_counts": counts,  # per journal number, for the checks
            "emailed": made.emailed,  # journal numbers with an address
        },
        META_TABLE,
    )


# --------------------------------------------------------------------------------------------------
# Saving and restoring the journals the POST workload writes to


def save_rows(url: str, digests: Sequence[str]) -> None:
    """Keep a copy of the rows the POSTs will change and of the queue (restored by :func:`restore_rows`)."""
    with psycopg.connect(url) as conn:
        conn.execute(f"CREATE TABLE {QUEUE_TABLE} AS SELECT * FROM queued_message")  # noqa: S608 - fixed name
        conn.execute(
            f"CREATE TABLE {SAVED_TABLE} AS SELECT id, profile, state FROM journal WHERE token_digest = ANY(%s)",  # noqa: S608 - fixed name
            [list(digests)],
        )


def restore_rows(url: str) -> int:
    """Put back the rows and the queue saved before the POSTs (also those of an interrupted run); how many rows."""
    with psycopg.connect(url) as conn:
        saved = conn.execute(
            "SELECT to_regclass(%s) IS NOT NULL, to_regclass(%s) IS NOT NULL", [SAVED_TABLE, QUEUE_TABLE]
        )
        rows, queue = saved.fetchone() or (False, False)
        done = 0
        if rows:
            done = conn.execute(
                f"UPDATE journal SET profile = s.profile, state = s.state FROM {SAVED_TABLE} s WHERE journal.id = s.id"  # noqa: S608 - fixed name
            ).rowcount
            conn.execute(f"DROP TABLE {SAVED_TABLE}")
        if queue:
            conn.execute("DELETE FROM queued_message")
            conn.execute(f"INSERT INTO queued_message SELECT * FROM {QUEUE_TABLE}")  # noqa: S608 - fixed name
            conn.execute(f"DROP TABLE {QUEUE_TABLE}")
        return done


# --------------------------------------------------------------------------------------------------
# Checks, statement counts and CPU (in-process)


def page_path(key: str) -> str:
    """The journal's page."""
    return f"/journal/{key}/"


def sessions_path(key: str) -> str:
    """The API's session log of the journal."""
    return f"/api/v1/journals/{key}/sessions"


def session_body(rng: random.Random, profile: dict[str, Any], today: date) -> str:
    """A valid session for the journal of ``profile``: today or yesterday, its needle, some of its areas."""
    needle = profile["device"]["needle_mm"]
    areas = rng.sample(profile["areas"], rng.randint(1, len(profile["areas"])))
    planned = profile["planned_products"]
    products = rng.sample(planned, 1) if planned and rng.random() < 0.5 else []
    body = {
        "on": (today - timedelta(days=rng.choice((0, 0, 1)))).isoformat(),
        "needle_mm": needle if isinstance(needle, float) else 0.25,
        "areas": areas,
        "products": products,
    }
    return orjson.dumps(body).decode()


def profiles_of(keys: Sequence[str]) -> list[dict[str, Any]]:
    """The stored profiles of the journals behind ``keys`` (through the application's storage)."""
    from needlewise import bootstrap  # noqa: PLC0415
    from needlewise.services.saved_results import digest  # noqa: PLC0415

    store = bootstrap.journals()
    found = []
    for key in keys:
        record = store.get(digest(key))
        if record is None:
            msg = f"no journal for a generated key ({key[:6]}...)"
            raise api.BenchError(msg)
        found.append(dict(record.profile))
    return found


def check_sample(seed: int, counts: Sequence[int], rng: random.Random, sample: int = 300) -> str:
    """``open_journal`` opens a sample of journals by their keys, with the sessions generated."""
    from needlewise import bootstrap  # noqa: PLC0415
    from needlewise.services.journal import open_journal  # noqa: PLC0415

    kb = bootstrap.knowledge_base()
    numbers = rng.sample(range(len(counts)), min(sample, len(counts)))
    tiers: Counter[str] = Counter()
    for number in numbers:
        view = open_journal(bootstrap.journals(), key_of(seed, number), kb, None)
        if len(view.sessions) != counts[number]:
            msg = f"journal {number} opened with {len(view.sessions)} sessions, generated {counts[number]}"
            raise api.BenchError(msg)
        tiers[view.assessment.tier.value] += 1
    return (
        f"- open_journal opened {len(numbers)} random journals by their keys, sessions as generated; "
        f"tiers {dict(tiers)}"
    )


def _client() -> Any:  # noqa: ANN401 - django.test.Client
    from django.test import Client  # noqa: PLC0415

    return Client(HTTP_HOST=HOST)


def statements(method: str, path: str, body: str | None = None) -> tuple[int, bytes, list[str]]:
    """One request in-process; its status, body and SQL statements."""
    from django.db import connection  # noqa: PLC0415
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    client = _client()
    with CaptureQueriesContext(connection) as captured:
        if method == "GET":
            response = client.get(path)
        else:
            response = client.post(path, data=body, content_type="application/json")
    return response.status_code, response.content, [q["sql"] for q in captured.captured_queries]


def check_counts(chosen: dict[str, tuple[str, int]], bodies: dict[str, str]) -> list[str]:
    """SQL statements of the page and of a POST for journals with 0, 1 and many sessions."""
    lines = [
        "| Journal | sessions | page: status, statements | POST session: status, statements |",
        "|---|---:|---|---|",
    ]
    details: list[str] = []
    for label, (key, count) in chosen.items():
        status, content, page_sql = statements("GET", page_path(key))
        if status != 200 or b"<html" not in content.lower():
            msg = f"GET {page_path(key)[:16]}... answered {status} in-process"
            raise api.BenchError(msg)
        posted, answer, post_sql = statements("POST", sessions_path(key), bodies[key])
        if posted != 201 or len(orjson.loads(answer)["sessions"]) != count + 1:
            msg = f"POST of a session answered {posted} in-process: {answer[:300]!r}"
            raise api.BenchError(msg)
        lines.append(f"| {label} | {count} | {status}, {len(page_sql)} | {posted}, {len(post_sql)} |")
        if label.startswith(("many", "an e-mail")):
            details += ["", f"Statements for the journal '{label}' ({count} sessions):", ""]
            details += [f"- page: `{s[:140]}`" for s in page_sql]
            details += [f"- POST: `{s[:140]}`" for s in post_sql]
    return lines + details


def cpu_per_view(page_keys: Sequence[str], bodies: dict[str, str], views: int, profiled: int) -> list[str]:
    """CPU ms of this process per page view and per POST (test client, no server), and a profile if asked."""
    client = _client()
    lines = []
    post_keys = list(bodies)
    for label, keys, call in (
        ("GET journal page", page_keys, lambda key: client.get(page_path(key))),
        (
            "POST session",
            post_keys,
            lambda key: client.post(sessions_path(key), data=bodies[key], content_type="application/json"),
        ),
    ):
        times = []
        for key in keys[:views]:
            began = time.process_time()
            call(key)
            times.append((time.process_time() - began) * 1000)
        times.sort()
        counted = keys[: min(50, views)]
        profiler = cProfile.Profile()
        profiler.enable()
        for key in counted:  # a figure that does not move with the machine's load
            call(key)
        profiler.disable()
        calls = pstats.Stats(profiler).total_calls / len(counted)
        lines.append(
            f"- {label}: CPU of this process median {statistics.median(times):.2f} ms, "
            f"p90 {times[int(0.9 * (len(times) - 1))]:.2f} ms over {len(times)} journals; "
            f"{calls:,.0f} Python function calls per view (cProfile, the first {len(counted)} again)"
        )
    if profiled:
        for label, keys, call in (
            ("page views", page_keys, lambda key: client.get(page_path(key))),
            (
                "POSTs of a session",
                post_keys,
                lambda key: client.post(sessions_path(key), data=bodies[key], content_type="application/json"),
            ),
        ):
            profiler = cProfile.Profile(time.process_time)  # CPU, not waiting for PostgreSQL
            profiler.enable()
            for key in keys[:profiled]:
                call(key)
            profiler.disable()
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
            lines += ["", f"Profile of {profiled} {label} (cumulative CPU):", "```text", out.getvalue().rstrip(), "```"]
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(30)
            lines += ["", "The same, by own time:", "```text", out.getvalue().rstrip(), "```"]
    return lines


# --------------------------------------------------------------------------------------------------
# Load


LUA = """local requests = {{
{requests}
}}
local headers = {{ ["Content-Type"] = "application/json" }}
function request()
  index = index + 1
  local r = requests[index % #requests + 1]
  if r[2] then
    return wrk.format("POST", r[1], headers, r[2])
  end
  return wrk.format("GET", r[1])
end
"""


def lua_script(requests: Sequence[tuple[str, str | None]]) -> str:
    """A wrk script that rotates over ``requests`` (path, JSON body or None for GET), counting 2xx answers."""
    lines = []
    for path, body in requests:
        lines.append(f"  {{ [==[{path}]==], [==[{body}]==] }}," if body is not None else f"  {{ [==[{path}]==] }},")
    return (LUA + clinic.LUA_COUNTS).format(requests="\n".join(lines), ok="status >= 200 and status < 300")


class JournalServer(api.Server):
    """``needlewise serve`` on the scratch database, the limits off."""

    def __init__(self, workers: int, data_dir: Path, log: Path, url: str, threads: int) -> None:
        """Prepare (not start) the server."""
        super().__init__(workers, data_dir, log, rate_limit=False)
        self.env["NEEDLEWISE_THREADS"] = str(threads)
        self.env["NEEDLEWISE_PUBLIC_LIMITS"] = "0"
        self.env["DATABASE_URL"] = url
        self.env["NEEDLEWISE_SECRET_KEY"] = SECRET_KEY
        self.env["NEEDLEWISE_DATA_KEY"] = DATA_KEY


def check_over_http(port: int, page_keys: Sequence[str], posts: Sequence[tuple[str, str | None]]) -> None:
    """The running server shows journal pages (200) and logs sessions (201)."""
    for key in page_keys:
        status, body, _ = api.request(port, "GET", page_path(key))
        if status != 200:
            msg = f"GET {page_path(key)[:16]}... answered {status} over HTTP: {body[:300]!r}"
            raise api.BenchError(msg)
    for path, body in posts:
        status, answer, _ = api.request(port, "POST", path, (body or "").encode())
        if status != 201:
            msg = f"POST {path[:24]}... answered {status} over HTTP: {answer[:300]!r}"
            raise api.BenchError(msg)


# --------------------------------------------------------------------------------------------------
# Report and main


def data_summary(meta: dict[str, Any]) -> list[str]:
    """Row counts and sizes, and what the journals hold."""
    from django.db import connection  # noqa: PLC0415

    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*), pg_size_pretty(pg_total_relation_size('journal')), "
            "pg_size_pretty(pg_indexes_size('journal')), round(avg(length(state))), max(length(state)), "
            "pg_size_pretty(pg_database_size(current_database())) FROM journal"
        )
        count, total, indexes, mean_state, max_state, size = cur.fetchone()
    tiers = ", ".join(f"{k} {v:,}" for k, v in sorted(meta["tiers"].items()))
    return [
        (
            f"- journal table: {count:,} rows, {total} with indexes ({indexes} of indexes); "
            f"sealed state {mean_state:,} characters on average, {max_state:,} at most; database size {size}"
        ),
        (
            f"- {meta['sessions']:,} logged sessions ({meta['without_sessions']:,} journals without any, at most "
            f"{meta['max_sessions']} each), {meta['checks']:,} skin checks, {meta['changes']:,} with a cold sore "
            f"reported and healed ('things changed' twice), {meta['devices']:,} with a device, "
            f"{meta['emails']:,} with an e-mail address ({meta['reminders']:,} reminders waiting in the queue)"
        ),
        (
            f"- profiles: {meta['drawn']:,} random home profiles drawn, {meta['journals']:,} kept as the engine "
            f"allows home use ({tiers})"
        ),
    ]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--server-url", default=clinic.DEFAULT_SERVER_URL, help="PostgreSQL server")
    parser.add_argument("--database", default=DEFAULT_DATABASE, help=f"scratch database name ({DEFAULT_DATABASE})")
    parser.add_argument("--journals", type=int, default=100_000, help="journals (default 100,000)")
    parser.add_argument("--max-sessions", type=int, default=60, help="sessions per journal at most (default 60)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    clinic.add_run_options(parser)
    parser.add_argument("--page-journals", type=int, default=20_000, help="journal pages rotated (default 20,000)")
    parser.add_argument("--post-journals", type=int, default=10_000, help="journals POSTed to (default 10,000)")
    parser.add_argument("--wait-idle", type=float, default=0.0, help="wait up to S s for idle CPUs first (default 0)")
    parser.add_argument("--cpu-views", type=int, default=200, help="in-process views timed for CPU (default 200)")
    parser.add_argument(
        "--profiled", type=int, default=0, help="page views and POSTs to profile in-process (default 0)"
    )
    parser.add_argument("--no-load", action="store_true", help="only the in-process checks, counts and CPU")
    args = parser.parse_args(argv)
    if not (1_000 <= args.journals <= 10_000_000 and 1 <= args.max_sessions <= 400):
        parser.error("--journals 1,000..10,000,000, --max-sessions 1..400 (MAX_SESSIONS is 500)")
    if not (100 <= args.page_journals <= args.journals and 100 <= args.post_journals <= args.journals // 2):
        parser.error("--page-journals 100..--journals, --post-journals 100..half of --journals")
    clinic.check_run_options(parser, args)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Generate (or reuse) the data, run the benchmark and print its report; exit 1 when a check fails."""
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, clinic._raise_on_sigterm)  # noqa: SLF001 - so that the server is stopped on `kill`
    if args.drop:
        clinic.drop_database(args.server_url, args.database)
        print(f"dropped database {args.database}")
        return 0
    try:
        wrk = None if args.generate_only or args.no_load else api.wrk_path()
        with psycopg.connect(clinic.database_url(args.server_url, "postgres"), connect_timeout=5):
            pass
    except (api.BenchError, psycopg.OperationalError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    url = clinic.database_url(args.server_url, args.database)
    sizes = Sizes(args.journals, args.max_sessions, args.seed)
    with tempfile.TemporaryDirectory(prefix="needlewise-bench-journal-") as folder_name:
        folder = Path(folder_name)
        clinic.setup_django(url, folder / "data-local", secret_key=SECRET_KEY, data_key=DATA_KEY, idle_minutes=None)
        clinic.print_header("home journal", "journal.py", argv)
        try:
            meta = ensure_data(args.server_url, args.database, sizes, regenerate=args.regenerate)
            restored = restore_rows(url)
        except psycopg.Error as error:
            print(f"error: generating the data failed: {error}", file=sys.stderr)
            return 1
        if restored:
            print(f"- restored {restored:,} journals an interrupted run had written to")
        if args.generate_only:
            return 0
        return run(args, wrk, url, folder, meta)


def run(args: argparse.Namespace, wrk: str | None, url: str, folder: Path, meta: dict[str, Any]) -> int:  # noqa: PLR0915
    """Everything after the data is there."""
    from django.db import connection  # noqa: PLC0415

    from needlewise.services.journal import MAX_SESSIONS  # noqa: PLC0415
    from needlewise.services.saved_results import digest  # noqa: PLC0415

    with connection.cursor() as cur:
        cur.execute("SELECT version()")
        pg_version = cur.fetchone()[0].split(" on ")[0]
        cur.execute("SHOW shared_buffers")
        shared_buffers = cur.fetchone()[0]
    wrk_text = f", {api.wrk_version(wrk)}" if wrk else ""
    print(
        f"- needlewise {version('needlewise')}, granian {version('granian')} (WSGI), django {version('django')}, "
        f"psycopg {version('psycopg')}, {pg_version} (shared_buffers {shared_buffers}) on the same machine{wrk_text}"
    )
    steps = "; ".join(f"{name} {seconds} s" for name, seconds in meta.get("steps", []))
    print(f"- generation: {meta['seconds']} s on {meta['generated_at']} ({steps})")
    commit_p50, commit_p99 = clinic.commit_latency(url)
    print(
        f"- a durable one-row commit on this PostgreSQL (WAL fsync): median {commit_p50:.2f} ms, "
        f"p99 {commit_p99:.2f} ms; "
        "a logged session commits once (its row, held FOR UPDATE while the state is rewritten)"
    )
    print("\n## Data\n")
    print("\n".join(data_summary(meta)))
    counts: list[int] = meta["session_counts"]
    rng = random.Random(args.seed + 2)
    numbers = rng.sample(range(args.journals), args.page_journals + args.post_journals)
    page_numbers, post_numbers = numbers[: args.page_journals], numbers[args.page_journals :]
    heavy = max(post_numbers, key=lambda n: (counts[n], -n))
    one = next(n for n in post_numbers if counts[n] == 1)
    none = next(n for n in post_numbers if counts[n] == 0)
    emailed = set(meta["emailed"])
    reminded = next(n for n in post_numbers if n in emailed and counts[n] > 0)
    if max(counts) + 50 >= MAX_SESSIONS:
        print(f"error: journals would near MAX_SESSIONS ({MAX_SESSIONS})", file=sys.stderr)
        return 1
    page_keys = [key_of(args.seed, n) for n in page_numbers]
    post_keys = [key_of(args.seed, n) for n in post_numbers]
    today = datetime.now(UTC).date()
    body_rng = random.Random(args.seed + 3)
    bodies = {
        key: session_body(body_rng, profile, today)
        for key, profile in zip(post_keys, profiles_of(post_keys), strict=True)
    }
    save_rows(url, [digest(k) for k in post_keys])
    ok = True
    try:
        print("\n## Checks and statement counts (in-process, Django test client)\n")
        print(check_sample(args.seed, counts, random.Random(args.seed + 4)))
        chosen = {
            "many sessions": (key_of(args.seed, heavy), counts[heavy]),
            "one session": (key_of(args.seed, one), 1),
            "no session": (key_of(args.seed, none), 0),
            "an e-mail address (reminders)": (key_of(args.seed, reminded), counts[reminded]),
        }
        print("\n".join(check_counts(chosen, bodies)))
        print(f"\n## CPU per view in-process (Django test client, {args.cpu_views} journals)\n")
        print("\n".join(cpu_per_view(page_keys, bodies, args.cpu_views, args.profiled)))
        if wrk is None:
            return 0
        lua = folder / "lua"
        lua.mkdir()
        endpoints = []
        for name, label, requests in (
            ("page", "GET /journal/<key>/ (journal page)", [(page_path(k), None) for k in page_keys]),
            ("post", "POST /api/v1/journals/<key>/sessions", [(sessions_path(k), bodies[k]) for k in post_keys]),
            ("health", f"GET {HEALTH} (trivial)", [(HEALTH, None)]),
        ):
            script = lua / f"{name}.lua"
            script.write_text(lua_script(requests), encoding="utf-8")
            endpoints.append(clinic.Endpoint(name, label, script, len(requests)))
        print(
            f"\n- journal pages: {len(page_keys):,} random journals (sessions: median "
            f"{statistics.median(counts[n] for n in page_numbers):g}, max {max(counts[n] for n in page_numbers)}); "
            f"POSTs: {len(post_keys):,} other journals, saved before and restored after the run; "
            f"e.g. {bodies[post_keys[0]]}"
        )
        print(f"- CPU busy before the run: {api.cpu_busy()}; load average (1/5/15 min): {api.load_average()}")
        print(
            f"- server: needlewise serve --host {HOST} --workers {args.workers} --threads {args.threads} "
            f"(production settings, no debug, NEEDLEWISE_RATE_LIMIT=0, NEEDLEWISE_PUBLIC_LIMITS=0, DATABASE_URL={url})"
        )
        print(
            f"- load: wrk --latency -t1 -c{args.connections} -d{args.duration:g}s, warm-up {args.warmup:g} s per "
            f"workload, rounds: {args.rounds}, alternating workloads; wrk and PostgreSQL share the CPUs with the server"
        )
        if args.wait_idle > 0:
            print(f"- waited for idle CPUs (up to {args.wait_idle:g} s): {clinic.wait_until_idle(args.wait_idle)}")
        print("\n## Rounds\n")
        load = clinic.Load(wrk, args.connections, args.duration, args.warmup, args.rounds)
        with JournalServer(args.workers, folder / "data", folder / "server.log", url, args.threads) as server:
            check_over_http(server.port, page_keys[:20], [(sessions_path(k), bodies[k]) for k in post_keys[-20:]])
            results = clinic.measure(load, server.port, endpoints)
        mean, clean = clinic.print_figures(results, endpoints, args.connections, args.rounds, "2xx")
        ok = ok and clean
        print(f"\n## Targets (p99 at most {TARGET_P99_MS:.0f} ms, {args.connections} connections)\n")
        for endpoint in endpoints[:2]:
            m = mean[endpoint.name]
            print(f"- {endpoint.label}: p99 {m.p99_ms:.2f} ms - {clinic.verdict(m.p99_ms <= TARGET_P99_MS)}")
    except api.BenchError as error:
        print(f"\nerror: {error}", file=sys.stderr)
        ok = False
    finally:
        print(f"\n- restored {restore_rows(url):,} journals the POSTs wrote to")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
