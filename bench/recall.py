"""Cartridge lot recall on PostgreSQL: the lot list with 10,000,000 session records (target p99 <= 20 ms).

Run with ``uv run python bench/recall.py [--queries N] [--warmup N] [--http-requests N] [--wait-idle S]
[--sample-seed N] [--prewarm] [--plain-unique-indexes]`` (``--fresh`` rebuilds the data, ``--generate-only``
only makes sure it is there, ``--drop`` removes the scratch database). It reuses ``bench/clinic.py``'s
database helpers. ``--prewarm`` reads the tables into the OS page cache first (``pg_prewarm``);
``--plain-unique-indexes`` measures with the two unique constraints re-created without the INCLUDE
columns that migration 0007 gives them on PostgreSQL (to show what they buy) and puts them back.

1. Data. A scratch database (``needlewise_bench_recall`` on ``postgresql://postgres@127.0.0.1:5432/``)
   is created and migrated with needlewise's own migrations, then filled in SQL (``INSERT ... SELECT``
   over ``generate_series``, not the ORM): 40 clinics of Zipf-like sizes, one staff account per role
   per clinic, 100,000 clients, one screening, signed consent and treatment plan per client, and
   10,000,000 treatment sessions. Sessions come in cartridge lots of 20 to 200 (more small lots than
   large: 20 + 181 u^2.2, median about 60), each lot used by one clinic over a stretch of time in
   which about three of its lots are in use at once; every tenth lot number is shared with a lot of
   another clinic (the same manufacturer's lot, shipped to two clinics). Rows are inserted in
   ``performed_at`` order over 7 years, as a live system would write them, so a lot's sessions lie
   scattered over the table, interleaved with other lots and clinics. Each session has 1 to 3
   zones (about 18,000,000 ``session_zone`` rows), a device (4 in use per clinic, replaced every
   quarter); 0.05 % have an adverse event, and the clients of 1 lot in 1,000 are marked for contact.
   The two big tables' secondary indexes, unique constraints and foreign keys are dropped during
   the load and re-created from their own definitions afterwards; then ``VACUUM (ANALYZE)``. The
   data is kept and reused while the generation parameters match (``--fresh`` rebuilds it).
2. Measurement. In this process, through Django on the scratch database: the real use case
   ``needlewise.clinic.recall.use_cases.by_lot`` (permission check, the row query with its joins and contact
   marks, the zones, the adverse-event count and the hash-chained audit row, committed) for random lots,
   each as the nurse of the lot's clinic, after a warm-up; p50/p95/p99/max and the ratio of p99 to
   the 20 ms target, and the pages each call found in PostgreSQL's buffers or read from the OS. The
   row query alone (one SELECT through the ORM) is timed on the same lots, and ``EXPLAIN (ANALYZE,
   BUFFERS)`` with I/O timing shows its plan for a lot not read before. Each answer is checked against the generated
   lot sizes. Optionally (``--http-requests``) the page ``/clinic/recall/?kind=lot&key=...`` through
   Django's test client with a verified staff session (middleware, session, template; no server).

The exit status is 1 when a check fails (no PostgreSQL, too little disk, a wrong answer); a missed
target is printed as FAIL without changing the exit status. It is not part of ``make test``.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import platform
import random
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import orjson
import psycopg
from psycopg import sql

import api
import clinic as clinic_bench

DEFAULT_SERVER_URL = clinic_bench.DEFAULT_SERVER_URL
DEFAULT_DATABASE = "needlewise_bench_recall"
META_TABLE = "bench_recall_meta"
GENERATOR_VERSION = 1  # bump when the generated data changes shape
TARGET_P99_MS = 20.0
MIN_FREE_GB = 25  # about 12 GB of tables and indexes, plus the load's sort and WAL
ROLES = ("owner", "provider", "nurse", "aesthetician", "front_desk")
YEARS = 7
GIVEN_NAMES = (
    "Ana Ben Carmen David Elena Farid Grace Hugo Ines Jamal Kira Luis Maria Noah Olga Pablo Quynh Rosa Sam Tariq"
)
FAMILY_NAMES = (
    "Garcia Smith Nguyen Martin Rossi Novak Haddad Silva Muller Kowalski Chen Lopez Brown Dubois Costa Jensen "
    "Okafor Yilmaz Tanaka Moreno Walsh Fischer Romano Petrov Santos Lindqvist Ibrahim Kelly Ferreira Sato"
)
AREAS = ("forehead", "cheeks", "nose", "upper_lip", "chin", "under_eye", "neck", "chest", "scalp", "body")

BenchError = api.BenchError


def _raise_on_sigterm(signum: int, frame: object) -> None:
    del frame
    raise SystemExit(128 + signum)


# --------------------------------------------------------------------------------------------------
# Generation


@dataclass(frozen=True, slots=True)
class Sizes:
    """What to generate."""

    sessions: int
    clients: int
    clinics: int
    seed: int

    def meta(self) -> dict[str, int]:
        """The parameters the stored data must match to be reused."""
        return {
            "generator": GENERATOR_VERSION,
            "sessions": self.sessions,
            "clients": self.clients,
            "clinics": self.clinics,
            "seed": self.seed,
        }


def detach(cur: psycopg.Cursor[Any], table: str) -> list[str]:
    """Drop ``table``'s secondary indexes, unique constraints and foreign keys; returns what re-creates them."""
    cur.execute(
        "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('f', 'u') ORDER BY contype DESC, conname",
        [table],
    )
    constraints = cur.fetchall()
    cur.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = %s "
        "AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass) ORDER BY indexname",
        [table, table],
    )
    indexes = cur.fetchall()
    for name, _, _ in constraints:
        cur.execute(sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(sql.Identifier(table), sql.Identifier(name)))
    for name, _ in indexes:
        cur.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
    restore = [definition for _, definition in indexes]
    restore += [  # unique constraints ('u') sort before foreign keys ('f')
        sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} ").format(sql.Identifier(table), sql.Identifier(name)).as_string(cur)
        + definition
        for name, _, definition in constraints
    ]
    return restore


