"""Index backends by name, found through the entry-point group ``curbside.index_backends``.

Built-in backends are registered in ``pyproject.toml`` exactly as a third party
would register its own, so there is one way in. An entry point names a factory
``factory(directory, **options) -> LexicalIndex | VectorIndex`` where
``directory`` is the library's derived-index folder (``<library>.d``, or None for
an in-memory library). A backend that fails to import is reported by name with
one clear line, and the others stay usable.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from curbside.errors import CurbsideError

GROUP = "curbside.index_backends"

Factory = Callable[..., Any]


class BackendError(CurbsideError):
    """An index backend is unknown or cannot be loaded."""


def available() -> dict[str, str]:
    """Registered backend name → its entry-point target (``module:factory``)."""
    return {ep.name: ep.value for ep in entry_points(group=GROUP)}


def factory(name: str) -> Factory:
    """The factory registered as ``name``."""
    found = [ep for ep in entry_points(group=GROUP) if ep.name == name]
    if not found:
        known = ", ".join(sorted(available())) or "none"
        raise BackendError(f"unknown index backend {name!r} (registered: {known})")
    try:
        loaded = found[0].load()
    except ImportError as err:
        raise BackendError(
            f"index backend {name!r} cannot be loaded ({err}); is its extra installed?"
        ) from err
    if not callable(loaded):
        raise BackendError(f"index backend {name!r} does not name a factory")
    return loaded  # type: ignore[no-any-return]


def open_backend(name: str, directory: Path | None, **options: Any) -> Any:
    """Create the backend ``name`` for the derived-index folder ``directory``."""
    return factory(name)(directory, **options)
