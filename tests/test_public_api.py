"""The public API: ``from curbside import …`` names exactly what is documented, and each
name resolves to the real object."""

from __future__ import annotations

import importlib

import pytest

import curbside

EXPECTED = [
    "Answer",
    "AskRequest",
    "Citation",
    "CurbsideError",
    "Engine",
    "Facet",
    "Library",
    "Retriever",
    "Statement",
    "Trace",
    "__version__",
    "ingest_paths",
    "verify",
]


def test_public_names_are_pinned_and_sorted() -> None:
    assert curbside.__all__ == EXPECTED == sorted(EXPECTED)


def test_every_public_name_resolves() -> None:
    for name in curbside.__all__:
        value = getattr(curbside, name)
        assert value is not None
        if name != "__version__":
            assert getattr(value, "__name__", name) == name


def test_every_export_is_listed() -> None:
    assert sorted([*curbside._EXPORTS, "__version__"]) == curbside.__all__


def test_unknown_names_fail_like_any_module() -> None:
    module = importlib.import_module("curbside")
    with pytest.raises(AttributeError, match="no_such_name"):
        module.no_such_name  # noqa: B018