def clinic_shares(count: int) -> list[float]:
    """Zipf-like shares of the sessions and clients, largest clinic first."""
    weights = [1 / (rank + 1) ** 0.8 for rank in range(count)]
    total = sum(weights)
    return [w / total for w in weights]


STAFF_SQL = (
    """
INSERT INTO auth_user (id, password, is_superuser, username, first_name, last_name, email, is_staff, is_active,
                       date_joined)
SELECT (bc.clinic_id - 1) * 5 + r, '!', false, u.email, '', '', u.email, false, true, %(created)s
FROM bench_recall_clinic bc CROSS JOIN generate_series(1, 5) r,
     LATERAL (SELECT replace((%(roles)s::text[])[r], '_', '-') || '@clinic-' || lpad(bc.clinic_id::text, 2, '0')
                     || '.bench.invalid' AS email) u
""",
    """
INSERT INTO staff_member (id, user_id, clinic_id, role, display_name, totp_secret, created_at)
SELECT (bc.clinic_id - 1) * 5 + r, (bc.clinic_id - 1) * 5 + r, bc.clinic_id, (%(roles)s::text[])[r],
       'Staff ' || bc.clinic_id || '-' || r || ' (' || replace((%(roles)s::text[])[r], '_', ' ') || ')', '',
       %(created)s
FROM bench_recall_clinic bc CROSS JOIN generate_series(1, 5) r
""",
)
PEOPLE_SQL = (
    """
INSERT INTO client (id, clinic_id, given_name, family_name, given_key, family_key, birth_date, phone, phone_digits,
                    email, notes, created_at, updated_at, created_by_id)
SELECT g, bc.clinic_id, gn, fn, lower(gn), lower(fn), date '1950-01-01' + (g * 7919) %% 20000,
       '(602) 555-' || lpad((g %% 10000)::text, 4, '0'), '602555' || lpad((g %% 10000)::text, 4, '0'),
       lower(gn) || '.' || lower(fn) || g || '@example.org', '', %(created)s, %(created)s, (bc.clinic_id - 1) * 5 + 5
FROM generate_series(1, %(clients)s) g
JOIN bench_recall_clinic bc ON g >= bc.client_lo AND g < bc.client_lo + bc.client_count,
LATERAL (SELECT (%(given)s::text[])[1 + g %% 20] AS gn, (%(family)s::text[])[1 + (g / 20) %% 30] AS fn) n
""",
    """
INSERT INTO screening (id, clinic_id, client_id, ran_by_id, created_at, lang, profile, kb_version, kb_hash, tier,
                       document_id, source)
SELECT g, bc.clinic_id, g, (bc.clinic_id - 1) * 5 + 3, %(created)s, 'en', %(profile)s::jsonb, %(kb_version)s,
       %(kb_hash)s, %(tier)s, 1, 'staff'
FROM generate_series(1, %(clients)s) g
JOIN bench_recall_clinic bc ON g >= bc.client_lo AND g < bc.client_lo + bc.client_count
""",
    """
INSERT INTO consent_template (id, clinic_id, version, intro_en, intro_es, body_en, body_es, digest_en, digest_es,
                              kb_version, kb_hash, created_by_id, created_at)
SELECT clinic_id, clinic_id, 1, 'Intro', 'Intro', 'Risks', 'Riesgos', repeat('0', 64), repeat('0', 64),
       %(kb_version)s, %(kb_hash)s, (clinic_id - 1) * 5 + 1, %(created)s
FROM bench_recall_clinic
""",
    """
INSERT INTO consent (id, clinic_id, client_id, template_id, version, lang, signed_text, text_digest, typed_name,
                     method, scan_content_type, signed_at, recorded_by_id, created_at)
SELECT g, bc.clinic_id, g, bc.clinic_id, 1, 'en', 'I consent to microneedling (bench).', repeat('1', 64),
       gn || ' ' || fn, 'paper', '', %(created)s, (bc.clinic_id - 1) * 5 + 3, %(created)s
FROM generate_series(1, %(clients)s) g
JOIN bench_recall_clinic bc ON g >= bc.client_lo AND g < bc.client_lo + bc.client_count,
LATERAL (SELECT (%(given)s::text[])[1 + g %% 20] AS gn, (%(family)s::text[])[1 + (g / 20) %% 30] AS fn) n
""",
    """
INSERT INTO treatment_plan (id, clinic_id, client_id, goals, sessions_planned, min_interval_days, products, findings,
                            notes, status, kb_version, kb_hash, created_by_id, created_at)
SELECT g, bc.clinic_id, g, '["texture"]', 6, 28, '[]', '[]', '', 'active', %(kb_version)s, %(kb_hash)s,
       (bc.clinic_id - 1) * 5 + 2, %(created)s
FROM generate_series(1, %(clients)s) g
JOIN bench_recall_clinic bc ON g >= bc.client_lo AND g < bc.client_lo + bc.client_count
""",
)


