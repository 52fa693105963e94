"""Clients: validation, search, editing, archiving."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from clinic.support import details
from needlewise.clinic.clients import clients
from needlewise.clinic.clients.client_form import ClientDetails, checked, phone_digits
from needlewise.clinic.clients.clients import SearchQuery, name_key
from needlewise.domain.permissions import Role
from needlewise.errors import ConflictError, InvalidInputError, LikelyDuplicateError, NotAllowedError
from needlewise.storage.models import AuditEntry, Client

pytestmark = pytest.mark.django_db

TODAY = date(2031, 6, 15)


def problems(**changes) -> list[tuple[str, str]]:
    with pytest.raises(InvalidInputError) as invalid:
        checked(details(**changes), TODAY)
    return [(p.where, p.message) for p in invalid.value.problems]


# --- validation (no database) ---


def test_checked_trims_everything():
    result = checked(
        ClientDetails(
            "  Ada ", " Lovelace ", date(1990, 1, 1), " 555 0101 ", " a@example.org ", "  call  ", " keloid "
        ),
        TODAY,
    )
    assert result == ClientDetails("Ada", "Lovelace", date(1990, 1, 1), "555 0101", "a@example.org", "call", "keloid")


def test_checked_allows_empty_optional_fields():
    assert checked(details(phone="", email="", contact_notes=""), TODAY).phone == ""


@pytest.mark.parametrize("field", ["given_name", "family_name"])
def test_names_are_required_and_limited(field):
    assert problems(**{field: "   "}) == [(field, "this field is required")]
    assert problems(**{field: "x" * 101}) == [(field, "at most 100 characters")]
    assert checked(details(**{field: "x" * 100}), TODAY)


@pytest.mark.parametrize(
    ("birth_date", "message"),
    [
        (None, "enter the date of birth as YYYY-MM-DD"),
        (TODAY + timedelta(days=1), "the date of birth must be between 1900-01-01 and today"),
        (date(1899, 12, 31), "the date of birth must be between 1900-01-01 and today"),
    ],
)
def test_birth_date(birth_date, message):
    assert problems(birth_date=birth_date) == [("birth_date", message)]


@pytest.mark.parametrize("birth_date", [date(1900, 1, 1), TODAY])
def test_birth_date_limits_are_inclusive(birth_date):
    assert checked(details(birth_date=birth_date), TODAY).birth_date == birth_date


PHONE_MESSAGE = "enter a phone number: digits, spaces, + ( ) - . only"


@pytest.mark.parametrize("phone", ["555-0101 ext 4", "555#0101", "12345", "1" * 21, "+1 (555) 01a0"])
def test_bad_phone_numbers(phone):
    assert problems(phone=phone) == [("phone", PHONE_MESSAGE)]


@pytest.mark.parametrize("phone", ["123456", "+44 (0)20 7946.0958", "1" * 20, "555-0101"])
def test_good_phone_numbers(phone):
    assert checked(details(phone=phone), TODAY).phone == phone


@pytest.mark.parametrize("email", ["ada", "ada@example", "ada @example.org", "@example.org"])
def test_bad_email(email):
    assert problems(email=email) == [("email", "enter an e-mail address like name@example.org")]


def test_notes_limit():
    assert problems(contact_notes="x" * 5001) == [("contact_notes", "at most 5000 characters")]
    assert problems(clinical_notes="x" * 5001) == [("clinical_notes", "at most 5000 characters")]
    assert len(checked(details(contact_notes="x" * 5000), TODAY).contact_notes) == 5000
    assert checked(details(clinical_notes=None), TODAY).clinical_notes is None  # a form without them


def test_notes_refuse_invisible_characters_where_they_are():
    message = "remove the invisible or control character U+202E (character %s)"
    assert problems(contact_notes="  ok\u202e") == [("contact_notes", message % 5)]  # counted as typed
    assert problems(clinical_notes="  ok\u202e") == [("clinical_notes", message % 3)]  # counted once trimmed
    assert checked(details(clinical_notes=" line\n\tnext "), TODAY).clinical_notes == "line\n\tnext"


def test_every_problem_is_listed_at_once():
    assert [
        w
        for w, _ in problems(
            given_name="", family_name="", birth_date=None, phone="x", email="y", contact_notes="z" * 5001
        )
    ] == [
        "given_name",
        "family_name",
        "birth_date",
        "phone",
        "email",
        "contact_notes",
    ]


def test_keys():
    assert name_key("  José   María ") == "jose maria"
    assert name_key("ÆSIR Ångström") == "aesir angstrom"
    assert name_key("Łukasz Øyvind Đorđe Œuvre Þór") == "lukasz oyvind dorde oeuvre thor"  # NFKD leaves these whole
    assert name_key("Straße") == "strasse"
    assert name_key("zeph\x00quix\x07") == "zeph quix"  # control characters separate words (NUL: PostgreSQL)
    assert phone_digits("+1 (555) 010-2030") == "15550102030"


# --- the use cases ---


def test_create_stores_the_details_and_the_search_keys(site_a):
    desk = site_a.actor(Role.FRONT_DESK)
    client = clients.create(desk, details(given_name=" José ", family_name="Núñez", phone="+1 (555) 777-1234"))
    stored = Client.objects.get(pk=client.pk)
    assert (stored.given_name, stored.family_name, stored.given_key, stored.family_key) == (
        "José",
        "Núñez",
        "jose",
        "nunez",
    )
    assert (stored.phone, stored.phone_digits) == ("+1 (555) 777-1234", "15557771234")
    assert (stored.clinic_id, stored.created_by_id, stored.archived_at) == (site_a.clinic.pk, desk.user_id, None)
    assert str(stored) == f"client {stored.pk}"


def test_create_refuses_invalid_details_and_stores_nothing(site_a):
    count = Client.objects.count()
    with pytest.raises(InvalidInputError):
        clients.create(site_a.actor(Role.NURSE), details(given_name=""))
    assert Client.objects.count() == count


def test_get_returns_the_client(site_a):
    assert clients.get(site_a.actor(Role.AESTHETICIAN), site_a.client.pk) == site_a.client


def test_update_changes_details_and_keys(site_a):
    client = clients.update(
        site_a.actor(Role.NURSE), site_a.client.pk, details(given_name="Zoë", family_name="Ångström", phone="")
    )
    stored = Client.objects.get(pk=client.pk)
    assert (stored.given_key, stored.family_key, stored.phone_digits) == ("zoe", "angstrom", "")
    with pytest.raises(InvalidInputError):
        clients.update(site_a.actor(Role.NURSE), site_a.client.pk, details(email="nope"))
    assert Client.objects.get(pk=client.pk).email == "ada@example.org"


def test_archive_blocks_editing_until_restored(site_a):
    provider, desk = site_a.actor(Role.PROVIDER), site_a.actor(Role.FRONT_DESK)
    with time_machine.travel(datetime(2031, 2, 3, 4, 5, tzinfo=UTC), tick=False):
        archived = clients.set_archived(provider, site_a.client.pk, archived=True)
    assert archived.archived_at == datetime(2031, 2, 3, 4, 5, tzinfo=UTC)
    with pytest.raises(ConflictError, match="archived; restore them before editing"):
        clients.update(desk, site_a.client.pk, details(given_name="Changed"))
    assert Client.objects.get(pk=site_a.client.pk).given_name == "Zephyrine"
    assert clients.get(desk, site_a.client.pk).archived_at is not None  # still readable
    assert clients.set_archived(provider, site_a.client.pk, archived=False).archived_at is None
    assert clients.update(desk, site_a.client.pk, details(given_name="Changed")).given_name == "Changed"


# --- search ---


@pytest.fixture
def people(site_a):
    desk = site_a.actor(Role.FRONT_DESK)
    rows = [
        ("José", "García Márquez", date(1970, 3, 4), "+34 (91) 555-0001"),
        ("Josefina", "Ortega", date(1985, 7, 8), "91 555 0002"),
        ("María José", "Ruiz", date(1970, 3, 4), "+1 212 555 0003"),
        ("Ana", "Josephs", date(1999, 9, 9), ""),
        ("Bob", "Smith", date(1960, 1, 2), "0044 20 7946 0958"),
    ]
    made = {
        given: clients.create(desk, details(given_name=given, family_name=family, birth_date=born, phone=phone))
        for given, family, born, phone in rows
    }
    return desk, made


def names(found: list[Client]) -> list[str]:
    return [c.given_name for c in found]


def test_search_by_name_prefix_ignores_case_and_accents(people):
    desk, _ = people
    # Ordered by family name, then given name.
    assert names(clients.search(desk, SearchQuery(text="jose"))) == ["José", "Ana", "Josefina", "María José"]
    assert names(clients.search(desk, SearchQuery(text="JOSÉ"))) == ["José", "Ana", "Josefina", "María José"]
    assert names(clients.search(desk, SearchQuery(text="garc"))) == ["José"]
    assert names(clients.search(desk, SearchQuery(text="marquez"))) == ["José"]  # any word of either name
    assert names(clients.search(desk, SearchQuery(text="arquez"))) == []  # a word must start a word of a name
    assert names(clients.search(desk, SearchQuery(text="maria"))) == ["María José"]


def test_search_words_in_any_order(people):
    desk, _ = people
    assert names(clients.search(desk, SearchQuery(text="garcia jose"))) == ["José"]
    assert names(clients.search(desk, SearchQuery(text="  Jose   Garcia "))) == ["José"]
    assert names(clients.search(desk, SearchQuery(text="jose smith"))) == []
    assert names(clients.search(desk, SearchQuery(text="jose garcia jose garcia nobody"))) == ["José"]  # 4 words count


def test_search_ignores_sql_wildcards(people):
    desk, _ = people
    assert clients.search(desk, SearchQuery(text="%")) == []
    assert clients.search(desk, SearchQuery(text="_rtega")) == []  # "_" separates words; never a wildcard
    assert clients.search(desk, SearchQuery(text="%ose")) == []


def test_search_by_birth_date_and_phone(people):
    desk, _ = people
    assert names(clients.search(desk, SearchQuery(birth_date=date(1970, 3, 4)))) == ["José", "María José"]
    assert names(clients.search(desk, SearchQuery(text="ruiz", birth_date=date(1970, 3, 4)))) == ["María José"]
    assert names(clients.search(desk, SearchQuery(phone="+34 91 555"))) == ["José"]
    assert names(clients.search(desk, SearchQuery(phone="(915) 55-0"))) == ["José", "Josefina"]
    assert names(clients.search(desk, SearchQuery(phone="555"))) == ["José", "Josefina", "Zephyrine", "María José"]
    assert names(clients.search(desk, SearchQuery(phone="0958"))) == ["Bob"]
    assert names(clients.search(desk, SearchQuery(phone="5551"))) == []
    assert names(clients.search(desk, SearchQuery(phone="0044-20"))) == ["Bob"]


def test_phone_without_digits_is_an_empty_query(people):
    desk, _ = people
    assert SearchQuery(phone=" - ").empty
    assert not SearchQuery(birth_date=date(1970, 3, 4)).empty
    assert len(clients.search(desk, SearchQuery(phone=" - "))) == 6


def test_archived_clients_are_hidden_unless_asked_for(site_a, people):
    desk, made = people
    clients.set_archived(site_a.actor(Role.OWNER), made["José"].pk, archived=True)
    assert names(clients.search(desk, SearchQuery(text="jose"))) == ["Ana", "Josefina", "María José"]
    everyone = ["José", "Ana", "Josefina", "María José"]
    assert names(clients.search(desk, SearchQuery(text="jose", include_archived=True))) == everyone
    assert "José" not in names(clients.search(desk, SearchQuery()))
    assert "José" in names(clients.search(desk, SearchQuery(include_archived=True)))


def test_an_empty_query_lists_the_newest_first_at_most_50(site_a):
    desk = site_a.actor(Role.FRONT_DESK)
    start = datetime(2031, 1, 1, 9, tzinfo=UTC)
    for n in range(54):
        with time_machine.travel(start + timedelta(minutes=n), tick=False):
            clients.create(desk, details(given_name=f"Person{n:02}", family_name="Same"))
    found = clients.search(desk, SearchQuery())
    assert len(found) == clients.SEARCH_LIMIT == 50
    assert names(found) == [f"Person{n:02}" for n in range(53, 3, -1)]
    by_name = clients.search(desk, SearchQuery(text="same"))
    assert names(by_name) == [f"Person{n:02}" for n in range(50)]  # alphabetical, cut at 50


# --- any word of any name, any run of phone digits (issue 12) ---


@pytest.fixture
def world(site_a):
    desk = site_a.actor(Role.FRONT_DESK)
    rows = [
        ("Łukasz", "Wałęsa-Nowak", "+48 22 555 0100"),
        ("Øyvind", "Strøm", "+47 555 12 345"),
        ("Đorđe", "Đoković", "+381 11 555 0199"),
        ("José María", "Núñez", "+1 555 010 2030"),
        ("Mary", "Jones-Smith", ""),
        ("Anne-Sophie", "O'Brien", ""),
    ]
    made = {
        given: clients.create(desk, details(given_name=given, family_name=family, phone=phone, email=""))
        for given, family, phone in rows
    }
    return desk, made


def found(desk, text="", phone="") -> list[str]:
    return names(clients.search(desk, SearchQuery(text=text, phone=phone)))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("lukasz", ["Łukasz"]),
        ("Łukasz", ["Łukasz"]),
        ("walesa", ["Łukasz"]),
        ("nowak", ["Łukasz"]),
        ("wałęsa-nowak", ["Łukasz"]),
        ("walesa nowak", ["Łukasz"]),
        ("oyvind strom", ["Øyvind"]),
        ("STRØM", ["Øyvind"]),
        ("dorde", ["Đorđe"]),
        ("djokovic", []),
        ("dokovic", ["Đorđe"]),
        ("maria", ["José María"]),
        ("MARÍA nuñez", ["José María"]),
        ("smith", ["Mary"]),
        ("jones smith", ["Mary"]),
        ("sophie", ["Anne-Sophie"]),
        ("brien", ["Anne-Sophie"]),
        ("o'brien", ["Anne-Sophie"]),
        ("mith", []),
    ],
)
def test_any_word_of_either_name_with_hyphens_case_and_letters_folded(world, text, expected):
    desk, _ = world
    assert found(desk, text) == expected


def test_phone_by_any_run_of_digits(world):
    desk, _ = world
    both = ["José María", "Zephyrine"]  # the site's client: +1 (555) 010-2030
    assert found(desk, phone="0102") == both
    assert found(desk, phone="010 2030") == both
    assert found(desk, phone="+1 555 010") == both
    assert found(desk, phone="555 01") == ["Đorđe", "José María", "Zephyrine", "Łukasz"]
    assert found(desk, "jose", phone="0102") == ["José María"]
    assert found(desk, phone="9999") == []


def test_the_words_key_is_stored_and_kept_up_to_date(world):
    desk, made = world
    assert Client.objects.get(pk=made["Łukasz"].pk).name_words == " lukasz walesa nowak "
    clients.update(desk, made["Mary"].pk, details(given_name="Mary Ann", family_name="Brown"))
    assert Client.objects.get(pk=made["Mary"].pk).name_words == " mary ann brown "
    assert found(desk, "smith") == []
    assert found(desk, "ann brown") == ["Mary Ann"]
    assert clients.words_key("Zoë", "d'Arc--Ñ") == " zoe d arc n "


# --- a likely duplicate is named before it is saved (issue 12) ---


def test_same_birth_date_and_a_name_in_common_is_a_likely_duplicate(site_a):
    desk = site_a.actor(Role.FRONT_DESK)
    first = clients.create(desk, details(given_name="María José", family_name="García-López", phone="", email=""))
    new = details(given_name="Maria", family_name="Garcia", phone="", email="")
    with pytest.raises(ConflictError) as warned:
        clients.create(desk, new, warn_duplicates=True)
    assert isinstance(warned.value, LikelyDuplicateError)
    assert warned.value.matches == (first,)
    (problem,) = warned.value.problems
    assert (problem.where, problem.message) == (
        "duplicate_of",
        f"This may be the same person as María José García-López (born 1990-05-17, client {first.pk}).",
    )
    shown = AuditEntry.objects.filter(action="duplicate_warning").get()
    assert (shown.detail, shown.outcome) == ({"shown": [first.pk]}, "success")
    assert Client.objects.filter(family_name="Garcia").count() == 0
    # Another date of birth: not alike; the same date and no name in common: not alike either.
    assert clients.create(desk, replace(new, birth_date=date(1991, 5, 17)), warn_duplicates=True).pk
    assert clients.create(desk, replace(new, given_name="Ana", family_name="Ortiz"), warn_duplicates=True).pk
    # Confirmed (or not asked to warn): saved.
    assert clients.create(desk, new).family_name == "Garcia"


def test_same_phone_digits_or_email_is_a_likely_duplicate_archived_included(site_a):
    desk = site_a.actor(Role.FRONT_DESK)
    other = details(given_name="Someone", family_name="Else", birth_date=date(1970, 1, 1), phone="", email="")
    by_phone = replace(other, phone="+1 555 010 2030")  # the site's client: +1 (555) 010-2030
    clients.set_archived(site_a.actor(Role.OWNER), site_a.client.pk, archived=True)
    with pytest.raises(LikelyDuplicateError) as warned:
        clients.create(desk, by_phone, warn_duplicates=True)
    assert [c.pk for c in warned.value.matches] == [site_a.client.pk]
    with pytest.raises(LikelyDuplicateError):
        clients.create(desk, replace(other, email="CLIENT@alpha.example.org"), warn_duplicates=True)
    assert clients.create(desk, replace(other, email="new@alpha.example.org"), warn_duplicates=True).pk


def test_likely_duplicates_are_only_the_clinics_own_and_at_most_five(site_b):
    desk = site_b.actor(Role.FRONT_DESK)
    assert clients.likely_duplicates(site_b.clinic.pk, details(phone="", email="client@alpha.example.org")) == []
    for n in range(6):
        clients.create(desk, details(given_name=f"Twin{n}", family_name="Same", phone="", email=""))
    matches = clients.likely_duplicates(site_b.clinic.pk, details(given_name="Other", family_name="Same", phone=""))
    assert [c.given_name for c in matches] == [f"Twin{n}" for n in range(5)]


# --- the client's language (issue 12) ---


def test_the_language_is_english_or_spanish_and_english_by_default(site_a):
    assert problems(language="fr") == [("language", "choose en (English) or es (Spanish)")]
    desk = site_a.actor(Role.FRONT_DESK)
    made = clients.create(desk, details(given_name="Lucía", phone="", email="", language="es"))
    assert Client.objects.get(pk=made.pk).language == "es"
    assert Client.objects.get(pk=site_a.client.pk).language == "en"
    clients.update(desk, made.pk, details(given_name="Lucía", phone="", email=""))
    assert Client.objects.get(pk=made.pk).language == "en"


# -- contact notes and clinical notes (issue 13, L7) -------------------------------------------------


@pytest.mark.django_db
def test_clinical_notes_are_written_by_clinical_roles_and_kept_by_a_form_without_them(site_a):
    nurse, desk = site_a.actor(Role.NURSE), site_a.actor(Role.FRONT_DESK)
    made = clients.create(nurse, details(contact_notes="mornings", clinical_notes="keloid on the chest"))
    assert (made.contact_notes, made.clinical_notes) == ("mornings", "keloid on the chest")
    clients.update(desk, made.pk, details(contact_notes="afternoons", clinical_notes=None))
    stored = Client.objects.get(pk=made.pk)
    assert (stored.contact_notes, stored.clinical_notes) == ("afternoons", "keloid on the chest")


@pytest.mark.django_db
def test_the_front_desk_may_not_write_clinical_notes_and_the_refusal_is_recorded(site_a):
    desk = site_a.actor(Role.FRONT_DESK)
    before = Client.objects.count()
    with pytest.raises(NotAllowedError):
        clients.create(desk, details(given_name="Orla", clinical_notes="pregnant"))
    assert Client.objects.count() == before
    with pytest.raises(NotAllowedError):
        clients.update(desk, site_a.client.pk, details(contact_notes="changed", clinical_notes="HIV+"))
    stored = Client.objects.get(pk=site_a.client.pk)
    assert (stored.contact_notes, stored.clinical_notes) == ("", "")
    denied = AuditEntry.objects.filter(outcome="denied", action="view_health").order_by("pk")
    assert [(e.object_type, e.object_id, e.client_id) for e in denied] == [
        ("client", "", None),
        ("client", str(site_a.client.pk), site_a.client.pk),
    ]
