"""Clinic workspace benchmark on PostgreSQL: client search and the client page with 100,000 clients.

Run with ``uv run python bench/clinic.py [--connections C] [--duration S] [--rounds R] [--wait-idle S]``
(``--regenerate`` rebuilds the data, ``--generate-only`` only makes sure it is there, ``--drop`` removes
the scratch database). It reuses ``bench/api.py``'s server and wrk helpers.

1. Data. A scratch database (``needlewise_bench_clinic`` on ``postgresql://postgres@127.0.0.1:5432/``)
   is created and migrated with needlewise's own migrations, then filled with COPY (psycopg 3), not
   the ORM: 10 clinics (one of 40 % of the clients, the one measured), one staff account per role per
   clinic, 100,000 clients with varied names from a dozen languages (accents, compound names, the
   keys normalised by ``needlewise.clinic.clients.clients.name_key`` / ``phone_digits``), birth dates and
   phones, and 1,000,000 screenings (about 10 per client, spread over 7 years, in time order). Each
   screening's answers, tier, knowledge-base version and hash and its assessment document come from
   really assessing a pool of random valid clinic-setting profiles with the engine
   (``needlewise.clinic.records.screenings.clinic_assessment``); the documents are stored once each under
   the SHA-256 digest ``store_document`` computes, and the run checks that ``store_document`` finds
   them. Health data is sealed as the application stores it (``storage.sealing``: clinical notes,
   documents, answers, clearance reasons) with a fixed bench data key (``NEEDLEWISE_DATA_KEY``, also
   given to the server); each distinct profile, document and reason is sealed once and shared. The
   client search index (``client_search_token``) is filled with one set-based statement. A quarter
   of the ``medical_review``/``stop`` screenings get a provider's clearance. The
   bulk tables' secondary indexes and foreign keys are dropped during COPY and re-created from their
   own definitions (read back from the catalogue) afterwards; then ``VACUUM (ANALYZE)``. The data is
   kept and reused while the generation parameters match (a marker table says which).
2. Server. ``needlewise serve`` (granian, WSGI, production settings) on a free port of 127.0.0.1 with
   ``DATABASE_URL`` pointing at the scratch database, the rate limit off and a long idle time-out.
   Verified staff sessions for the big clinic's nurse are written straight into the session table
   (Django's ``SessionStore`` with the auth keys and ``nw_verified``/``nw_seen``/``nw_signed_in_at``)
   and sent as the session cookie, rotated per request.
3. Load. ``wrk --latency -t1`` with a Lua script that rotates over thousands of request paths (and
   over the sessions) and counts the answers by status: (a) ``GET /clinic/clients/?...`` with varied
   searches (1-3 letters, full-name prefixes, birth dates, phone prefixes, name + birth date, and the
   list as it opens with nothing typed); (b) ``GET /clinic/clients/<id>/`` of random clients of the
   big clinic; (c) ``GET /api/v1/health``, the same server's trivial floor, driven by the same script.
   Every clinic page view appends one hash-chained audit row (audit writes serialise on the chain's
   head row) and saves the session: both are part of what is measured. Each workload gets a warm-up;
   measured rounds alternate between them; each round notes (with ``ss``) how wrk's connections are
   spread over the server's worker processes.
4. Queries. In-process: the number of SQL statements per page (clients with many, one and no
   screenings; searches showing 50, 1 and 0 rows: an N+1 would show), a sample of the workload's
   searches timed at the SQL level, and ``EXPLAIN (ANALYZE, BUFFERS)`` of the heaviest search, of the
   empty search ("recently added", also the workspace home's list) and of every SELECT of the client
   page.

The exit status is 1 when a check fails (no PostgreSQL, wrk missing, server start, a page not
answering 200 with the expected content, non-200 answers or socket errors while timing); a missed
p99 target is printed as FAIL without changing the exit status.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import http.client
import math
import os
import platform
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from importlib.metadata import version
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import orjson
import psycopg
from psycopg import sql

import api

HOST = api.HOST
HEALTH = api.HEALTH
SEARCH = "/clinic/clients/"
DEFAULT_SERVER_URL = "postgresql://postgres@127.0.0.1:5432/"
DEFAULT_DATABASE = "needlewise_bench_clinic"
SECRET_KEY = "bench-clinic-not-a-secret"  # noqa: S105 - a throwaway local server
#: The data key health data is sealed with (``storage.sealing``): fixed, so that the generating process,
#: the in-process checks and the server all open the same data.
DATA_KEY = base64.urlsafe_b64encode(hashlib.sha256(b"needlewise bench clinic data key").digest()).decode()
IDLE_MINUTES = 100_000
COOKIE = "nw-session"  # settings.SESSION_COOKIE_NAME without NEEDLEWISE_HTTPS
GENERATOR_VERSION = 4  # bump when the generated data changes shape
TARGET_P99_MS = 50.0
SESSIONS = 16
META_TABLE = "bench_clinic_meta"

# Clinic sizes as shares of the clients: one large clinic (the one measured) and nine others.
CLINIC_SHARES = (0.40, 0.15, 0.10, 0.08, 0.07, 0.06, 0.05, 0.04, 0.03, 0.02)
CLINICS = (
    ("Desert Bloom Skin Clinic", "Phoenix"),
    ("Clínica Dermatológica del Sol", "Tucson"),
    ("Northside Aesthetics", "Scottsdale"),
    ("Peau Claire Esthétique", "Montréal"),
    ("Hautzentrum Altona", "Hamburg"),
    ("Clínica Pele Viva", "Porto"),
    ("Studio Pelle Milano", "Milano"),
    ("Gabinet Skóra Zdrowa", "Kraków"),
    ("Saigon Skin Care", "Garden Grove"),
    ("Fjord Hudklinikk", "Bergen"),
)
ROLES = ("owner", "provider", "nurse", "aesthetician", "front_desk")
SCREENER_WEIGHTS = {"provider": 2, "nurse": 5, "aesthetician": 3}
STAFF_NAMES = (
    "Alex Rivera",
    "Sam Okafor",
    "Dana Whitfield",
    "Noor Haddad",
    "Jamie Lindqvist",
    "Rosa Beltrán",
    "Chris Nakamura",
    "Priya Raman",
    "Tomás Ferreira",
    "Eva Novak",
)

# Given and family names by language, most common first (weights fall off like Zipf's law).
NAMES: dict[str, tuple[float, str, str]] = {  # weight, given names, family names (_ joins words)
    "english": (
        0.30,
        (
            "James Mary John Patricia Robert Jennifer Michael Linda William Elizabeth David Barbara Richard Susan "
            "Joseph Jessica Thomas Sarah Charles Karen Christopher Nancy Daniel Lisa Matthew Betty Anthony Margaret "
            "Mark Sandra Emily Olivia Emma Ava Sophia Zoë Renée Noah Liam Ethan Madison Hannah Abigail Grace Mary-Kate"
        ),
        (
            "Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore Jackson Martin Lee "
            "Thompson White Harris Clark Lewis Robinson Walker Young Allen King Wright Scott Hill Green Adams Baker "
            "Nelson Carter Mitchell Roberts O'Brien O'Connor McDonald MacLeod Fitzgerald Murphy Kelly Sullivan"
        ),
    ),
    "spanish": (
        0.22,
        (
            "María José Juan Ana Luis Carmen Carlos Lucía Jorge Sofía Miguel Isabel Javier Elena Antonio Laura "
            "Francisco Marta Alejandro Paula Andrés Valentina Diego Camila Raúl Inés Ángel Begoña Jesús Guadalupe "
            "María_José Juan_Carlos José_Luis María_del_Carmen Ximena Álvaro Iñaki Nuria Rocío Pilar"
        ),
        (
            "García Rodríguez Martínez Hernández López González Pérez Sánchez Ramírez Torres Flores Rivera Gómez "
            "Díaz Cruz Morales Reyes Gutiérrez Ortiz Jiménez Ruiz Álvarez Castillo Romero Vázquez Moreno Muñoz Peña "
            "Núñez Ibáñez Fernández De_la_Cruz Del_Río Castañeda Echeverría Zúñiga"
        ),
    ),
    "french": (
        0.07,
        (
            "Jean Marie Pierre Camille Louis Léa Hugo Chloé Lucas Manon Gabriel Inès Théo Zoé Étienne Hélène "
            "François Geneviève Jérôme Amélie Céline Noël Anaïs Maël Gaëlle Jean-Luc Marie-Claire Anne-Sophie"
        ),
        (
            "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefèvre Michel "
            "Garnier Faure Rousseau Blanc Guérin Lemaître Chevalier François Béranger D'Arcy Léger Pâquet"
        ),
    ),
    "german": (
        0.07,
        (
            "Jürgen Jörg Günter Ursula Sabine Stefan Andreas Katrin Björn Lukas Leonie Maximilian Sophie Felix "
            "Hannah Lena Paul Mia Jonas Anja Dörte Käthe Uwe Heike"
        ),
        (
            "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch Bauer Richter "
            "Klein Wolf Schröder Neumann Schwarz Zimmermann Krüger Hofmann Braun Günther Köhler Groß Weiß Jäger "
            "von_Bülow van_der_Berg"
        ),
    ),
    "portuguese": (
        0.05,
        (
            "João Ana Maria Pedro Tiago Inês Beatriz Gonçalo Leonor Rodrigo Matilde Luís Conceição Sebastião "
            "Vitória Antônio Thaís Caio Letícia Mônica"
        ),
        (
            "Silva Santos Ferreira Pereira Oliveira Costa Rodrigues Martins Jesus Sousa Fernandes Gonçalves Gomes "
            "Lopes Marques Alves Almeida Ribeiro Pinto Carvalho Magalhães Conceição Araújo Simões Falcão"
        ),
    ),
    "italian": (
        0.05,
        (
            "Giuseppe Giovanni Antonio Mario Luca Marco Francesca Giulia Chiara Alessandra Sara Federica Niccolò "
            "Elisa Martina Matteo Lorenzo Andrea Paola"
        ),
        (
            "Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno Gallo Conti De_Luca "
            "Mancini Costa Giordano Rizzo Lombardi Moretti D'Angelo Caruso Fontana Galli"
        ),
    ),
    "polish": (
        0.04,
        (
            "Łukasz Małgorzata Agnieszka Krzysztof Anna Piotr Katarzyna Tomasz Paweł Magdalena Michał Joanna "
            "Grzegorz Zofia Wojciech Jędrzej Bożena Stanisław Żaneta Ewa"
        ),
        (
            "Nowak Kowalski Wiśniewski Wójcik Kowalczyk Kamiński Lewandowski Zieliński Szymański Woźniak "
            "Dąbrowski Kozłowski Jankowski Mazur Kwiatkowski Krawczyk Piotrowski Grabowski Zając Król Wieczorek"
        ),
    ),
    "vietnamese": (
        0.05,
        (
            "Thị_Hương Văn_Minh Thị_Thảo Anh Minh Linh Tuấn Dũng Hà Lan Phương Hùng Quang Thu Trang Nam Huy Ngọc "
            "Hoa Bảo Khánh"
        ),
        "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý",
    ),
    "chinese": (
        0.05,
        "Wei Fang Xiu_Ying Na Min Jing Li Qiang Lei Jun Yang Yong Yan Jie Tao Ming Chao Xiaoling Hui Zhen",
        "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Lin Gao Luo",
    ),
    "arabic": (
        0.03,
        (
            "Mohammed Ahmed Fatima Aisha Omar Ali Yusuf Layla Hassan Khadija Mariam Ibrahim Zainab Karim Nour "
            "Amira Tariq Samira"
        ),
        ("Al-Hassan Haddad Khalil Nasser Mansour Saleh Hamdan El-Amin Aziz Farouk Rahman Qureshi Abdullah Bakr Saïd"),
    ),
    "turkish": (
        0.02,
        (
            "Ayşe Fatma Emine Mehmet Mustafa Ahmet Çağla Gül Şule Ömer Özlem Barış İbrahim Ebru Yusuf Zeynep "  # noqa: RUF001 - Turkish dotless i
            "Elif Emre Burak Deniz"
        ),
        (
            "Yılmaz Kaya Demir Şahin Çelik Yıldız Yıldırım Öztürk Aydın Özdemir Arslan Doğan Kılıç Aslan Çetin "  # noqa: RUF001
            "Kara Koç Kurt Özkan Şimşek"
        ),
    ),
    "nordic": (
        0.02,
        "Søren Bjørn Åsa Ingrid Lars Erik Astrid Sigrid Mikael Anders Frida Linnéa",
        ("Jørgensen Andersson Johansson Karlsson Nilsson Eriksson Larsson Hansen Pedersen Østergaard Åberg Lindqvist"),
    ),
}
US_AREA_CODES = ("602", "480", "520", "623", "928", "212", "312", "415", "305", "713")
HOME_PHONES = {
    "spanish": ("+34 6## ### ###", "+52 55 #### ####"),
    "french": ("06 ## ## ## ##", "+33 6 ## ## ## ##", "+1 514 ###-####"),
    "german": ("0171 #######", "+49 151 ########"),
    "portuguese": ("+351 9## ### ###", "+55 11 9####-####"),
    "italian": ("+39 3## ### ####",),
    "polish": ("+48 5## ### ###",),
    "vietnamese": ("+84 9# ### ## ##",),
    "nordic": ("+47 ### ## ###", "+46 7# ### ## ##"),
}
EMAIL_DOMAINS = ("example.com", "example.org", "example.net", "mail.example")
NOTES = (
    "Prefers morning appointments.",
    "Sensitive to topical anaesthetic cream: patch test first.",
    "Referred by Dr. Alvarez.",
    "Interpreter needed (Spanish).",
    "Bring previous photos to compare.",
    "Asked for text reminders only.",
)
CLEARANCE_REASONS = (
    "Dermatology consult on file; lesion benign, cleared for a superficial treatment away from the area.",
    "Anticoagulant paused by the prescribing physician for 48 hours; bruising risk discussed and accepted.",
    "Outbreak fully resolved; antiviral prophylaxis started two days before the session.",
    "Wound healing assessed in clinic as normal; HbA1c within target per the primary care letter.",
    "Isotretinoin stopped over six months ago per the prescribing dermatologist; test spot healed well.",
)


BenchError = api.BenchError  # a check failed: the benchmark cannot give meaningful figures


def _raise_on_sigterm(signum: int, frame: FrameType | None) -> None:
    del frame
    raise SystemExit(128 + signum)


def database_url(server_url: str, name: str) -> str:
    """The URL of database ``name`` on the server of ``server_url``."""
    parts = urlsplit(server_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


# --------------------------------------------------------------------------------------------------
# Generation parameters and the marker that says a database already holds them


@dataclass(frozen=True, slots=True)
class Sizes:
    """What to generate."""

    clients: int
    screenings: int
    profiles: int
    seed: int

    def meta(self) -> dict[str, int]:
        """The parameters the stored data must match to be reused."""
        return {
            "generator": GENERATOR_VERSION,
            "clients": self.clients,
            "screenings": self.screenings,
            "profiles": self.profiles,
            "seed": self.seed,
        }


def store_meta(url: str, meta: dict[str, Any], table: str = META_TABLE) -> None:
    """Write the generation marker (into ``table``) once the scratch database is complete."""
    with psycopg.connect(url) as conn:
        conn.execute(sql.SQL("CREATE TABLE {} (value jsonb NOT NULL)").format(sql.Identifier(table)))
        conn.execute(
            sql.SQL("INSERT INTO {} (value) VALUES (%s::jsonb)").format(sql.Identifier(table)),
            [orjson.dumps(meta).decode()],
        )


def reset_sequences(cur: psycopg.Cursor[Any], tables: Sequence[str]) -> None:
    """Move each table's id sequence past the ids that were inserted in SQL."""
    for table in tables:
        cur.execute(
            sql.SQL(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {}"
            ).format(sql.Identifier(table)),
            [table],
        )