LOTS_SQL = """
CREATE TABLE bench_recall_lot AS
WITH drawn AS (
    SELECT l AS lot_no, random() AS pick, 20 + floor(181 * power(random(), 2.2))::int AS size
    FROM generate_series(1, %(max_lots)s) l
), placed AS (
    SELECT d.lot_no, bc.clinic_id, bc.client_lo, bc.client_count, d.size,
           sum(d.size) OVER (ORDER BY d.lot_no) - d.size AS before
    FROM drawn d JOIN bench_recall_clinic bc ON d.pick >= bc.pick_lo AND d.pick < bc.pick_hi
), kept AS (
    SELECT lot_no, clinic_id, client_lo, client_count, LEAST(size, %(sessions)s - before)::int AS size
    FROM placed WHERE before < %(sessions)s
), timed AS (
    SELECT k.*, sum(size) OVER (PARTITION BY clinic_id ORDER BY lot_no) - size AS clinic_before,
           sum(size) OVER (PARTITION BY clinic_id) AS clinic_total
    FROM kept k
)
SELECT lot_no, clinic_id, client_lo, client_count, size,
       'MN' || lpad((CASE WHEN lot_no %% 10 = 0 THEN lot_no - 5 ELSE lot_no END)::text, 7, '0') AS label,
       to_timestamp(%(start)s + clinic_before::float8 / clinic_total * %(span)s) AS opened_at,
       LEAST(3.0 * size / clinic_total, 1 - clinic_before::float8 / clinic_total) * %(span)s AS used_for_s
FROM timed
"""

SESSIONS_SQL = """
INSERT INTO treatment_session (
    id, clinic_id, client_id, plan_id, practitioner_id, practitioner_role, performed_at, device_model, device_kind,
    device_serial, cartridge_lot, cartridge_serial, cartridge_expiry, passes, end_point, numbing_product,
    numbing_lidocaine_percent, numbing_compounded, numbing_zones, numbing_minutes, numbing_occluded,
    numbing_broken_skin, numbing_heat, pain_score, immediate_reactions, products_applied, notes, findings, checks,
    screening_id, consent_id, kb_version, kb_hash, recorded_by_id, created_at)
SELECT id, clinic_id, client_id, client_id, practitioner_id, role, performed_at,
       CASE WHEN device_no %% 10 = 9 THEN 'Roller 540'
            ELSE (ARRAY['Pen A6', 'Pen M8', 'Pen X3'])[1 + device_no %% 3] END,
       CASE WHEN device_no %% 10 = 9 THEN 'roller' ELSE 'pen' END,
       'PEN-' || lpad(clinic_id::text, 3, '0') || '-' || lpad(device_no::text, 4, '0'),
       label, lpad(lot_no::text, 7, '0') || '-' || lpad(k::text, 4, '0'), (opened_at + interval '2 years')::date,
       3 + k %% 4, 'even erythema', 'Lidocaine 4%% cream', 4.00, false, '["cheeks"]', 30, false, false, false,
       k %% 6, '', '["hyaluronic_acid"]', '', '[]', '[]', client_id, client_id, %(kb_version)s, %(kb_hash)s,
       practitioner_id, performed_at + interval '10 minutes'
FROM (
    SELECT row_number() OVER (ORDER BY performed_at, lot_no, k) AS id, t.*,
           (clinic_id - 1) * 5 + CASE WHEN pick_role < 0.2 THEN 2 WHEN pick_role < 0.7 THEN 3 ELSE 4 END
               AS practitioner_id,
           CASE WHEN pick_role < 0.2 THEN 'provider' WHEN pick_role < 0.7 THEN 'nurse' ELSE 'aesthetician' END
               AS role,
           client_lo + floor(power(pick_client, 1.6) * client_count)::int AS client_id,
           floor((extract(epoch FROM performed_at) - %(start)s) / (91 * 86400))::int * 4 + floor(pick_device * 4)::int
               AS device_no
    FROM (
        SELECT l.lot_no, l.clinic_id, l.client_lo, l.client_count, l.label, l.opened_at, k,
               l.opened_at + random() * l.used_for_s * interval '1 second' AS performed_at,
               random() AS pick_role, random() AS pick_client, random() AS pick_device
        FROM bench_recall_lot l CROSS JOIN LATERAL generate_series(1, l.size) k
    ) t
) s
"""

ZONES_SQL = """
INSERT INTO session_zone (session_id, zone, length_mm)
SELECT s.id, (%(areas)s::text[])[1 + (s.id * 7 + j * 3) %% 10],
       (ARRAY[0.25, 0.5, 0.75, 1.0, 1.5, 2.0])[1 + (s.id + j) %% 6]
FROM treatment_session s
CROSS JOIN LATERAL generate_series(1, CASE WHEN s.id %% 5 < 2 THEN 1 WHEN s.id %% 5 < 4 THEN 2 ELSE 3 END) j
"""

ADVERSE_SQL = """
INSERT INTO adverse_event (clinic_id, client_id, session_id, cartridge_lot, kind, severity, serious, onset_on, outcome,
                           description, recorded_by_id, created_at, updated_at)
SELECT clinic_id, client_id, id, cartridge_lot,
       (ARRAY['infection', 'prolonged_erythema', 'pih', 'allergic_reaction'])[1 + id %% 4],
       (ARRAY['mild', 'mild', 'moderate', 'severe'])[1 + (id / 7) %% 4], false,
       (performed_at + interval '2 days')::date,
       'resolved', 'Reported at the day 3 check-in (bench).', practitioner_id,
       performed_at + interval '3 days', performed_at + interval '3 days'
FROM treatment_session WHERE id %% 2000 = 7
"""

CONTACTS_SQL = """
INSERT INTO recall_contact (clinic_id, client_id, kind, key, reason, marked_by_id, marked_at, contacted_at,
                            contacted_by_id, contact_note)
SELECT DISTINCT ON (s.clinic_id, s.client_id, s.cartridge_lot)
       s.clinic_id, s.client_id, 'lot', s.cartridge_lot, 'Manufacturer recall notice (bench).',
       (s.clinic_id - 1) * 5 + 2, now(),
       CASE WHEN s.client_id %% 2 = 0 THEN now() END,
       CASE WHEN s.client_id %% 2 = 0 THEN (s.clinic_id - 1) * 5 + 3 END,
       CASE WHEN s.client_id %% 2 = 0 THEN 'Phoned (bench).' ELSE '' END
FROM bench_recall_lot l
JOIN treatment_session s ON s.clinic_id = l.clinic_id AND s.cartridge_lot = l.label
WHERE l.lot_no %% 1000 = 1
ORDER BY s.clinic_id, s.client_id, s.cartridge_lot
"""

