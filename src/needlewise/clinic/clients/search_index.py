"""The client search index: the tokens of a client, kept in step with its row, and the searches that read it.

A search part (a word typed, the digits of a phone typed) matches a client when some token of the client
starts with the part's token: a name word starts a word of either name, a run of digits is a prefix of a
suffix of the phone's digits (that is, anywhere in them). :func:`tokens` and :func:`part_range` are the
only places that spell a token, so a later change can key them (a blind index) without changing the
query: a keyed index would hold every prefix as its own token and give each part a one-token range.

:func:`first_page` finds a search's first page from the index alone: each part is a range of the
(clinic, token, family key, given key, client, archived) b-tree, the parts are intersected, ordered by
name and cut to the page; only then are those clients' rows read. It costs the matching tokens, never a
walk of the clinic's clients (the plan the old ``LIKE '% word%'`` search had on PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from needlewise.storage.models import Client, ClientSearchToken

#: Greater than every character a token holds (folded name words, digits): the end of a prefix range.
_AFTER = "\U0010ffff"
NAME, PHONE = "n:", "p:"
_PART = (
    "SELECT client_id, family_key, given_key FROM client_search_token "
    "WHERE clinic_id = %s AND token >= %s AND token < %s"
)
#: What a list of clients shows (the search page's table, the API's client): never the notes, kept for the
#: client's own page. The other fields are deferred.
LISTED = (
    "id",
    "clinic",
    "given_name",
    "family_name",
    "birth_date",
    "phone",
    "email",
    "language",
    "archived_at",
    "created_at",
)
_COLUMNS = ", ".join(
    f'client."{field.column}"'
    for field in Client._meta.concrete_fields  # noqa: SLF001 - documented options
    if field.name in LISTED
)


def tokens(name_words: str, phone_digits: str) -> set[str]:
    """The tokens of a client from its stored keys: every word of both names, every suffix of the phone digits."""
    words = {NAME + word for word in name_words.split()}
    return words | {PHONE + phone_digits[i:] for i in range(len(phone_digits))}


def part_range(kind: str, part: str) -> tuple[str, str]:
    """The tokens a search part matches, as ``[low, high)``: those starting with the part."""
    low = kind + part
    return low, low + _AFTER


def rows(client: Client) -> Iterable[ClientSearchToken]:
    """The index rows of ``client`` (saved, with its keys set)."""
    archived = client.archived_at is not None
    for token in sorted(tokens(client.name_words, client.phone_digits)):
        yield ClientSearchToken(
            clinic_id=client.clinic_id,
            client_id=client.pk,
            token=token,
            family_key=client.family_key,
            given_key=client.given_key,
            archived=archived,
        )


def write(client: Client, *, new: bool) -> None:
    """Replace the client's tokens with those of its current keys; call it in the transaction that saves them."""
    if not new:
        ClientSearchToken.objects.filter(client_id=client.pk).delete()
    ClientSearchToken.objects.bulk_create(rows(client))


def set_archived(client: Client) -> None:
    """Copy the client's archived flag to its tokens; call it in the transaction that saves it."""
    ClientSearchToken.objects.filter(client_id=client.pk).update(archived=client.archived_at is not None)


def first_page(clinic_id: int, parts: Sequence[tuple[str, str]], *, include_archived: bool, limit: int) -> list[Client]:
    """The first ``limit`` clients of the clinic matching every ``(kind, part)``, by family key, given key, id."""
    part = _PART if include_archived else f"{_PART} AND NOT archived"
    matched = " INTERSECT ".join([part] * len(parts))
    statement = (
        f"SELECT {_COLUMNS} FROM (SELECT DISTINCT client_id, family_key, given_key FROM ({matched}) parts "  # noqa: S608 - fixed text
        "ORDER BY family_key, given_key, client_id LIMIT %s) page JOIN client ON client.id = page.client_id "
        "WHERE client.clinic_id = %s ORDER BY page.family_key, page.given_key, page.client_id"
    )
    params: list[object] = []
    for kind, text in parts:
        params += [clinic_id, *part_range(kind, text)]
    return list(Client.objects.raw(statement, [*params, limit, clinic_id]))