def check_database_name(parser: argparse.ArgumentParser, name: str) -> None:
    """Refuse (as a usage error) a database name that is not a plain scratch name, or a system database."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name) or name in {"postgres", "template0", "template1"}:
        parser.error("--database: a scratch database name (lower-case letters, digits, _), not a system database")


def stored_meta(url: str, table: str = META_TABLE) -> dict[str, Any] | None:
    """The generation marker (in ``table``) of the scratch database, or None when it is missing or incomplete."""
    try:
        with psycopg.connect(url, connect_timeout=5) as conn:
            found = conn.execute("SELECT to_regclass(%s) IS NOT NULL", [table]).fetchone()
            if not (found and found[0]):
                return None
            row = conn.execute(sql.SQL("SELECT value FROM {}").format(sql.Identifier(table))).fetchone()
    except psycopg.OperationalError as error:
        if "does not exist" in str(error):
            return None
        raise
    return dict(row[0]) if row else None


def recreate_database(server_url: str, name: str) -> None:
    """Drop (forcing other sessions off) and create the scratch database."""
    with psycopg.connect(database_url(server_url, "postgres"), autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(server_url: str, name: str) -> None:
    """Remove the scratch database."""
    with psycopg.connect(database_url(server_url, "postgres"), autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


# --------------------------------------------------------------------------------------------------
# Random people and profiles


def zipf_weights(count: int, exponent: float = 0.9) -> list[float]:
    """Weights for a list ordered most common first."""
    return [1 / (rank + 1) ** exponent for rank in range(count)]


@dataclass(frozen=True, slots=True)
class Person:
    """A generated client."""

    given: str
    family: str
    birth: date
    phone: str
    email: str
    notes: str
    group: str


class People:
    """Seeded random clients: names by language group, birth dates, phones, e-mail addresses."""

    def __init__(self, rng: random.Random, today: date) -> None:
        """Use ``rng``; ages are counted at ``today``."""
        self.rng = rng
        self.today = today
        self.groups = list(NAMES)
        self.group_weights = [NAMES[g][0] for g in self.groups]
        self.given = {g: [n.replace("_", " ") for n in NAMES[g][1].split()] for g in self.groups}
        self.family = {g: [n.replace("_", " ") for n in NAMES[g][2].split()] for g in self.groups}
        self.given_weights = {g: zipf_weights(len(v)) for g, v in self.given.items()}
        self.family_weights = {g: zipf_weights(len(v), 1.0) for g, v in self.family.items()}

    def _given(self, group: str) -> str:
        return self.rng.choices(self.given[group], self.given_weights[group])[0]

    def _family(self, group: str) -> str:
        family = self.rng.choices(self.family[group], self.family_weights[group])[0]
        if group == "spanish" and self.rng.random() < 0.5:  # two surnames, sometimes hyphenated
            second = self.rng.choices(self.family[group], self.family_weights[group])[0]
            family = f"{family}{'-' if self.rng.random() < 0.1 else ' '}{second}"
        return family

    def phone(self, group: str) -> str:
        """A phone number as staff would type it, in a format of the person's country or the US."""
        rng = self.rng
        if group in HOME_PHONES and rng.random() < 0.5:
            pattern = rng.choice(HOME_PHONES[group])
        else:
            area = rng.choice(US_AREA_CODES)
            pattern = rng.choice(
                (f"({area}) ###-####", f"+1 {area}-###-####", f"{area}.###.####", f"{area}#######", f"{area} ### ####")
            )
        return "".join(str(rng.randrange(10)) if c == "#" else c for c in pattern)

    def person(self) -> Person:
        """One client."""
        rng = self.rng
        group = rng.choices(self.groups, self.group_weights)[0]
        given_group = rng.choices(self.groups, self.group_weights)[0] if rng.random() < 0.1 else group
        given, family = self._given(given_group), self._family(group)
        age_days = int(365.25 * min(max(rng.gauss(41, 13), 16), 88)) + rng.randrange(365)
        birth = self.today - timedelta(days=age_days)
        phone = self.phone(group) if rng.random() < 0.92 else ""
        email = ""
        if rng.random() < 0.7:
            local = re.sub(r"[^a-z0-9]", "", _ascii(given)) + "." + re.sub(r"[^a-z0-9]", "", _ascii(family))
            suffix = str(rng.randrange(100)) if rng.random() < 0.4 else ""
            email = f"{local}{suffix}@{rng.choice(EMAIL_DOMAINS)}"
        notes = rng.choice(NOTES) if rng.random() < 0.1 else ""
        return Person(given, family, birth, phone, email, notes, group)