SEQUENCED = (
    "clinic",
    "auth_user",
    "staff_member",
    "client",
    "assessment_document",
    "screening",
    "consent_template",
    "consent",
    "treatment_plan",
    "treatment_session",
    "session_zone",
    "adverse_event",
    "recall_contact",
)


def _assessment() -> tuple[dict[str, Any], dict[str, Any], str, str, str]:
    """A real clinic screening of a plain profile: profile, document, KB version and hash, tier."""
    from needlewise.clinic.records.screenings import clinic_assessment  # noqa: PLC0415 - after Django is set up
    from needlewise.domain.vocabulary import Lang  # noqa: PLC0415 - after Django is set up
    from needlewise.kb.loader import load_knowledge_base  # noqa: PLC0415 - after Django is set up

    profile: dict[str, Any] = {"setting": "clinic", "age": 34, "goals": ["texture"], "areas": ["cheeks"]}
    assessment = clinic_assessment(profile, load_knowledge_base(), Lang.EN)
    version_ = assessment.kb_version
    return profile, assessment.to_json(), version_.version, version_.content_hash, assessment.tier.value


def add_clinics(cur: psycopg.Cursor[Any], sizes: Sizes, created: datetime) -> None:
    """The clinics, and the table of their shares of the sessions and their ranges of client ids."""
    shares = clinic_shares(sizes.clinics)
    cur.execute(
        "CREATE TABLE bench_recall_clinic (clinic_id int PRIMARY KEY, share float8, pick_lo float8,"
        " pick_hi float8, client_lo int, client_count int)"
    )
    pick, client_lo = 0.0, 1
    counts = [max(1, round(sizes.clients * share)) for share in shares]
    counts[0] += sizes.clients - sum(counts)
    for number, (share, count) in enumerate(zip(shares, counts, strict=True), start=1):
        high = 1.0 if number == len(shares) else pick + share
        cur.execute(
            "INSERT INTO bench_recall_clinic VALUES (%s, %s, %s, %s, %s, %s)",
            [number, share, pick, high, client_lo, count],
        )
        cur.execute(
            "INSERT INTO clinic (id, slug, name, city, services, accepts_requests, screening_valid_days,"
            " created_at) VALUES (%s, %s, %s, 'Phoenix', 'Microneedling', true, 30, %s)",
            [number, f"bench-recall-{number:02d}", f"Recall Bench Clinic {number:02d}", created],
        )
        pick, client_lo = high, client_lo + count


def generate(url: str, sizes: Sizes) -> list[tuple[str, float]]:
    """Fill the freshly migrated database at ``url``; returns each step's seconds."""
    steps: list[tuple[str, float]] = []
    t = time.perf_counter()

    def step(name: str) -> None:
        nonlocal t
        now = time.perf_counter()
        steps.append((name, round(now - t, 1)))
        print(f"  - {name}: {now - t:.1f} s", flush=True)
        t = now

    end = int(time.time()) - 86_400
    start = end - YEARS * 365 * 86_400
    created = datetime.fromtimestamp(start - 86_400, UTC)
    profile, document, kb_version, kb_hash, tier = _assessment()
    digest = hashlib.sha256(orjson.dumps(document, option=orjson.OPT_SORT_KEYS)).hexdigest()
    params: dict[str, Any] = {
        "created": created,
        "clients": sizes.clients,
        "sessions": sizes.sessions,
        "max_lots": sizes.sessions // 20 + 1,
        "start": start,
        "span": end - start,
        "profile": orjson.dumps(profile).decode(),
        "kb_version": kb_version,
        "kb_hash": kb_hash,
        "tier": tier,
        "roles": list(ROLES),
        "given": GIVEN_NAMES.split(),
        "family": FAMILY_NAMES.split(),
        "areas": list(AREAS),
    }
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        for setting in (
            "synchronous_commit = off",
            "work_mem = '1GB'",
            "maintenance_work_mem = '1GB'",
            "max_parallel_workers_per_gather = 0",  # one process draws the random numbers: same data per seed
        ):
            cur.execute(f"SET {setting}")
        cur.execute("SELECT setseed(%s)", [(sizes.seed % 1000) / 1000])
        restore = detach(cur, "treatment_session") + detach(cur, "session_zone")
        add_clinics(cur, sizes, created)
        cur.execute(
            "INSERT INTO assessment_document (id, digest, body) VALUES (1, %s, %s::jsonb)",
            [digest, orjson.dumps(document).decode()],
        )
        for statement in (*STAFF_SQL, *PEOPLE_SQL):
            cur.execute(statement, params)
        step(
            f"{sizes.clinics} clinics, {sizes.clinics * 5} staff, {sizes.clients:,} clients with screening, "
            "consent and plan"
        )
        cur.execute(LOTS_SQL, params)
        cur.execute("SELECT count(*), count(DISTINCT (clinic_id, label)), sum(size) FROM bench_recall_lot")
        lots, labels, total = cur.fetchone() or (0, 0, 0)
        step(f"{lots:,} lots drawn ({labels:,} distinct clinic + lot numbers, {total:,} sessions)")
        cur.execute(SESSIONS_SQL, params)
        step(f"{cur.rowcount:,} sessions inserted in time order")
        cur.execute(ZONES_SQL, params)
        step(f"{cur.rowcount:,} session zones")
        cur.execute(ADVERSE_SQL, params)
        step(f"{cur.rowcount:,} adverse events")
        for statement in restore:
            cur.execute(statement)
        step(f"indexes, unique constraints and foreign keys re-created ({len(restore)} statements)")
        cur.execute(CONTACTS_SQL, params)
        step(f"{cur.rowcount:,} recall contacts (clients of 1 lot in 1,000)")
        clinic_bench.reset_sequences(cur, SEQUENCED)
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
    step("VACUUM (ANALYZE)")
    return steps


