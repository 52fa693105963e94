"""The client search index: one row per search token of a client, found by a b-tree range.

A token is a string a search part must start: every word of either name (``n:`` + the word) and every
suffix of the phone's digits (``p:`` + the suffix), so "a word that starts a word of a name" and "a run of
digits anywhere in the phone" are both a prefix range (``token >= part AND token < part + U+10FFFF``),
which the b-tree led by (clinic, token) serves on SQLite and on PostgreSQL alike (the text columns compare
bytes on both: ``COLLATE "C"`` on PostgreSQL). Each row repeats the client's name keys (the search's
order) and whether the client is archived, all in the index, so a search finds and orders its first
page of clients from the index alone and reads only those clients' rows. ``clinic.clients.search_index``
derives the tokens and keeps them in step with the client row in the same transaction.
"""

from __future__ import annotations

from django.db import models

from needlewise.storage.models.clinic import Client, Clinic


class ClientSearchToken(models.Model):
    """One search token of one client, with the client's clinic, name keys and archived flag repeated."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+", db_index=False)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+", db_index=False)
    token = models.CharField(max_length=110)
    family_key = models.CharField(max_length=100)
    given_key = models.CharField(max_length=100)
    archived = models.BooleanField(default=False)

    class Meta:
        """Table options: the search's range index, and one row per token of a client (which also serves rewrites)."""

        db_table = "client_search_token"
        indexes = [  # noqa: RUF012 - Django's Meta API is a list
            models.Index(
                fields=["clinic", "token", "family_key", "given_key", "client", "archived"],
                name="client_search_token_range",
            ),
        ]
        constraints = [  # noqa: RUF012 - Django's Meta API is a list
            models.UniqueConstraint(fields=["client", "token"], name="client_search_token_unique"),
        ]

    def __str__(self) -> str:
        """Only the client's id: a token is part of a name or a phone number."""
        return f"search token of client {self.client_id}"
