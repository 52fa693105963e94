"""The client search index: its tokens, kept in step with the client, and searches equal to a plain scan."""

from __future__ import annotations

import importlib
import random
from datetime import date

import pytest
from django.apps import apps

from clinic.support import details
from needlewise.clinic.clients import clients, search_index
from needlewise.clinic.clients.client_form import phone_digits
from needlewise.clinic.clients.clients import SearchQuery, name_words
from needlewise.domain.permissions import Role
from needlewise.storage.models import Client, ClientSearchToken

pytestmark = pytest.mark.django_db


def stored_tokens(client: Client) -> set[str]:
    return set(ClientSearchToken.objects.filter(client_id=client.pk).values_list("token", flat=True))


def test_tokens_are_the_name_words_and_the_phone_digit_suffixes():
    assert search_index.tokens(" ana maria ana ", "1234") == {"n:ana", "n:maria", "p:1234", "p:234", "p:34", "p:4"}
    assert search_index.tokens("", "") == set()
    low, high = search_index.part_range(search_index.NAME, "ana")
    assert low <= "n:ana" < high
    assert low <= "n:anabel" < high
    assert not low <= "n:an" < high
    assert not low <= "n:b" < high


def test_creating_and_editing_a_client_keeps_its_tokens_in_step(site_a):
    desk = site_a.actor(Role.FRONT_DESK)
    client = clients.create(desk, details(given_name="Ana-Lía", family_name="Pérez", phone="+34 915 01"))
    suffixes = {"p:3491501", "p:491501", "p:91501", "p:1501", "p:501", "p:01", "p:1"}
    assert stored_tokens(client) == {"n:ana", "n:lia", "n:perez", *suffixes}
    assert set(ClientSearchToken.objects.filter(client_id=client.pk).values_list("clinic_id", flat=True)) == {
        site_a.clinic.pk
    }
    assert str(ClientSearchToken.objects.filter(client_id=client.pk).first()) == f"search token of client {client.pk}"
    clients.update(desk, client.pk, details(given_name="Lucía", family_name="Pérez", phone=""))
    assert stored_tokens(client) == {"n:lucia", "n:perez"}  # the old name's and the phone's tokens are gone
    assert clients.search(desk, SearchQuery(text="ana")) == []
    assert clients.search(desk, SearchQuery(phone="915")) == []
    assert [c.pk for c in clients.search(desk, SearchQuery(text="luc per"))] == [client.pk]


def test_archiving_keeps_the_tokens(site_a):
    provider = site_a.actor(Role.PROVIDER)
    before = stored_tokens(site_a.client)
    clients.set_archived(provider, site_a.client.pk, archived=True)
    assert stored_tokens(site_a.client) == before
    assert clients.search(provider, SearchQuery(text="zeph")) == []
    assert [c.pk for c in clients.search(provider, SearchQuery(text="zeph", include_archived=True))] == [
        site_a.client.pk
    ]


@pytest.mark.parametrize(
    ("given", "family", "typed"),
    [
        ("Straße", "Weiß", "strasse weiss"),  # case-folding lengthens ß
        ("Ærø", "Łódź", "aero lodz"),
        ("İpek", "Çelik", "ipek celik"),
        ("\uff26\uff55\uff4c\uff4c", "\uff37\uff49\uff44\uff54\uff48", "full width"),  # NFKD: full-width forms
        ("\U0002000b\U0002000b", "Zhang", "\U0002000b"),  # beyond the BMP: the range's end is above every letter
        ("Nguyễn", "Thị Hương", "NGUYEN huong"),
    ],
)
def test_unicode_names_are_found_as_typed_folded(site_a, given, family, typed):
    desk = site_a.actor(Role.FRONT_DESK)
    client = clients.create(desk, details(given_name=given, family_name=family, phone=""))
    assert [c.pk for c in clients.search(desk, SearchQuery(text=typed))] == [client.pk]


def test_a_client_matching_a_part_by_several_tokens_is_shown_once(site_a):
    desk = site_a.actor(Role.FRONT_DESK)
    client = clients.create(desk, details(given_name="Ana Anabel", family_name="Anaya", phone="555 0555"))
    assert [c.pk for c in clients.search(desk, SearchQuery(text="ana"))] == [client.pk]
    assert [c.pk for c in clients.search(desk, SearchQuery(text="an an", phone="55"))] == [client.pk]
    assert [c.pk for c in clients.search(desk, SearchQuery(phone="555"))] == [client.pk, site_a.client.pk]


def test_other_clinics_tokens_are_never_read(site_a, site_b):
    clients.create(
        site_b.actor(Role.FRONT_DESK), details(given_name="Zephyrine", family_name="Other", phone="555 0102")
    )
    assert [c.pk for c in clients.search(site_a.actor(Role.FRONT_DESK), SearchQuery(text="zeph"))] == [site_a.client.pk]