def check_disk(server_url: str) -> str:
    """Free space where PostgreSQL keeps its data; BenchError when too little for the data."""
    with psycopg.connect(clinic_bench.database_url(server_url, "postgres"), connect_timeout=5) as conn:
        row = conn.execute("SHOW data_directory").fetchone()
    folder = Path(str(row[0])) if row else Path("/")
    try:
        free = shutil.disk_usage(folder).free
    except OSError:  # PostgreSQL on another machine: its disk cannot be checked from here
        return f"free disk under {folder}: not visible from here (remote server?)"
    free_gb = free / 1e9
    if free_gb < MIN_FREE_GB:
        msg = f"only {free_gb:.0f} GB free under {folder}; generating the data needs about {MIN_FREE_GB} GB"
        raise BenchError(msg)
    return f"free disk under {folder}: {free_gb:.0f} GB (needs about {MIN_FREE_GB} GB)"


def ensure_data(server_url: str, name: str, sizes: Sizes, *, fresh: bool) -> dict[str, Any]:
    """Reuse the scratch database when its marker matches ``sizes``; otherwise build it. Returns the marker."""
    from django.core.management import call_command  # noqa: PLC0415 - after Django is set up
    from django.db import connections  # noqa: PLC0415 - after Django is set up

    wanted = sizes.meta()
    meta, started = clinic_bench.reuse_or_recreate(
        server_url, name, wanted, fresh=fresh, flag="--fresh", table=META_TABLE, note=lambda: check_disk(server_url)
    )
    if meta is not None:
        started = time.perf_counter()
        call_command("migrate", interactive=False, verbosity=0)  # later migrations of the schema, if any
        connections.close_all()
        print(f"  - migrate: {time.perf_counter() - started:.1f} s", flush=True)
        return meta
    url = clinic_bench.database_url(server_url, name)
    steps = generate(url, sizes)
    return clinic_bench.store_generated(url, wanted, started, {"steps": steps}, META_TABLE)


#: The covering constraints of migration 0007 (PostgreSQL only): a lot's rows and their zones come from
#: the indexes alone (index-only scans) instead of one table page per session.
COVERING = (
    (
        "treatment_session",
        "cartridge_single_use",
        "UNIQUE (clinic_id, cartridge_lot, cartridge_serial)",
        (
            "INCLUDE (id, performed_at, client_id, practitioner_id, device_model, device_kind, device_serial,"
            " cartridge_expiry)"
        ),
    ),
    ("session_zone", "session_zone_once", "UNIQUE (session_id, zone)", "INCLUDE (length_mm)"),
)


def set_covering(url: str, *, covering: bool) -> str:
    """Re-create the two unique constraints with (or without) their INCLUDE columns; then VACUUM (ANALYZE)."""
    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET maintenance_work_mem = '1GB'")
        for table, name, unique, include in COVERING:
            definition = f"{unique} {include}" if covering else unique
            conn.execute(
                sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}, ADD CONSTRAINT {} ").format(
                    sql.Identifier(table), sql.Identifier(name), sql.Identifier(name)
                )
                + sql.SQL(definition)  # a constant of this file
            )
            conn.execute(sql.SQL("VACUUM (ANALYZE) {}").format(sql.Identifier(table)))
    state = "with INCLUDE (covering, as migration 0007 makes them)" if covering else "without INCLUDE (plain)"
    return f"unique constraints {state}, re-created in {time.perf_counter() - started:.0f} s"


# --------------------------------------------------------------------------------------------------
# Measurement


@dataclass(frozen=True, slots=True)
class Lot:
    """A lot number as one clinic holds it, and how many sessions the generator gave it there."""

    clinic_id: int
    label: str
    sessions: int


def data_summary() -> tuple[list[str], list[Lot]]:
    """Table sizes and the lot-size distribution; every (clinic, lot number) for sampling."""
    from django.db import connection  # noqa: PLC0415 - after Django is set up

    lines = []
    with connection.cursor() as cur:
        cur.execute(
            "SELECT relname, n_live_tup, pg_total_relation_size(relid), pg_relation_size(relid),"
            " pg_indexes_size(relid) FROM pg_stat_user_tables WHERE relname IN"
            " ('treatment_session', 'session_zone', 'client', 'adverse_event', 'recall_contact', 'audit_entry')"
            " ORDER BY pg_total_relation_size(relid) DESC"
        )
        for table, rows, total, heap, indexes in cur.fetchall():
            lines.append(
                f"- {table}: about {rows:,} rows, {total / 1e9:.2f} GB ({heap / 1e9:.2f} GB table,"
                f" {indexes / 1e9:.2f} GB indexes)"
            )
        cur.execute("SELECT pg_database_size(current_database())")
        lines.append(f"- database: {cur.fetchone()[0] / 1e9:.2f} GB")
        cur.execute(
            "SELECT indexrelname, pg_relation_size(indexrelid) FROM pg_stat_user_indexes"
            " WHERE relname = 'treatment_session' AND indexrelname = 'cartridge_single_use'"
        )
        name, size = cur.fetchone()
        lines.append(f"- index {name} (clinic_id, cartridge_lot, cartridge_serial): {size / 1e6:.0f} MB")
        cur.execute("SELECT clinic_id, label, sum(size)::int FROM bench_recall_lot GROUP BY clinic_id, label")
        lots = [Lot(int(c), str(label), int(n)) for c, label, n in cur.fetchall()]
    sizes = sorted(lot.sessions for lot in lots)

    def quantile(q: float) -> int:
        return sizes[min(len(sizes) - 1, int(q * len(sizes)))]

    lines.append(
        f"- lots (clinic + lot number): {len(lots):,}; sessions per lot: min {sizes[0]}, median {quantile(0.5)},"
        f" p90 {quantile(0.9)}, max {sizes[-1]} (lot numbers shared by two clinics are counted once per clinic)"
    )
    return lines, lots