def _ascii(text: str) -> str:
    import unicodedata  # noqa: PLC0415 - only for e-mail addresses

    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()


class ProfileMaker:
    """Seeded random valid Profile v1 documents in the clinic setting, mostly unremarkable like a clinic's."""

    def __init__(self, rng: random.Random) -> None:
        """Use ``rng``."""
        from needlewise.domain.vocabulary import (  # noqa: PLC0415 - after Django is set up
            Area,
            DeviceKind,
            Goal,
            History,
            Medication,
            ProcedureKind,
            Product,
            SkinNow,
        )

        self.rng = rng
        self.goals = [str(v.value) for v in Goal]
        self.areas = [str(v.value) for v in Area]
        self.kinds = [str(v.value) for v in DeviceKind]
        self.lists = {
            "skin_now": ([str(v.value) for v in SkinNow], 0.05),
            "history": ([str(v.value) for v in History], 0.1),
            "medications": ([str(v.value) for v in Medication], 0.08),
            "planned_products": ([str(v.value) for v in Product], 0.5),
        }
        self.procedures = [str(v.value) for v in ProcedureKind]

    def profile(self) -> dict[str, Any]:
        """One profile."""
        rng = self.rng
        doc: dict[str, Any] = {
            "setting": "clinic",
            "age": rng.randint(18, 75) if rng.random() < 0.95 else rng.randint(14, 90),
            "goals": rng.sample(self.goals, rng.choices((1, 2, 3), (50, 35, 15))[0]),
            "areas": rng.sample(self.areas, rng.choices((1, 2, 3), (45, 35, 20))[0]),
            "device": {
                "kind": rng.choices(self.kinds, (1, 2, 8, 1))[0] if len(self.kinds) == 4 else rng.choice(self.kinds),
                "needle_mm": rng.choice((0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 2.5)),
                "sterile_single_use": rng.random() < 0.98,
            },
            "pregnant_or_breastfeeding": rng.random() < 0.015,
        }
        if rng.random() < 0.85:
            doc["fitzpatrick"] = rng.choices(range(1, 7), (10, 25, 25, 18, 12, 10))[0]
        for key, (values, p_any) in self.lists.items():
            doc[key] = rng.sample(values, rng.choices((1, 2), (80, 20))[0]) if rng.random() < p_any else []
        if rng.random() < 0.05:
            doc["isotretinoin_months_since_stop"] = round(rng.uniform(0, 36), 1)
        count = rng.choices((0, 1, 2), (82, 14, 4))[0]
        doc["recent_procedures"] = [
            {"kind": rng.choice(self.procedures), "weeks_ago": round(rng.uniform(0, 60), 1)} for _ in range(count)
        ]
        return doc


# --------------------------------------------------------------------------------------------------
# COPY


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
NULL = "\\N"


def text(value: str) -> str:
    """A value for COPY's text format."""
    return value.translate(_COPY_ESCAPES)


def stamp(seconds: int) -> str:
    """A UTC timestamp for COPY."""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M:%S+00")


def copy_rows(cur: psycopg.Cursor[Any], table: str, columns: Sequence[str], rows: Iterator[str]) -> int:
    """COPY tab-separated ``rows`` (already escaped) into ``table``; returns the row count."""
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    count = 0
    batch: list[str] = []
    with cur.copy(statement) as copy:
        for row in rows:
            batch.append(row)
            if len(batch) >= 20_000:
                copy.write("\n".join(batch) + "\n")
                count += len(batch)
                batch.clear()
        if batch:
            copy.write("\n".join(batch) + "\n")
            count += len(batch)
    return count


def detach(cur: psycopg.Cursor[Any], table: str) -> list[str]:
    """Drop ``table``'s secondary indexes and foreign keys; returns the statements that re-create them."""
    cur.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'",
        [table],
    )
    foreign = cur.fetchall()
    cur.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = %s "
        "AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
        [table, table],
    )
    indexes = cur.fetchall()
    for name, _ in foreign:
        cur.execute(sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(sql.Identifier(table), sql.Identifier(name)))
    for name, _ in indexes:
        cur.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
    restore = [definition for _, definition in indexes]
    restore += [
        sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} ").format(sql.Identifier(table), sql.Identifier(name)).as_string(cur)
        + definition
        for name, definition in foreign
    ]
    return restore


# --------------------------------------------------------------------------------------------------
# Generation


@dataclass(slots=True)
class Generated:
    """What the generator made, for the report."""

    seconds: float
    steps: list[tuple[str, float]] = field(default_factory=list)
    pool_tiers: Counter[str] = field(default_factory=Counter)
    documents: int = 0


def _clinic_sizes(clients: int) -> list[int]:
    sizes = [int(clients * share) for share in CLINIC_SHARES]
    sizes[0] += clients - sum(sizes)
    return sizes


def _user_id(clinic: int, role: str) -> int:
    return (clinic - 1) * len(ROLES) + ROLES.index(role) + 1


#: The search index of every client in one statement: the rows ``clinic.clients.search_index.rows`` makes
#: (each word of ``name_words``, each suffix of ``phone_digits``; the name keys, archived or not);
#: ``check_search_tokens`` compares.
SEARCH_TOKENS = """
INSERT INTO client_search_token (clinic_id, client_id, token, family_key, given_key, archived)
SELECT DISTINCT clinic_id, id, 'n:' || word, family_key, given_key, archived_at IS NOT NULL
  FROM client, unnest(string_to_array(btrim(name_words), ' ')) AS word
 WHERE word <> ''
UNION ALL
SELECT clinic_id, id, 'p:' || substr(phone_digits, start), family_key, given_key, archived_at IS NOT NULL
  FROM client, generate_series(1, length(phone_digits)) AS start
"""


