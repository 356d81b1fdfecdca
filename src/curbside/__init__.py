"""curbside: evidence-grounded clinical answers from a local library of trusted sources.

The public API, for programs that embed curbside::

    from curbside import AskRequest, Engine, Library, ingest_paths

    library = Library.open("library.db")
    ingest_paths(library, [Path("papers/")])
    answer = Engine(library).ask(AskRequest("What is the dose of lanreotide?"))
    print(answer.to_dict())

Names are loaded on first use, so ``import curbside`` stays cheap for the CLI.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: Public name → the module that defines it.
_EXPORTS: dict[str, str] = {
    "Answer": "curbside.models",
    "AskRequest": "curbside.models",
    "Citation": "curbside.models",
    "CurbsideError": "curbside.errors",
    "Engine": "curbside.answer.engine",
    "Facet": "curbside.models",
    "Library": "curbside.store",
    "Retriever": "curbside.retrieve",
    "Statement": "curbside.models",
    "Trace": "curbside.answer.trace",
    "ingest_paths": "curbside.ingest.pipeline",
    "verify": "curbside.answer.verify",
}

__all__ = [
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

if TYPE_CHECKING:
    from curbside.answer.engine import Engine
    from curbside.answer.trace import Trace
    from curbside.answer.verify import verify
    from curbside.errors import CurbsideError
    from curbside.ingest.pipeline import ingest_paths
    from curbside.models import Answer, AskRequest, Citation, Facet, Statement
    from curbside.retrieve import Retriever
    from curbside.store import Library


def __getattr__(name: str) -> Any:
    """Load a public name from its module on first use."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'curbside' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value