def percentiles(ms: Sequence[float]) -> dict[str, float]:
    """p50, p95, p99 and max of ``ms``."""
    ordered = sorted(ms)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)]

    return {"p50": at(0.50), "p95": at(0.95), "p99": at(0.99), "max": ordered[-1], "mean": statistics.fmean(ordered)}


def nurse_of(clinic_id: int) -> Any:  # noqa: ANN401 - needlewise.clinic.access.actor.Actor, imported after Django
    """The actor of the clinic's nurse (staff ids follow the generator's numbering)."""
    from needlewise.clinic.access.actor import Actor  # noqa: PLC0415 - after Django is set up
    from needlewise.domain.permissions import Role  # noqa: PLC0415 - after Django is set up

    return Actor.staff((clinic_id - 1) * 5 + 3, clinic_id, Role.NURSE, ip="127.0.0.1", request_id="bench-recall")


def timed(call: Callable[[Lot], Any], lots: Sequence[Lot], check: Callable[[Lot, Any], None]) -> list[float]:
    """Milliseconds of each ``call(lot)``; each answer checked after the clock stops."""
    times = []
    for lot in lots:
        started = time.perf_counter()
        result = call(lot)
        times.append((time.perf_counter() - started) * 1000)
        check(lot, result)
    return times


def check_listing(lot: Lot, listing: Any) -> None:  # noqa: ANN401 - a RecallList
    """The use case found exactly the generated sessions of the lot in its clinic."""
    shown = min(lot.sessions, 500)
    if listing.sessions != lot.sessions or len(listing.rows) != shown:
        msg = f"lot {lot.label} of clinic {lot.clinic_id}: {listing.sessions} sessions, expected {lot.sessions}"
        raise BenchError(msg)
    if any(row.cartridge_lot != lot.label for row in listing.rows):
        msg = f"lot {lot.label}: a row of another lot"
        raise BenchError(msg)


def check_rows(lot: Lot, rows: Any) -> None:  # noqa: ANN401 - a list of rows
    """The row query found the lot's sessions."""
    if len(rows) != min(lot.sessions, 501):
        msg = f"lot {lot.label} of clinic {lot.clinic_id}: {len(rows)} rows, expected {lot.sessions}"
        raise BenchError(msg)


