"""The package's public surface is exactly ``__all__``, and the docstring example works."""

from __future__ import annotations

import doctest

import needlewise


def test_all_matches_public_names() -> None:
    public = {name for name in vars(needlewise) if not name.startswith("_")} - {
        "domain",
        "engine",
        "errors",
        "kb",
        "services",
        "bootstrap",
        "cli",
        "reports",
    }
    assert set(needlewise.__all__) - {"__version__"} == public


def test_docstring_example() -> None:
    failures, tests = doctest.testmod(needlewise)
    assert tests >= 3
    assert failures == 0