def test_the_migration_fills_the_index_of_clients_already_on_file(site_a):
    desk = site_a.actor(Role.FRONT_DESK)
    clients.create(desk, details(given_name="Old", family_name="Timer", phone="12 34 56"))
    expected = {(c.pk, token) for c in Client.objects.all() for token in stored_tokens(c)}
    ClientSearchToken.objects.all().delete()
    migration = importlib.import_module("needlewise.storage.migrations.0018_client_search_token")
    migration.fill(apps, None)
    assert set(ClientSearchToken.objects.values_list("client_id", "token")) == expected
    assert migration.tokens(" old timer ", "1234") == search_index.tokens(" old timer ", "1234")


GIVEN = ["Ana", "Ana María", "Anabel", "José", "Josefina", "Łukasz", "Mary-Kate", "Zoë", "Ángel", "Jo"]
FAMILY = ["García", "García Márquez", "Garcés", "Smith", "Smithson", "O'Brien", "Núñez", "Nuñes", "Wałęsa", "Ng"]
WORDS = ["a", "an", "ana", "anab", "jo", "jos", "jose", "gar", "garc", "smith", "o", "n", "nu", "z", "l", "mar", "x"]
DIGITS = ["5", "55", "555", "0", "01", "12", "2030", "9", "34", "1"]


def scanned(rows: list[Client], query: SearchQuery) -> list[int]:
    """The search as a plain scan of every client: what the index must give."""
    words, digits = name_words(query.text)[:4], phone_digits(query.phone)
    hits = [
        c
        for c in rows
        if (query.include_archived or c.archived_at is None)
        and all(f" {w}" in c.name_words for w in words)
        and digits in c.phone_digits
        and query.birth_date in (None, c.birth_date)
    ]
    hits.sort(key=lambda c: (c.family_key, c.given_key, c.pk))
    return [c.pk for c in hits[: clients.SEARCH_LIMIT]]


def test_indexed_searches_equal_a_scan_of_every_client(site_a):
    """Run on SQLite and on PostgreSQL (``DATABASE_URL``): both must give the scan's results, in order."""
    rng = random.Random(11)  # noqa: S311 - test data, not a secret
    desk, provider = site_a.actor(Role.FRONT_DESK), site_a.actor(Role.PROVIDER)
    for _ in range(70):
        phone = rng.choice(["", f"+1 555 {rng.randrange(10**6):06d}", f"0{rng.randrange(10**8):08d}"])
        made = clients.create(
            desk,
            details(
                given_name=rng.choice(GIVEN),
                family_name=rng.choice(FAMILY),
                birth_date=date(1980 + rng.randrange(3), 1, 1),
                phone=phone,
            ),
        )
        if rng.random() < 0.1:
            clients.set_archived(provider, made.pk, archived=True)
    rows = list(Client.objects.filter(clinic_id=site_a.clinic.pk))
    checked = 0
    for _ in range(300):
        query = SearchQuery(
            text=" ".join(rng.sample(WORDS, rng.choice([0, 1, 1, 2, 3]))),
            phone=rng.choice(["", "", *DIGITS]),
            birth_date=rng.choice([None, None, date(1981, 1, 1)]),
            include_archived=rng.random() < 0.3,
        )
        if query.empty:
            continue
        assert [c.pk for c in clients.search(desk, query)] == scanned(rows, query), query
        checked += 1
    assert checked > 200


@pytest.mark.parametrize(
    "query",
    [SearchQuery(text="quixotelle"), SearchQuery(), SearchQuery(text="quixotelle", birth_date=date(1990, 5, 17))],
    ids=["by the index", "recently added", "with a birth date"],
)
def test_a_search_reads_what_a_list_shows_never_the_notes(site_a, django_assert_num_queries, query):
    nurse = site_a.actor(Role.NURSE)
    Client.objects.filter(pk=site_a.client.pk).update(birth_date=date(1990, 5, 17))
    found = clients.search(nurse, query)
    assert [c.pk for c in found] == [site_a.client.pk]
    shown = found[0]
    with django_assert_num_queries(0):  # what the page's table and the API show was read with the row
        assert (shown.given_name, shown.family_name, shown.birth_date, shown.language) == (
            "Zephyrine",
            "Quixotelle",
            date(1990, 5, 17),
            "en",
        )
        assert (shown.archived_at, shown.clinic_id) == (None, site_a.clinic.pk)
        assert None not in (shown.phone, shown.email, shown.created_at)
    assert {"clinical_notes", "contact_notes", "name_words", "phone_digits"} <= shown.get_deferred_fields()
