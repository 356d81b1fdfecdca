"""Registers the ``library_totals`` marker used by the library integrity tests."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    """Declare the marker here so ``--strict-markers`` accepts it without pyproject edits."""
    config.addinivalue_line(
        "markers",
        "library_totals: library-wide size targets; fail until every tier is written "
        "(deselect with -m 'not library_totals')",
    )