def generate(url: str, sizes: Sizes) -> Generated:  # noqa: C901, PLR0915 - one straight pipeline
    """Fill the freshly migrated database at ``url``; returns timings."""
    from needlewise.clinic.clients.client_form import phone_digits  # noqa: PLC0415 - after Django is set up
    from needlewise.clinic.clients.clients import name_key, words_key  # noqa: PLC0415 - after Django is set up
    from needlewise.clinic.records.screenings import NEEDS_CLEARANCE, clinic_assessment  # noqa: PLC0415
    from needlewise.domain.vocabulary import Lang  # noqa: PLC0415
    from needlewise.kb.loader import load_knowledge_base  # noqa: PLC0415
    from needlewise.storage.sealing import seal_text  # noqa: PLC0415

    def sealed_json(value: object, column: str) -> str:  # as storage.encrypted_fields.EncryptedJSONField stores it
        return text(seal_text(orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode(), column))

    def sealed(value: str, column: str) -> str:  # as EncryptedTextField stores it (empty stays empty)
        return text(seal_text(value, column)) if value else ""

    started = time.perf_counter()
    result = Generated(0.0)
    rng = random.Random(sizes.seed)
    end = int(time.time()) - 3600
    start = end - 7 * 365 * 86_400
    today = datetime.fromtimestamp(end, UTC).date()

    def step(name: str, since: float) -> float:
        now = time.perf_counter()
        result.steps.append((name, now - since))
        print(f"  - {name}: {now - since:.1f} s", flush=True)
        return now

    # The profile pool, assessed by the real engine; documents stored once per digest.
    t = time.perf_counter()
    kb = load_knowledge_base()
    maker = ProfileMaker(random.Random(sizes.seed + 1))
    pool: list[tuple[str, str, str, str, str, int]] = []  # profile text, lang, version, hash, tier, document id
    documents: dict[str, tuple[int, str]] = {}
    for _ in range(sizes.profiles):
        profile = maker.profile()
        lang = Lang.ES if rng.random() < 0.2 else Lang.EN
        assessment = clinic_assessment(profile, kb, lang)
        body = assessment.to_json()
        digest = hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()  # = store_document
        if digest not in documents:
            documents[digest] = (len(documents) + 1, sealed_json(body, "assessment_document.body"))
        tier = assessment.tier.value
        result.pool_tiers[tier] += 1
        pool.append(
            (
                sealed_json(profile, "screening.profile"),  # sealed once per pool profile, shared by its rows
                str(assessment.lang),
                assessment.kb_version.version,
                assessment.kb_version.content_hash,
                tier,
                documents[digest][0],
            )
        )
    result.documents = len(documents)
    t = step(f"{sizes.profiles:,} profiles assessed by the engine, {len(documents):,} distinct documents", t)

    # Clients: people, sorted by when they were added; ids follow that order across clinics.
    people = People(rng, today)
    clinic_of: list[int] = []
    for clinic, size in enumerate(_clinic_sizes(sizes.clients), start=1):
        clinic_of += [clinic] * size
    rng.shuffle(clinic_of)
    added = sorted(start + int((end - start) * rng.random() ** 0.75) for _ in range(sizes.clients))
    persons = [people.person() for _ in range(sizes.clients)]
    archived = [rng.random() < 0.02 for _ in range(sizes.clients)]

    # Screenings: clients differ in how often they come (some never); ids follow time across all clients.
    activity = [0.0 if rng.random() < 0.06 else rng.gammavariate(2.0, 1.0) for _ in range(sizes.clients)]
    counts = Counter(rng.choices(range(sizes.clients), weights=activity, k=sizes.screenings))
    when: list[tuple[int, int]] = []
    for index, count in counts.items():
        first = added[index]
        when += [(first + int((end - first) * rng.random()), index) for _ in range(count)]
    when.sort()
    t = step(f"{sizes.clients:,} clients and {sizes.screenings:,} screenings drawn", t)

    with psycopg.connect(url) as conn, conn.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
        cur.execute("SET maintenance_work_mem = '512MB'")
        restore = [
            statement
            for table in ("client", "client_search_token", "screening", "clearance")
            for statement in detach(cur, table)
        ]
        created = stamp(start - 86_400)
        copy_rows(
            cur,
            "clinic",
            ("id", "slug", "name", "city", "services", "accepts_requests", "created_at", "screening_valid_days"),
            (
                f"{i}\tbench-clinic-{i:02d}\t{text(name)}\t{text(city)}\tMicroneedling, skin checks\tt\t{created}\t30"
                for i, (name, city) in enumerate(CLINICS[: len(CLINIC_SHARES)], start=1)
            ),
        )
        users, members = [], []
        for clinic in range(1, len(CLINIC_SHARES) + 1):
            for role in ROLES:
                uid = _user_id(clinic, role)
                email = f"{role.replace('_', '-')}@clinic-{clinic:02d}.bench.invalid"
                users.append(f"{uid}\t!\t{NULL}\tf\t{email}\t\t\t{email}\tf\tt\t{created}")
                display = f"{STAFF_NAMES[(uid - 1) % len(STAFF_NAMES)]} ({role.replace('_', ' ')})"
                members.append(f"{uid}\t{uid}\t{clinic}\t{role}\t{text(display)}\t\t{NULL}\t{created}")
        copy_rows(
            cur,
            "auth_user",
            (
                "id",
                "password",
                "last_login",
                "is_superuser",
                "username",
                "first_name",
                "last_name",
                "email",
                "is_staff",
                "is_active",
                "date_joined",
            ),
            iter(users),
        )
        copy_rows(
            cur,
            "staff_member",
            ("id", "user_id", "clinic_id", "role", "display_name", "totp_secret", "totp_last_step", "created_at"),
            iter(members),
        )

        def client_rows() -> Iterator[str]:
            for index, person in enumerate(persons):
                clinic = clinic_of[index]
                at = stamp(added[index])
                gone = stamp(added[index] + (end - added[index]) // 2) if archived[index] else NULL
                by = _user_id(clinic, "front_desk" if rng.random() < 0.7 else "nurse")
                yield (
                    f"{index + 1}\t{clinic}\t{text(person.given)}\t{text(person.family)}"
                    f"\t{text(name_key(person.given))}\t{text(name_key(person.family))}"
                    f"\t{text(words_key(person.given, person.family))}"
                    f"\t{person.birth.isoformat()}\t{text(person.phone)}"
                    f"\t{phone_digits(person.phone)}\t{text(person.email)}"
                    f"\t{sealed(person.notes, 'client.clinical_notes')}"
                    f"\t{gone}\t{at}\t{at}\t{by}"
                )

        copy_rows(
            cur,
            "client",
            (
                "id",
                "clinic_id",
                "given_name",
                "family_name",
                "given_key",
                "family_key",
                "name_words",
                "birth_date",
                "phone",
                "phone_digits",
                "email",
                "clinical_notes",
                "archived_at",
                "created_at",
                "updated_at",
                "created_by_id",
            ),
            client_rows(),
        )
        t = step(f"COPY clinics, {len(users)} staff accounts, {sizes.clients:,} clients", t)
        cur.execute(SEARCH_TOKENS)
        t = step(f"{cur.rowcount:,} search tokens (set-based SQL)", t)

        copy_rows(
            cur,
            "assessment_document",
            ("id", "digest", "body"),
            (f"{number}\t{digest}\t{body}" for digest, (number, body) in documents.items()),
        )
        screeners = list(SCREENER_WEIGHTS)
        screener_weights = list(SCREENER_WEIGHTS.values())
        clearances: list[str] = []
        reasons = {reason: sealed(reason, "clearance.reason") for reason in CLEARANCE_REASONS}

        def screening_rows() -> Iterator[str]:
            for number, (at, index) in enumerate(when, start=1):
                clinic = clinic_of[index]
                profile, lang, kb_version, kb_hash, tier, document = pool[rng.randrange(len(pool))]
                ran_by = _user_id(clinic, rng.choices(screeners, screener_weights)[0])
                if tier in NEEDS_CLEARANCE and rng.random() < 0.25:
                    cleared = min(at + rng.randrange(7 * 86_400), end)
                    cleared_on = datetime.fromtimestamp(cleared, UTC).date()
                    expires_on = cleared_on + timedelta(days=rng.choice((90, 180, 365)))
                    clearances.append(
                        f"{len(clearances) + 1}\t{clinic}\t{index + 1}\t{number}\t{_user_id(clinic, 'provider')}"
                        f"\t{reasons[rng.choice(CLEARANCE_REASONS)]}\t{cleared_on}\t{expires_on}\t{stamp(cleared)}"
                    )
                yield (
                    f"{number}\t{clinic}\t{index + 1}\t{ran_by}\t{stamp(at)}\t{lang}\t{profile}\t{kb_version}"
                    f"\t{kb_hash}\t{tier}\t{document}\tstaff"
                )

        copy_rows(
            cur,
            "screening",
            (
                "id",
                "clinic_id",
                "client_id",
                "ran_by_id",
                "created_at",
                "lang",
                "profile",
                "kb_version",
                "kb_hash",
                "tier",
                "document_id",
                "source",
            ),
            screening_rows(),
        )
        copy_rows(
            cur,
            "clearance",
            (
                "id",
                "clinic_id",
                "client_id",
                "screening_id",
                "provider_id",
                "reason",
                "cleared_on",
                "expires_on",
                "created_at",
            ),
            iter(clearances),
        )
        t = step(
            f"COPY {len(documents):,} documents, {sizes.screenings:,} screenings, {len(clearances):,} clearances", t
        )
        for statement in restore:
            cur.execute(statement)
        t = step(f"indexes and foreign keys re-created ({len(restore)} statements)", t)
        reset_sequences(
            cur,
            (
                "clinic",
                "auth_user",
                "staff_member",
                "client",
                "client_search_token",
                "assessment_document",
                "screening",
                "clearance",
            ),
        )
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
    step("VACUUM (ANALYZE)", t)
    result.seconds = time.perf_counter() - started
    return result


def reuse_or_recreate(  # noqa: PLR0913 - the options are keyword-only, each with its default
    server_url: str,
    name: str,
    wanted: dict[str, int],
    *,
    fresh: bool,
    flag: str = "--regenerate",
    table: str = META_TABLE,
    note: Callable[[], str] | None = None,
) -> tuple[dict[str, Any] | None, float]:
    """The stored marker when it matches ``wanted`` and ``fresh`` (``flag``) is not asked (the data is reused).

    Reused data is brought to this code's migrations first, as ``needlewise serve`` does on start.

    Otherwise ``None``, with the database recreated and migrated, and when that began (for the generation's
    time); ``note`` adds to the line that says why the data is generated.
    """
    from django.core.management import call_command  # noqa: PLC0415 - after Django is set up
    from django.db import connections  # noqa: PLC0415 - after Django is set up

    meta = stored_meta(database_url(server_url, name), table)
    if meta is not None and not fresh and {k: meta.get(k) for k in wanted} == wanted:
        print(f"- data: reusing database {name} (generated {meta['generated_at']} in {meta['seconds']:.0f} s)")
        call_command("migrate", interactive=False, verbosity=0)  # as the server does on start: this code's schema
        return meta, 0.0
    why = flag if fresh else ("other parameters" if meta else "no data yet")
    print(f"- data: generating into database {name} ({why}){f'; {note()}' if note else ''}", flush=True)
    started = time.perf_counter()
    connections.close_all()
    recreate_database(server_url, name)
    call_command("migrate", interactive=False, verbosity=0)
    connections.close_all()
    print(f"  - create and migrate: {time.perf_counter() - started:.1f} s", flush=True)
    return None, started


def store_generated(
    url: str, wanted: dict[str, int], started: float, made: dict[str, Any], table: str = META_TABLE
) -> dict[str, Any]:
    """Store the marker of data generated since ``started``: ``wanted``, when and how long, then ``made``."""
    seconds = time.perf_counter() - started
    meta = {
        **wanted,
        "generated_at": f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "seconds": round(seconds, 1),
        **made,
    }
    store_meta(url, meta, table)
    print(f"  - total generation time: {seconds:.1f} s", flush=True)
    return meta


def ensure_data(server_url: str, name: str, sizes: Sizes, *, regenerate: bool) -> dict[str, Any]:
    """Reuse the scratch database when its marker matches ``sizes``; otherwise build it. Returns the marker."""
    wanted = sizes.meta()
    meta, started = reuse_or_recreate(server_url, name, wanted, fresh=regenerate)
    if meta is not None:
        return meta
    url = database_url(server_url, name)
    made = generate(url, sizes)
    return store_generated(
        url,
        wanted,
        started,
        {
            "steps": [(n, round(s, 1)) for n, s in made.steps],
            "pool_tiers": dict(made.pool_tiers),
            "documents": made.documents,
        },
    )


# --------------------------------------------------------------------------------------------------
# Workloads


@dataclass(frozen=True, slots=True)
class Search:
    """One search as staff type it."""

    kind: str
    params: dict[str, str]

    @property
    def path(self) -> str:
        """The request path."""
        return f"{SEARCH}?{urlencode(self.params)}" if self.params else SEARCH


@dataclass(frozen=True, slots=True)
class BigClinic:
    """The measured clinic: its id, nurse, and clients."""

    clinic_id: int
    nurse_id: int
    clients: list[tuple[int, str, str, str, str, date, str]]  # id, given, family, keys, birth, phone


SEARCH_KINDS = {
    "1 letter": 10,
    "2-3 letters": 20,
    "full-name prefix": 35,
    "birth date": 15,
    "phone prefix": 15,
    "name + birth date": 5,
    "empty (recently added)": 5,
}


def load_big_clinic() -> BigClinic:
    """The big clinic's active clients (in id order)."""
    from django.db import connection  # noqa: PLC0415 - after Django is set up

    with connection.cursor() as cur:
        cur.execute("SELECT clinic_id FROM client GROUP BY clinic_id ORDER BY count(*) DESC LIMIT 1")
        clinic_id = cur.fetchone()[0]
        cur.execute("SELECT user_id FROM staff_member WHERE clinic_id = %s AND role = 'nurse'", [clinic_id])
        nurse_id = cur.fetchone()[0]
        cur.execute(
            "SELECT id, given_name, family_name, given_key, family_key, birth_date, phone FROM client "
            "WHERE clinic_id = %s AND archived_at IS NULL ORDER BY id",
            [clinic_id],
        )
        rows = cur.fetchall()
    return BigClinic(clinic_id, nurse_id, rows)


def _typed(rng: random.Random, original: str, key: str, length: int) -> str:
    """The start of a name as someone types it: accents or not, any case."""
    source = original if rng.random() < 0.4 and len(original) >= length else key
    typed = source[:length]
    return typed.capitalize() if rng.random() < 0.3 else typed


def searches(rng: random.Random, big: BigClinic, count: int) -> list[Search]:  # noqa: C901, PLR0912 - one branch per kind
    """Varied searches drawn from the clinic's real clients."""
    kinds, weights = list(SEARCH_KINDS), list(SEARCH_KINDS.values())
    found: list[Search] = []
    for _ in range(count):
        kind = rng.choices(kinds, weights)[0]
        _, given, family, given_key, family_key, birth, phone = rng.choice(big.clients)
        use_family = rng.random() < 0.6
        name, key = (family, family_key) if use_family else (given, given_key)
        if kind == "1 letter":
            params = {"q": _typed(rng, name, key, 1)}
        elif kind == "2-3 letters":
            params = {"q": _typed(rng, name, key, rng.choice((2, 3)))}
        elif kind == "full-name prefix":
            form = rng.randrange(4)
            if form == 0:  # "garcia"
                params = {"q": _typed(rng, family, family_key, len(family_key))}
            elif form == 1:  # "maria garc"
                params = {"q": f"{_typed(rng, given, given_key, len(given_key))} {family_key[: rng.randint(3, 6)]}"}
            elif form == 2:
                params = {"q": f"{_typed(rng, family, family_key, len(family_key))} {given_key[:1]}"}
            else:  # "mar garc"
                params = {"q": f"{given_key[: rng.randint(3, 5)]} {family_key[: rng.randint(3, 5)]}"}
        elif kind == "birth date":
            day = birth if rng.random() < 0.9 else date(1950, 1, 1) + timedelta(days=rng.randrange(20_000))
            params = {"birth_date": day.isoformat()}
        elif kind == "phone prefix" and phone:
            digits = rng.randint(4, 9)
            cut = next((i + 1 for i, _ in enumerate(phone) if sum(c.isdigit() for c in phone[: i + 1]) == digits), None)
            params = {"phone": phone[:cut] if cut else phone}
        elif kind == "phone prefix":
            params = {"phone": "602555"}
        elif kind == "name + birth date":
            params = {"q": family_key[: rng.randint(3, 5)], "birth_date": birth.isoformat()}
        else:  # the list as it opens, before anything is typed
            params = {}
        found.append(Search(kind, params))
    return found


def create_sessions(user_id: int, count: int) -> list[str]:
    """Verified staff sessions for ``user_id``, written straight into the session table; returns their keys."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: PLC0415
    from django.contrib.auth.models import User  # noqa: PLC0415
    from django.contrib.sessions.backends.db import SessionStore  # noqa: PLC0415

    from needlewise.web.staff_session import SEEN, SIGNED_IN_AT, VERIFIED  # noqa: PLC0415

    user = User.objects.get(pk=user_id)
    keys = []
    for _ in range(count):
        session = SessionStore()
        now = time.time()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "needlewise.web.auth_backend.StaffBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session[VERIFIED] = True
        session[SEEN] = now
        session[SIGNED_IN_AT] = now
        session.create()
        keys.append(str(session.session_key))
    return keys


def delete_sessions(keys: Sequence[str]) -> None:
    """Remove the benchmark's sessions."""
    from django.contrib.sessions.models import Session  # noqa: PLC0415

    Session.objects.filter(session_key__in=list(keys)).delete()


# --------------------------------------------------------------------------------------------------
# Checks and query analysis (in-process, through Django's test client and the ORM)


def _test_client(session_key: str) -> Any:  # noqa: ANN401 - django.test.Client
    from django.test import Client  # noqa: PLC0415

    client = Client(HTTP_HOST=HOST)
    client.cookies[COOKIE] = session_key
    return client


def page_queries(session_key: str, path: str) -> tuple[int, bytes, list[dict[str, str]]]:
    """GET ``path`` in-process; returns the status, the body and the SQL queries it ran."""
    from django.db import connection  # noqa: PLC0415
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    client = _test_client(session_key)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    return response.status_code, response.content, list(captured.captured_queries)


def _escaped(value: str) -> str:
    from markupsafe import escape  # noqa: PLC0415

    return str(escape(value))


def check_pages(session_key: str, big: BigClinic, rng: random.Random) -> list[str]:
    """Pages answer 200 with the right content, and the number of queries does not grow with the data."""
    from django.db import connection  # noqa: PLC0415

    lines = []
    # One view first: the session's first request notes its activity (two more statements), and every
    # counted page below must be a second-or-later request for the counts to be comparable.
    page_queries(session_key, SEARCH)
    with connection.cursor() as cur:
        cur.execute(
            "SELECT client_id, count(*) FROM screening WHERE clinic_id = %s GROUP BY client_id "
            "ORDER BY count(*) DESC, client_id LIMIT 1",
            [big.clinic_id],
        )
        most, most_count = cur.fetchone()
        cur.execute(
            "SELECT c.id FROM client c WHERE c.clinic_id = %s AND c.archived_at IS NULL AND NOT EXISTS "
            "(SELECT 1 FROM screening s WHERE s.client_id = c.id) ORDER BY c.id LIMIT 1",
            [big.clinic_id],
        )
        never = cur.fetchone()[0]
        cur.execute(
            "SELECT client_id FROM screening WHERE clinic_id = %s GROUP BY client_id HAVING count(*) = 1 "
            "ORDER BY client_id LIMIT 1",
            [big.clinic_id],
        )
        once = cur.fetchone()[0]
        cur.execute(
            "SELECT client_id FROM clearance WHERE clinic_id = %s ORDER BY created_at DESC LIMIT 1", [big.clinic_id]
        )
        cleared = cur.fetchone()[0]
    by_id = {row[0]: row for row in big.clients}
    counts = {}
    for label, client_id in (
        (f"most screenings ({most_count})", most),
        ("one screening", once),
        ("with a clearance", cleared),
        ("never screened", never),
    ):
        status, body, queries = page_queries(session_key, f"{SEARCH}{client_id}/")
        family = _escaped(by_id[client_id][2]) if client_id in by_id else ""
        if status != 200 or family.encode() not in body:
            msg = f"GET {SEARCH}{client_id}/ answered {status} without the client's name: {body[:300]!r}"
            raise BenchError(msg)
        if label != "never screened":  # no latest screening: no clearance lookup, no document to load
            counts[label] = len(queries)
        lines.append(
            f"  client page, {label} (client {client_id}): 200, {len(body):,} bytes, {len(queries)} SQL statements"
        )
    search_counts = {}
    sample = rng.choice(big.clients)
    for label, params in (
        ("1 letter, 50 shown", {"q": sample[4][:1]}),
        ("full name", {"q": f"{sample[3]} {sample[4]}"}),
        ("nothing found", {"q": "zzzzqx"}),
    ):
        path = f"{SEARCH}?{urlencode(params)}"
        status, body, queries = page_queries(session_key, path)
        if status != 200 or (label == "full name" and _escaped(sample[2]).encode() not in body):
            msg = f"GET {path} answered {status} without the expected result: {body[:300]!r}"
            raise BenchError(msg)
        search_counts[label] = len(queries)
        lines.append(f"  search, {label} ({path}): 200, {len(body):,} bytes, {len(queries)} SQL statements")
    flat = len(set(counts.values())) == 1 and len(set(search_counts.values())) == 1
    lines.append(
        "  statements per page independent of the rows shown (no N+1; statements include SAVEPOINT/RELEASE): "
        + verdict(flat)
    )
    return lines


def check_documents(count: int = 20) -> str:
    """``store_document`` finds the generated documents under the digest it computes (it adds none)."""
    from django.db import transaction  # noqa: PLC0415

    from needlewise.clinic.records.screenings import store_document  # noqa: PLC0415
    from needlewise.storage.models import AssessmentDocument  # noqa: PLC0415

    total = AssessmentDocument.objects.count()
    sample = list(AssessmentDocument.objects.order_by("?")[:count])
    with transaction.atomic():
        for document in sample:
            body = document.body
            if not isinstance(body, dict) or store_document(body).pk != document.pk:
                msg = f"store_document did not find document {document.pk} (digest {document.digest})"
                raise BenchError(msg)
        transaction.set_rollback(True)
    if AssessmentDocument.objects.count() != total:
        msg = "store_document added documents"
        raise BenchError(msg)
    return f"  store_document finds {len(sample)} random generated documents under its own digest: PASS"


def check_search_tokens(count: int = 500) -> str:
    """The generated search tokens of random clients are those ``search_index.rows`` makes."""
    from needlewise.clinic.clients.search_index import rows  # noqa: PLC0415
    from needlewise.storage.models import Client, ClientSearchToken  # noqa: PLC0415

    fields = ("clinic_id", "client_id", "token", "family_key", "given_key", "archived")
    sample = list(Client.objects.order_by("?")[:count])
    for client in sample:
        stored = set(ClientSearchToken.objects.filter(client_id=client.pk).values_list(*fields))
        if stored != {tuple(getattr(row, name) for name in fields) for row in rows(client)}:
            msg = f"the generated search tokens of client {client.pk} are not the ones search_index.rows makes"
            raise BenchError(msg)
    return f"  the search tokens of {len(sample)} random clients are those search_index.rows makes: PASS"


#: The search's read of clients: the ORM's (recently added, a birth date) or the search index's fixed statement.
CLIENT_READ = r'FROM "client"|JOIN client ON'


def timed_searches(user_id: int, clinic_id: int, sample: Sequence[Search]) -> list[tuple[float, Search, str, int]]:
    """Each search's client query, captured from ``clients.search`` (rolled back), then timed: ms, search, SQL, rows."""
    from django.db import connection, transaction  # noqa: PLC0415
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    from needlewise.clinic.access.actor import Actor  # noqa: PLC0415
    from needlewise.clinic.clients import clients  # noqa: PLC0415
    from needlewise.domain.permissions import Role  # noqa: PLC0415
    from needlewise.web.views.clinic_common import form_date  # noqa: PLC0415

    actor = Actor.staff(user_id, clinic_id, Role.NURSE)
    timed = []
    for search in sample:
        query = clients.SearchQuery(
            text=search.params.get("q", ""),
            birth_date=form_date(search.params.get("birth_date")),
            phone=search.params.get("phone", ""),
        )
        with transaction.atomic(), CaptureQueriesContext(connection) as captured:
            found = clients.search(actor, query)
            transaction.set_rollback(True)
        statement = next(q["sql"] for q in captured.captured_queries if re.search(CLIENT_READ, q["sql"]))
        with connection.cursor() as cur:  # again, timed here: the captured time has 1 ms resolution
            began = time.perf_counter()
            cur.execute(statement)
            cur.fetchall()
            ms = (time.perf_counter() - began) * 1000
        timed.append((ms, search, statement, len(found)))
    return timed


def explain(statement: str) -> list[str]:
    """``EXPLAIN (ANALYZE, BUFFERS)`` of one captured statement (it runs)."""
    from django.db import connection  # noqa: PLC0415

    with connection.cursor() as cur:
        cur.execute(f"EXPLAIN (ANALYZE, BUFFERS) {statement}")
        return [row[0] for row in cur.fetchall()]


def empty_search_sql(user_id: int, clinic_id: int) -> str:
    """The SQL of the empty search (the workspace home's and the client list's "recently added")."""
    return timed_searches(user_id, clinic_id, [Search("empty", {})])[0][2]


# --------------------------------------------------------------------------------------------------
# Load


#: The part of a wrk script that counts each thread's answers: ``ok`` where ``{ok}`` holds (a Lua condition on
#: ``status``), ``other`` otherwise with the first such status, printed as one :data:`STATUS_LINE` per thread.
#: The script before it defines ``request()``; ``init`` starts each thread at the rotation offset of its arguments.
LUA_COUNTS = """local threads = {{}}
function setup(thread)
  table.insert(threads, thread)
end
function init(args)
  index = tonumber(args[1] or "0") or 0
  ok = 0
  other = 0
  first_other = "-"
end
function response(status, headers, body)
  if {ok} then
    ok = ok + 1
  else
    other = other + 1
    if first_other == "-" then
      first_other = tostring(status)
    end
  end
end
function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    io.write(string.format("STATUS ok=%d other=%d first_other=%s\\n",
      thread:get("ok"), thread:get("other"), thread:get("first_other")))
  end
end
"""
LUA = """local paths = {{
{paths}
}}
local cookies = {{
{cookies}
}}
function request()
  index = index + 1
  return wrk.format("GET", paths[index % #paths + 1], cookies[index % #cookies + 1])
end
"""
STATUS_LINE = re.compile(r"STATUS ok=(\d+) other=(\d+) first_other=(\S+)")
THREAD_LATENCY = re.compile(
    r"^\s*Latency\s+([\d.]+)(us|ms|s|m|h)\s+([\d.]+)(us|ms|s|m|h)\s+([\d.]+)(us|ms|s|m|h)", re.MULTILINE
)


def lua_script(paths: Sequence[str], session_keys: Sequence[str]) -> str:
    """A wrk script that rotates over ``paths`` and the sessions and counts answers by status."""
    return (LUA + LUA_COUNTS).format(
        paths="\n".join(f"  [==[{p}]==]," for p in paths),
        cookies="\n".join(f'  {{ ["Cookie"] = "{COOKIE}={key}" }},' for key in session_keys),
        ok="status == 200",
    )


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One workload: a name, a label, the script and how many paths it rotates over."""

    name: str
    label: str
    script: Path
    paths: int


@dataclass(frozen=True, slots=True)
class Result:
    """What one wrk run reports."""

    requests: int
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    ok: int
    other: int
    first_other: str
    socket_errors: int
    spread: str = "?"  # wrk's connections per server worker process, e.g. "3+1"


def parse(output: str) -> Result:
    """Requests/s, percentiles, the maximum and the status counts from ``wrk --latency`` output."""
    percentiles = {m.group(1): api.to_ms(m.group(2), m.group(3)) for m in api.LATENCY_LINE.finditer(output)}
    rps, total = api.RPS_LINE.search(output), api.TOTAL_LINE.search(output)
    status, latency = STATUS_LINE.search(output), THREAD_LATENCY.search(output)
    if rps is None or total is None or status is None or latency is None or len(percentiles) < 4:
        msg = f"could not read wrk's output:\n{output}"
        raise BenchError(msg)
    errors = api.SOCKET_ERRORS_LINE.search(output)
    return Result(
        requests=int(total.group(1)),
        rps=float(rps.group(1)),
        p50_ms=percentiles["50"],
        p90_ms=percentiles["90"],
        p99_ms=percentiles["99"],
        max_ms=api.to_ms(latency.group(5), latency.group(6)),
        ok=int(status.group(1)),
        other=int(status.group(2)),
        first_other=status.group(3),
        socket_errors=sum(int(g) for g in errors.groups()) if errors else 0,
    )


@dataclass(frozen=True, slots=True)
class Load:
    """How wrk loads the endpoints."""

    wrk: str
    connections: int
    seconds: float
    warmup: float
    rounds: int


def run_wrk(load: Load, port: int, endpoint: Endpoint, seconds: float, offset: int) -> Result:
    """One ``wrk --latency -t1`` run of ``endpoint``, starting ``offset`` paths into its list."""
    command = [
        load.wrk,
        "--latency",
        "-t1",
        f"-c{load.connections}",
        f"-d{seconds:g}s",
        "--timeout",
        "5s",
        "-s",
        str(endpoint.script),
        f"http://{HOST}:{port}/",
        "--",
        str(offset),
    ]
    process = subprocess.Popen(  # noqa: S603 - wrk with our own arguments, against 127.0.0.1 only
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        time.sleep(min(1.0, seconds / 4))
        spread = connection_spread(port)
        stdout, stderr = process.communicate(timeout=seconds + api.WRK_GRACE_S)
    except subprocess.TimeoutExpired as error:
        process.kill()
        process.communicate()
        msg = f"wrk did not finish within {seconds + api.WRK_GRACE_S:.0f} s"
        raise BenchError(msg) from error
    if process.returncode != 0:
        msg = f"wrk failed with status {process.returncode}:\n{stdout}{stderr}"
        raise BenchError(msg)
    return replace(parse(stdout), spread=spread)


def connection_spread(port: int) -> str:
    """How the established connections to ``port`` are spread over the server's processes ("3+1"), via ``ss``.

    Each granian worker accepts connections from the shared socket and serves one request at a time
    (``blocking_threads=1``); a keep-alive connection stays with the worker that accepted it.
    """
    try:
        done = subprocess.run(  # noqa: S603 - ss with our own arguments
            ["ss", "-tnpH", "state", "established", f"( sport = :{port} )"],  # noqa: S607 - iproute2's ss
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    owners = Counter(re.findall(r"pid=(\d+)", done.stdout))
    return "+".join(str(n) for n in sorted(owners.values(), reverse=True)) or "?"


class ClinicServer(api.Server):
    """``needlewise serve`` on the scratch PostgreSQL database, rate limit off, long idle time-out."""

    def __init__(self, workers: int, data_dir: Path, log: Path, url: str, threads: int) -> None:
        """Prepare (not start) the server."""
        super().__init__(workers, data_dir, log, rate_limit=False)
        self.env["NEEDLEWISE_THREADS"] = str(threads)
        self.env["DATABASE_URL"] = url
        self.env["NEEDLEWISE_SECRET_KEY"] = SECRET_KEY
        self.env["NEEDLEWISE_DATA_KEY"] = DATA_KEY
        self.env["NEEDLEWISE_IDLE_MINUTES"] = str(IDLE_MINUTES)


def check_over_http(port: int, session_key: str, paths: Sequence[str]) -> None:
    """The running server answers these paths 200 for the session (not a redirect to sign in)."""
    for path in paths:
        connection = http.client.HTTPConnection(HOST, port, timeout=10)
        try:
            connection.request("GET", path, headers={"Cookie": f"{COOKIE}={session_key}"})
            response = connection.getresponse()
            body = response.read()
        finally:
            connection.close()
        if response.status != 200:
            msg = f"GET {path} answered {response.status} over HTTP: {body[:300]!r}"
            raise BenchError(msg)


def measure(load: Load, port: int, endpoints: Sequence[Endpoint]) -> dict[str, list[Result]]:
    """Warm each endpoint up, then alternate measured rounds; each run starts at a new place in its paths."""
    offsets = dict.fromkeys((e.name for e in endpoints), 0)
    for endpoint in endpoints:
        if load.warmup > 0:
            result = run_wrk(load, port, endpoint, load.warmup, offsets[endpoint.name])
            offsets[endpoint.name] += result.requests + load.connections
    results: dict[str, list[Result]] = {e.name: [] for e in endpoints}
    for number in range(1, load.rounds + 1):
        for endpoint in endpoints:
            result = run_wrk(load, port, endpoint, load.seconds, offsets[endpoint.name])
            offsets[endpoint.name] += result.requests + load.connections
            results[endpoint.name].append(result)
            other = f", other {result.other} (first {result.first_other})" if result.other else ""
            print(
                f"  round {number} {endpoint.name}: {result.rps:,.0f} req/s, p50 {result.p50_ms:.2f} ms, "
                f"p90 {result.p90_ms:.2f} ms, p99 {result.p99_ms:.2f} ms, max {result.max_ms:.2f} ms, "
                f"{result.requests:,} requests, 200: {result.ok:,}{other}, socket errors {result.socket_errors}, "
                f"connections per worker {result.spread}",
                flush=True,
            )
    return results


# --------------------------------------------------------------------------------------------------
# Report


def busy_percent(seconds: float) -> float | None:
    """How busy the CPUs were over ``seconds`` (from /proc/stat), or None where that cannot be read."""

    def times() -> tuple[int, int] | None:
        try:
            values = [int(v) for v in Path("/proc/stat").read_text(encoding="ascii").split("\n", 1)[0].split()[1:]]
        except (OSError, ValueError):
            return None
        return sum(values), values[3] + values[4]

    before = times()
    time.sleep(seconds)
    after = times()
    if before is None or after is None or after[0] == before[0]:
        return None
    return 100.0 * (1 - (after[1] - before[1]) / (after[0] - before[0]))


def wait_until_idle(limit_s: float, threshold: float = 15.0) -> str:
    """Wait up to ``limit_s`` for the CPUs to be under ``threshold`` % busy (other work skews every figure)."""
    deadline = time.monotonic() + limit_s
    busy = busy_percent(2.0)
    while busy is not None and busy >= threshold and time.monotonic() < deadline:
        busy = busy_percent(5.0)
    if busy is None:
        return "unknown"
    return f"{busy:.0f} % busy" + ("" if busy < threshold else f" (still over {threshold:.0f} % after {limit_s:g} s)")


def commit_latency(url: str, count: int = 200) -> tuple[float, float]:
    """Median and p99 ms of a durable one-row commit here: the WAL flush each write of a page view waits for."""
    times = []
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_clinic_commit_probe")
        conn.execute("CREATE TABLE bench_clinic_commit_probe (x int)")
        for _ in range(count):
            began = time.perf_counter()
            conn.execute("INSERT INTO bench_clinic_commit_probe VALUES (1)")
            times.append((time.perf_counter() - began) * 1000)
        conn.execute("DROP TABLE bench_clinic_commit_probe")
    times.sort()
    return statistics.median(times), times[math.ceil(0.99 * len(times)) - 1]


def data_summary(clinic_id: int) -> list[str]:
    """Row counts and sizes of the tables the pages read."""
    from django.db import connection  # noqa: PLC0415

    lines = []
    with connection.cursor() as cur:
        for table in (
            "client",
            "client_search_token",
            "screening",
            "assessment_document",
            "clearance",
            "audit_entry",
            "django_session",
        ):
            cur.execute(
                f"SELECT count(*), pg_size_pretty(pg_total_relation_size('{table}')), "  # noqa: S608 - fixed names
                f"pg_size_pretty(pg_indexes_size('{table}')) FROM {table}"
            )
            count, total, indexes = cur.fetchone()
            lines.append(f"| {table} | {count:,} | {total} | {indexes} |")
        cur.execute("SELECT count(*) FROM client WHERE clinic_id = %s", [clinic_id])
        big_clients = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM screening WHERE clinic_id = %s", [clinic_id])
        big_screenings = cur.fetchone()[0]
        cur.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cur.fetchone()[0]
    return [
        "| Table | rows | size (with indexes) | of which indexes |",
        "|---|---:|---:|---:|",
        *lines,
        "",
        (
            f"- measured clinic (id {clinic_id}): {big_clients:,} clients, {big_screenings:,} screenings; "
            f"database size {size}"
        ),
    ]


def figures(results: dict[str, list[Result]], endpoints: Sequence[Endpoint]) -> tuple[list[str], dict[str, Result]]:
    """The figures table (means of the rounds) and the mean per endpoint."""
    mean: dict[str, Result] = {}
    for name, rounds in results.items():
        mean[name] = Result(
            requests=sum(r.requests for r in rounds),
            rps=statistics.fmean(r.rps for r in rounds),
            p50_ms=statistics.fmean(r.p50_ms for r in rounds),
            p90_ms=statistics.fmean(r.p90_ms for r in rounds),
            p99_ms=statistics.fmean(r.p99_ms for r in rounds),
            max_ms=max(r.max_ms for r in rounds),
            ok=sum(r.ok for r in rounds),
            other=sum(r.other for r in rounds),
            first_other=next((r.first_other for r in rounds if r.other), "-"),
            socket_errors=sum(r.socket_errors for r in rounds),
            spread=", ".join(r.spread for r in rounds),
        )
    health = mean["health"].rps
    lines = [
        (
            "| Workload | paths rotated | req/s | p50 ms | p90 ms | p99 ms | max ms | req/s vs trivial | "
            "p99 ms of each round | connections per worker, each round |"
        ),
        "|---|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for endpoint in endpoints:
        m = mean[endpoint.name]
        lines.append(
            f"| {endpoint.label} | {endpoint.paths:,} | {m.rps:,.0f} | {m.p50_ms:.2f} | {m.p90_ms:.2f} | "
            f"{m.p99_ms:.2f} | {m.max_ms:.2f} | {m.rps / health:.3f} | "
            f"{', '.join(f'{r.p99_ms:.1f}' for r in results[endpoint.name])} | {m.spread} |"
        )
    return lines, mean


def verdict(passed: bool) -> str:
    """PASS or FAIL."""
    return "PASS" if passed else "FAIL"


def print_plan(title: str, statement: str) -> None:
    """A statement and its plan."""
    print(f"\n### {title}\n\n```sql\n{statement}\n```\n\n```text")
    print("\n".join(explain(statement)))
    print("```")


def analyse(user_id: int, clinic_id: int, session_key: str, client_id: int, sample: Sequence[Search]) -> None:
    """SQL-level times of the workload's searches, and the plans of the heaviest ones and of the client page."""
    timed = timed_searches(user_id, clinic_id, sample)
    print(f"\n## Search queries at the SQL level ({len(sample):,} of the workload's searches, each run once)\n")
    print("| Kind | searches | median ms | p99 ms | max ms | rows shown (median) |")
    print("|---|---:|---:|---:|---:|---:|")
    for kind in SEARCH_KINDS:
        rows = [t for t in timed if t[1].kind == kind]
        if rows:
            ms = sorted(t[0] for t in rows)
            p99 = ms[min(len(ms) - 1, math.ceil(0.99 * len(ms)) - 1)]
            shown = statistics.median(t[3] for t in rows)
            print(f"| {kind} | {len(rows):,} | {statistics.median(ms):.2f} | {p99:.2f} | {ms[-1]:.2f} | {shown:g} |")
    heaviest = max((t for t in timed if t[1].params), key=lambda t: t[0])
    print_plan(
        f"Heaviest search of the sample: {heaviest[1].kind} {heaviest[1].params} ({heaviest[0]:.2f} ms, "
        f"{heaviest[3]} rows shown)",
        heaviest[2],
    )
    print_plan(
        "Empty search (workspace home and the client list's 'recently added')", empty_search_sql(user_id, clinic_id)
    )
    _, _, queries = page_queries(session_key, f"{SEARCH}{client_id}/")
    selects = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("SELECT")]
    print(f"\n## Client page queries (client {client_id}, the most screenings): {len(queries)} statements\n")
    for q in queries:
        statement = q["sql"]
        short = statement if len(statement) <= 160 else statement[:157] + "..."
        print(f"- {float(q['time']) * 1000:.2f} ms: `{short}`")
    for number, statement in enumerate(selects, start=1):
        print_plan(f"Client page SELECT {number} of {len(selects)}", statement)