def explain(statement: str, params: Sequence[Any]) -> list[str]:
    """``EXPLAIN (ANALYZE, BUFFERS)`` of one statement (it runs), with the time spent reading pages."""
    from django.db import connection  # noqa: PLC0415 - after Django is set up

    with connection.cursor() as cur:
        cur.execute("SET track_io_timing = on")  # the scratch server's superuser may
        cur.execute(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", params)
        plan = [row[0] for row in cur.fetchall()]
        cur.execute("RESET track_io_timing")
    return plan


def pages_read() -> tuple[int, int]:
    """This database's pages found in PostgreSQL's buffers, and read from the OS (its cache or the disk)."""
    from django.db import connection  # noqa: PLC0415 - after Django is set up

    with connection.cursor() as cur:
        cur.execute("SELECT blks_hit, blks_read FROM pg_stat_database WHERE datname = current_database()")
        hit, read = cur.fetchone()
    return int(hit), int(read)


def prewarm() -> str:
    """Read the tables and indexes a lot recall touches into the OS's page cache (``pg_prewarm``, mode read)."""
    from django.db import connection  # noqa: PLC0415 - after Django is set up

    started = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        cur.execute(
            "SELECT count(*), sum(pg_prewarm(c.oid, 'read')) FROM pg_class c WHERE c.relname IN"
            " ('treatment_session', 'cartridge_single_use', 'session_zone', 'client', 'client_pkey')"
            " OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = 'session_zone'::regclass)"
        )
        relations, pages = cur.fetchone()
    seconds = time.perf_counter() - started
    return f"{relations} tables and indexes, {int(pages) * 8192 / 1e9:.1f} GB, in {seconds:.0f} s"


def captured(lot: Lot) -> list[dict[str, str]]:
    """The SQL statements of one ``by_lot`` call, with their times."""
    from django.db import connection  # noqa: PLC0415 - after Django is set up
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415 - after Django is set up

    from needlewise.clinic.recall import use_cases as recall  # noqa: PLC0415 - after Django is set up

    with CaptureQueriesContext(connection) as capture:
        recall.by_lot(nurse_of(lot.clinic_id), lot.label)
    return list(capture.captured_queries)


def row_query(lot: Lot) -> tuple[str, Sequence[Any]]:
    """The use case's row query for ``lot`` and its parameters, not run."""
    from needlewise.clinic.recall.keys import RecallKind  # noqa: PLC0415 - after Django is set up
    from needlewise.clinic.recall.rows import PAGE_SIZE, page_query  # noqa: PLC0415 - after Django is set up

    statement, params = page_query(
        lot.clinic_id, RecallKind.LOT, lot.label, None, PAGE_SIZE + 1
    ).query.sql_with_params()
    return statement, params


def http_pages(lots: Sequence[Lot], count: int) -> tuple[list[float], int]:
    """Time ``GET /clinic/recall/?kind=lot&key=...`` in-process for the largest clinic's lots; ms and body size."""
    from django.test import Client  # noqa: PLC0415 - after Django is set up

    mine = [lot for lot in lots if lot.clinic_id == 1][:count]
    keys = clinic_bench.create_sessions(3, 1)
    try:
        client = Client(HTTP_HOST=api.HOST)
        client.cookies[clinic_bench.COOKIE] = keys[0]
        times, size = [], 0
        for lot in mine:
            started = time.perf_counter()
            response = client.get("/clinic/recall/", {"kind": "lot", "key": lot.label})
            times.append((time.perf_counter() - started) * 1000)
            body = response.content
            if response.status_code != 200 or lot.label.encode() not in body:
                msg = f"GET /clinic/recall/?key={lot.label} answered {response.status_code}: {body[:300]!r}"
                raise BenchError(msg)
            size = max(size, len(body))
    finally:
        clinic_bench.delete_sessions(keys)
    return times, size


def commit_latency(url: str, count: int = 200) -> tuple[float, float]:
    """Median and p99 ms of a durable one-row commit on this PostgreSQL (the audit row's cost floor)."""
    return clinic_bench.commit_latency(url, count)


def measure(args: argparse.Namespace, url: str, meta: dict[str, Any]) -> int:  # noqa: PLR0915 - one report
    """Time the use case and its row query on random lots; print the report."""
    from django.db import connection  # noqa: PLC0415 - after Django is set up

    from needlewise.clinic.recall import use_cases as recall  # noqa: PLC0415 - after Django is set up
    from needlewise.clinic.recall.keys import RecallKind  # noqa: PLC0415 - after Django is set up
    from needlewise.clinic.recall.rows import PAGE_SIZE, found_rows  # noqa: PLC0415 - after Django is set up

    with connection.cursor() as cur:
        cur.execute("SELECT version()")
        pg_version = cur.fetchone()[0].split(" on ")[0]
        cur.execute("SHOW shared_buffers")
        shared_buffers = cur.fetchone()[0]
    print(
        f"- needlewise {version('needlewise')}, django {version('django')}, psycopg {version('psycopg')},"
        f" {pg_version} (shared_buffers {shared_buffers}) on the same machine"
    )
    steps = "; ".join(f"{name} {seconds} s" for name, seconds in meta.get("steps", []))
    print(f"- generation: {meta['seconds']} s on {meta['generated_at']} ({steps})")
    commit_p50, commit_p99 = commit_latency(url)
    print(f"- a durable one-row commit here (WAL fsync): median {commit_p50:.2f} ms, p99 {commit_p99:.2f} ms")
    print("\n## Data\n")
    lines, lots = data_summary()
    print("\n".join(lines))
    rng = random.Random(args.sample_seed)
    warm = [rng.choice(lots) for _ in range(args.warmup)]
    sample = [rng.choice(lots) for _ in range(args.queries)]
    print(f"- CPU busy before the run: {api.cpu_busy()}; load average (1/5/15 min): {api.load_average()}")

    def use_case(lot: Lot) -> Any:  # noqa: ANN401 - a RecallList
        return recall.by_lot(nurse_of(lot.clinic_id), lot.label)

    def rows_only(lot: Lot) -> Any:  # noqa: ANN401 - a list of rows
        return found_rows(lot.clinic_id, RecallKind.LOT, lot.label, None, PAGE_SIZE + 1)

    if args.prewarm:
        print(f"- pg_prewarm (read into the OS page cache): {prewarm()}")
    if args.wait_idle > 0:
        print(f"- waited for idle CPUs (up to {args.wait_idle:g} s): {clinic_bench.wait_until_idle(args.wait_idle)}")
    timed(use_case, warm, check_listing)
    print(f"\n## by_lot, {len(sample):,} random lots (after {len(warm):,} warm-up calls)\n")
    hit_before, read_before = pages_read()
    cases = timed(use_case, sample, check_listing)
    hit_after, read_after = pages_read()
    rows_ms = timed(rows_only, sample, check_rows)
    shown = statistics.median(min(lot.sessions, PAGE_SIZE) for lot in sample)
    print("| What is timed | calls | mean ms | p50 ms | p95 ms | p99 ms | max ms | p99 / 20 ms |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for label, ms in (
        ("`recall.by_lot` (the use case: permission, 3 queries, audit row, commit)", cases),
        ("its row query alone (one SELECT with the joins and contact marks, through the ORM)", rows_ms),
    ):
        p = percentiles(ms)
        print(
            f"| {label} | {len(ms):,} | {p['mean']:.2f} | {p['p50']:.2f} | {p['p95']:.2f} | {p['p99']:.2f} |"
            f" {p['max']:.2f} | {p['p99'] / TARGET_P99_MS:.2f} |"
        )
    print(f"\nSessions per sampled lot: median {shown:g}; every answer matched the generated lot.")
    hits, reads = (hit_after - hit_before) / len(sample), (read_after - read_before) / len(sample)
    print(
        f"Pages per `by_lot` call (PostgreSQL's statistics for this database): {hits:.0f} found in its buffers,"
        f" {reads:.0f} read from the OS (its page cache or the disk)."
    )
    p99 = percentiles(cases)["p99"]
    passed = p99 <= TARGET_P99_MS
    print(
        f"\n**Target (p99 of the lot recall at most {TARGET_P99_MS:g} ms): {p99:.2f} ms - "
        f"{'PASS' if passed else 'FAIL'}**"
    )
    typical = min(sample, key=lambda lot: abs(lot.sessions - shown))
    statements = captured(typical)
    print(
        f"\n## Statements of one call (lot {typical.label}, clinic {typical.clinic_id}, {typical.sessions} sessions)\n"
    )
    for query in statements:
        text = query["sql"]
        short = text if len(text) <= 150 else text[:147] + "..."
        print(f"- {float(query['time']) * 1000:.2f} ms: `{short}`")
    read = {(lot.clinic_id, lot.label) for lot in (*warm, *sample)}
    unread = rng.choice([lot for lot in lots if (lot.clinic_id, lot.label) not in read])
    statement, params = row_query(unread)
    print(f"\n## The row query, lot {unread.label} of clinic {unread.clinic_id} ({unread.sessions} sessions)\n")
    print(f"```sql\n{connection.ops.compose_sql(statement, params)}\n```")
    for title in ("EXPLAIN (ANALYZE, BUFFERS), first read of this lot", "EXPLAIN (ANALYZE, BUFFERS), read again"):
        print(f"\n### {title}\n\n```text")
        print("\n".join(explain(statement, params)))
        print("```")
    if args.http_requests:
        times, size = http_pages(lots, args.http_requests)
        p = percentiles(times)
        print(
            f"\n## The page GET /clinic/recall/?kind=lot&key=... in-process ({len(times):,} lots of clinic 1,"
            " Django test client, verified nurse session)\n"
        )
        print(
            f"- mean {p['mean']:.2f} ms, p50 {p['p50']:.2f} ms, p95 {p['p95']:.2f} ms, p99 {p['p99']:.2f} ms,"
            f" max {p['max']:.2f} ms; largest page {size:,} bytes"
        )
    return 0


# --------------------------------------------------------------------------------------------------
# Main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--server-url", default=DEFAULT_SERVER_URL, help=f"PostgreSQL server ({DEFAULT_SERVER_URL})")
    parser.add_argument("--database", default=DEFAULT_DATABASE, help=f"scratch database name ({DEFAULT_DATABASE})")
    parser.add_argument("--sessions", type=int, default=10_000_000, help="treatment sessions (default 10,000,000)")
    parser.add_argument("--clients", type=int, default=100_000, help="clients (default 100,000)")
    parser.add_argument("--clinics", type=int, default=40, help="clinics (default 40)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--queries", type=int, default=2_000, help="measured lot recalls (default 2,000)")
    parser.add_argument("--warmup", type=int, default=200, help="warm-up lot recalls (default 200)")
    parser.add_argument("--http-requests", type=int, default=300, help="recall pages timed in-process (default 300)")
    parser.add_argument("--sample-seed", type=int, default=7, help="seed of the lots drawn (default 7)")
    parser.add_argument("--prewarm", action="store_true", help="read the tables into the OS page cache first")
    parser.add_argument("--wait-idle", type=float, default=0.0, help="wait up to S s for idle CPUs first (default 0)")
    parser.add_argument(
        "--plain-unique-indexes",
        action="store_true",
        help="measure with the unique constraints without their INCLUDE columns (put back afterwards)",
    )
    parser.add_argument("--fresh", action="store_true", help="rebuild the data even if it is there")
    parser.add_argument("--generate-only", action="store_true", help="make sure the data is there, then stop")
    parser.add_argument("--drop", action="store_true", help="drop the scratch database and stop")
    args = parser.parse_args(argv)
    if not (1_000 <= args.sessions <= 100_000_000 and 1_000 <= args.clients <= 10_000_000):
        parser.error("--sessions 1,000..100,000,000, --clients 1,000..10,000,000")
    if not (2 <= args.clinics <= 1_000 and args.clinics * 10 <= args.clients):
        parser.error("--clinics 2..1000, with at least 10 clients each")
    if not (1 <= args.queries <= 1_000_000 and 0 <= args.warmup <= 100_000 and 0 <= args.http_requests <= 10_000):
        parser.error("--queries 1..1,000,000, --warmup 0..100,000, --http-requests 0..10,000")
    clinic_bench.check_database_name(parser, args.database)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Generate (or reuse) the data, measure, print the report; exit 1 when a check fails."""
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _raise_on_sigterm)
    if args.drop:
        clinic_bench.drop_database(args.server_url, args.database)
        print(f"dropped database {args.database}")
        return 0
    try:
        with psycopg.connect(clinic_bench.database_url(args.server_url, "postgres"), connect_timeout=5):
            pass
    except psycopg.OperationalError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    url = clinic_bench.database_url(args.server_url, args.database)
    sizes = Sizes(args.sessions, args.clients, args.clinics, args.seed)
    with tempfile.TemporaryDirectory(prefix="needlewise-bench-recall-") as folder:
        clinic_bench.setup_django(url, Path(folder) / "data-local")
        print("# needlewise cartridge lot recall benchmark (PostgreSQL)\n")
        print(f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
        given = " ".join(sys.argv[1:] if argv is None else argv)
        print(f"- command: uv run python bench/recall.py {given}".rstrip())
        print(f"- machine: {platform.platform()}; {api.cpu_model()}; {api.cpu_count()} CPUs available")
        print(f"- python: {platform.python_implementation()} {platform.python_version()}")
        try:
            meta = ensure_data(args.server_url, args.database, sizes, fresh=args.fresh)
            if args.generate_only:
                return 0
            if not args.plain_unique_indexes:
                return measure(args, url, meta)
            print(f"- experiment: {set_covering(url, covering=False)}")
            try:
                return measure(args, url, meta)
            finally:
                print(f"\n- experiment over: {set_covering(url, covering=True)}")
        except (BenchError, psycopg.Error) as error:
            print(f"error: {error}", file=sys.stderr)
            return 1


if __name__ == "__main__":
    sys.exit(main())
