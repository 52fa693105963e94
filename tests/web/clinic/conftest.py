"""Fixtures for the clinic page tests: cheap password hashing and two clinics (helpers in support.py)."""

from __future__ import annotations

import pytest

from clinic_factories import Site, make_site


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    # Tests only: production's Argon2id (100 MiB per hash) would make every sign-in slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def site_a(db) -> Site:
    del db
    return make_site("Clinic Alpha", "alpha", "Zephyrine", "Quixotelle")


@pytest.fixture
def site_b(site_a) -> Site:
    del site_a  # made first, so B's ids are higher than A's
    return make_site("Clinic Beta", "beta", "Barnaby", "Oakenshield")
