"""Cheap argon2 parameters for the review tests' accounts (production hashing is untouched)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher

from curbside.review import accounts


@pytest.fixture(autouse=True)
def fast_password_hashing() -> Iterator[None]:
    """A hash carries its own parameters, so verifying these stays cheap too."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(
            accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
        )
        yield
