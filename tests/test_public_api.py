"""The package's public surface is exactly ``__all__``, and the docstring example works."""

from __future__ import annotations

import doctest
import inspect

import needlewise


def test_all_matches_public_names() -> None:
    public = {
        name for name, value in vars(needlewise).items() if not name.startswith("_") and not inspect.ismodule(value)
    }
    assert set(needlewise.__all__) - {"__version__"} == public


def test_docstring_example() -> None:
    failures, tests = doctest.testmod(needlewise)
    assert tests >= 3
    assert failures == 0