# --------------------------------------------------------------------------------------------------
# Main


def setup_django(
    url: str,
    data_dir: Path,
    *,
    secret_key: str = SECRET_KEY,
    data_key: str = DATA_KEY,
    idle_minutes: int | None = IDLE_MINUTES,
) -> None:
    """Django in this process, on the scratch database, with the server's keys and the limits off."""
    os.environ["DATABASE_URL"] = url
    os.environ["NEEDLEWISE_DATA_DIR"] = str(data_dir)
    os.environ["NEEDLEWISE_SECRET_KEY"] = secret_key
    os.environ["NEEDLEWISE_DATA_KEY"] = data_key
    if idle_minutes is not None:
        os.environ["NEEDLEWISE_IDLE_MINUTES"] = str(idle_minutes)
    os.environ["NEEDLEWISE_RATE_LIMIT"] = "0"
    os.environ["NEEDLEWISE_PUBLIC_LIMITS"] = "0"
    os.environ.pop("NEEDLEWISE_HTTPS", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "needlewise.web.settings"
    import django  # noqa: PLC0415

    django.setup()


def add_run_options(parser: argparse.ArgumentParser) -> None:
    """The options every database benchmark takes: the data's life, the server and the wrk rounds."""
    parser.add_argument("--regenerate", action="store_true", help="rebuild the data even if it is there")
    parser.add_argument("--generate-only", action="store_true", help="make sure the data is there, then stop")
    parser.add_argument("--drop", action="store_true", help="drop the scratch database and stop")
    from needlewise.cli.serve import default_workers  # noqa: PLC0415 - needlewise is imported once the path is set

    parser.add_argument(
        "--workers", type=int, default=default_workers(), help="server workers (default: needlewise serve's, 2 per CPU)"
    )
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per worker, NEEDLEWISE_THREADS (default 1, as needlewise serve)"
    )
    parser.add_argument("--connections", type=int, default=4, help="wrk connections (default 4)")
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per measured round (default 15)")
    parser.add_argument("--rounds", type=int, default=3, help="measured rounds per workload (default 3)")
    parser.add_argument("--warmup", type=float, default=3.0, help="warm-up seconds per workload (default 3)")


