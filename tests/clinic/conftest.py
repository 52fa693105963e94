"""Fixtures for the clinic workspace tests: fast password hashing, the knowledge base, two clinics."""

from __future__ import annotations

import pytest

from clinic_factories import Site, make_site
from needlewise.bootstrap import knowledge_base
from needlewise.engine.knowledge import KnowledgeBase


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    # Tests only: production's Argon2id (100 MiB per hash) would make every new clinic slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return knowledge_base()


@pytest.fixture
def site_a() -> Site:
    return make_site("Clinic Alpha", "alpha", "Zephyrine", "Quixotelle")


@pytest.fixture
def site_b(site_a) -> Site:
    del site_a  # made first, so B's ids are higher than A's
    return make_site("Clinic Beta", "beta", "Barnaby", "Oakenshield")


@pytest.fixture
def sites(site_a, site_b) -> tuple[Site, Site]:
    return site_a, site_b