def check_run_options(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Refuse (as usage errors) the options of :func:`add_run_options` out of range, and a system database."""
    if not (1 <= args.workers <= 64 and 1 <= args.connections <= 1_000 and 1 <= args.rounds <= 20):
        parser.error("--workers 1..64, --connections 1..1000, --rounds 1..20")
    if not (1 <= args.duration <= 300 and 0 <= args.warmup <= 60):
        parser.error("--duration 1..300 s, --warmup 0..60 s")
    check_database_name(parser, args.database)


def print_header(title: str, script: str, argv: Sequence[str] | None) -> None:
    """The report's title and where it ran: date, command, machine, Python."""
    print(f"# needlewise {title} benchmark (PostgreSQL)\n")
    print(f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    given = " ".join(sys.argv[1:] if argv is None else argv)
    print(f"- command: uv run python bench/{script} {given}".rstrip())
    print(f"- machine: {platform.platform()}; {api.cpu_model()}; {api.cpu_count()} CPUs available")
    print(f"- python: {platform.python_implementation()} {platform.python_version()}")


def print_figures(
    results: dict[str, list[Result]], endpoints: Sequence[Endpoint], connections: int, rounds: int, answers: str
) -> tuple[dict[str, Result], bool]:
    """Print the figures of the timed rounds; their means, and whether every answer was ``answers`` (2xx, 200)."""
    lines, mean = figures(results, endpoints)
    print(f"\n- load average after the timed rounds: {api.load_average()}")
    print(f"\n## Figures ({connections} connections, mean of {rounds} round(s))\n")
    print("\n".join(lines))
    clean = all(r.other == 0 and r.socket_errors == 0 for each in results.values() for r in each)
    if not clean:
        print(f"- some answers were not {answers} or some sockets failed while timing: FAIL (see the rounds)")
    return mean, clean


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--server-url", default=DEFAULT_SERVER_URL, help=f"PostgreSQL server ({DEFAULT_SERVER_URL})")
    parser.add_argument("--database", default=DEFAULT_DATABASE, help=f"scratch database name ({DEFAULT_DATABASE})")
    parser.add_argument("--clients", type=int, default=100_000, help="clients (default 100,000)")
    parser.add_argument("--screenings", type=int, default=1_000_000, help="screenings (default 1,000,000)")
    parser.add_argument("--profiles", type=int, default=3_000, help="distinct profiles assessed (default 3,000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    add_run_options(parser)
    parser.add_argument("--paths", type=int, default=5_000, help="search paths rotated (default 5,000)")
    parser.add_argument("--client-paths", type=int, default=20_000, help="client pages rotated (default 20,000)")
    parser.add_argument(
        "--workloads",
        default="search,client,health",
        help="which workloads to time, comma-separated from search, client, health (default: all three)",
    )
    parser.add_argument("--wait-idle", type=float, default=0.0, help="wait up to S s for idle CPUs first (default 0)")
    parser.add_argument(
        "--explain-sample", type=int, default=1_000, help="searches timed in-process, 0: none (default 1,000)"
    )
    args = parser.parse_args(argv)
    if not (1_000 <= args.clients <= 10_000_000 and 0 <= args.screenings <= 100_000_000 and args.profiles >= 10):
        parser.error("--clients 1,000..10,000,000, --screenings 0..100,000,000, --profiles at least 10")
    if not {name.strip() for name in args.workloads.split(",")} <= {"search", "client", "health"}:
        parser.error("--workloads: a comma-separated list of search, client, health")
    check_run_options(parser, args)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Generate (or reuse) the data, run the benchmark and print its report; exit 1 when a check fails."""
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _raise_on_sigterm)  # so that the server is stopped on `kill` too
    if args.drop:
        drop_database(args.server_url, args.database)
        print(f"dropped database {args.database}")
        return 0
    try:
        wrk = None if args.generate_only else api.wrk_path()
        with psycopg.connect(database_url(args.server_url, "postgres"), connect_timeout=5):
            pass
    except (api.BenchError, psycopg.OperationalError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    url = database_url(args.server_url, args.database)
    sizes = Sizes(args.clients, args.screenings, args.profiles, args.seed)
    with tempfile.TemporaryDirectory(prefix="needlewise-bench-clinic-") as folder_name:
        folder = Path(folder_name)
        setup_django(url, folder / "data-local")
        print_header("clinic workspace", "clinic.py", argv)
        try:
            meta = ensure_data(args.server_url, args.database, sizes, regenerate=args.regenerate)
        except psycopg.Error as error:
            print(f"error: generating the data failed: {error}", file=sys.stderr)
            return 1
        if args.generate_only or wrk is None:
            return 0
        return run(args, wrk, url, folder, meta)


def run(args: argparse.Namespace, wrk: str, url: str, folder: Path, meta: dict[str, Any]) -> int:  # noqa: PLR0915
    """Everything after the data is there."""
    from django.db import connection  # noqa: PLC0415

    with connection.cursor() as cur:
        cur.execute("SELECT version()")
        pg_version = cur.fetchone()[0].split(" on ")[0]
        cur.execute("SHOW shared_buffers")
        shared_buffers = cur.fetchone()[0]
    print(
        f"- needlewise {version('needlewise')}, granian {version('granian')} (WSGI), "
        f"django {version('django')}, psycopg {version('psycopg')}, {pg_version} (shared_buffers {shared_buffers}) "
        f"on the same machine, {api.wrk_version(wrk)}"
    )
    steps = "; ".join(f"{name} {seconds} s" for name, seconds in meta.get("steps", []))
    print(f"- generation: {meta['seconds']} s on {meta['generated_at']} ({steps})")
    print(
        f"- profile pool: {meta['profiles']:,} profiles, {meta['documents']:,} distinct documents; "
        f"tiers {meta['pool_tiers']}"
    )
    commit_p50, commit_p99 = commit_latency(url)
    print(
        f"- a durable one-row commit on this PostgreSQL (WAL fsync): median {commit_p50:.2f} ms, "
        f"p99 {commit_p99:.2f} ms; "
        "a clinic page view commits twice (its audit row, holding the chain's head-row lock until the commit, "
        "then the session)"
    )
    big = load_big_clinic()
    print("\n## Data\n")
    print("\n".join(data_summary(big.clinic_id)))
    rng = random.Random(args.seed + 2)
    workload = searches(rng, big, args.paths)
    kinds = Counter(s.kind for s in workload)
    ids = [row[0] for row in big.clients]
    client_ids = rng.sample(ids, min(args.client_paths, len(ids)))
    keys = create_sessions(big.nurse_id, SESSIONS)
    ok = True
    try:
        print("\n## Checks (in-process, Django test client)\n")
        print("\n".join(check_pages(keys[0], big, rng)))
        print(check_documents())
        print(check_search_tokens())
        lua = folder / "lua"
        lua.mkdir()
        endpoints = []
        chosen = {name.strip() for name in args.workloads.split(",")}
        for name, label, paths in (
            ("search", f"GET {SEARCH}?q=... (client search)", [s.path for s in workload]),
            ("client", f"GET {SEARCH}<id>/ (client page)", [f"{SEARCH}{i}/" for i in client_ids]),
            ("health", f"GET {HEALTH} (trivial)", [HEALTH]),
        ):
            if name not in chosen:
                continue
            script = lua / f"{name}.lua"
            script.write_text(lua_script(paths, keys), encoding="utf-8")
            endpoints.append(Endpoint(name, label, script, len(paths)))
        print(
            f"\n- search mix ({len(workload):,} paths): "
            + ", ".join(f"{kind} {kinds[kind]:,}" for kind in SEARCH_KINDS)
            + f"; e.g. {', '.join(s.path for s in workload[:6])}"
        )
        print(f"- client pages: {len(client_ids):,} random active clients of the measured clinic")
        print(
            f"- sessions: {SESSIONS} verified sessions of the clinic's nurse (user {big.nurse_id}), rotated per request"
        )
        print(f"- CPU busy before the run: {api.cpu_busy()}; load average (1/5/15 min): {api.load_average()}")
        print(
            f"- server: needlewise serve --host {HOST} --workers {args.workers} --threads {args.threads} "
            "(production settings, no debug, "
            f"rate limit off, NEEDLEWISE_IDLE_MINUTES={IDLE_MINUTES}, DATABASE_URL={url})"
        )
        print(
            f"- load: wrk --latency -t1 -c{args.connections} -d{args.duration:g}s, warm-up {args.warmup:g} s per "
            f"workload, rounds: {args.rounds}, alternating workloads; wrk and PostgreSQL share the CPUs with the server"
        )
        if args.wait_idle > 0:
            print(f"- waited for idle CPUs (up to {args.wait_idle:g} s): {wait_until_idle(args.wait_idle)}")
        print("\n## Rounds\n")
        load = Load(wrk, args.connections, args.duration, args.warmup, args.rounds)
        with ClinicServer(args.workers, folder / "data", folder / "server.log", url, args.threads) as server:
            check_over_http(
                server.port, keys[0], [*(s.path for s in workload[:20]), *(f"{SEARCH}{i}/" for i in client_ids[:20])]
            )
            results = measure(load, server.port, endpoints)
        mean, clean = print_figures(results, endpoints, args.connections, args.rounds, "200")
        ok = ok and clean
        print(f"\n## Targets (p99 at most {TARGET_P99_MS:.0f} ms, {args.connections} connections)\n")
        for name in ("search", "client"):
            if name not in mean:
                continue
            m = mean[name]
            label = next(e.label for e in endpoints if e.name == name)
            print(f"- {label}: p99 {m.p99_ms:.2f} ms - {verdict(m.p99_ms <= TARGET_P99_MS)}")
        if args.explain_sample > 0:
            with connection.cursor() as cur:
                cur.execute(
                    "SELECT client_id FROM screening WHERE clinic_id = %s GROUP BY client_id "
                    "ORDER BY count(*) DESC, client_id LIMIT 1",
                    [big.clinic_id],
                )
                heavy_client = cur.fetchone()[0]
            sample = random.Random(args.seed + 3).sample(workload, min(args.explain_sample, len(workload)))
            analyse(big.nurse_id, big.clinic_id, keys[0], heavy_client, sample)
    except BenchError as error:
        print(f"\nerror: {error}", file=sys.stderr)
        ok = False
    finally:
        delete_sessions(keys)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
