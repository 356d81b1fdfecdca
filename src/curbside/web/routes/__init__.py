"""The app's routes: pages (ask, articles, library, accounts, info) and the JSON API."""

from __future__ import annotations

from fastapi import FastAPI


def register_routes(app: FastAPI) -> None:
    """Attach every router to ``app``."""
    from curbside.web.routes import (
        accounts,
        api,
        api_articles,
        articles,
        ask,
        ask_stream,
        info,
        library,
    )

    for module in (ask, ask_stream, articles, library, accounts, info, api, api_articles):
        app.include_router(module.router)
    try:  # CDS Hooks and FHIR export need the ``cds`` extra (PyJWT).
        from curbside.web.routes import cds
    except ModuleNotFoundError as err:
        if err.name not in ("jwt", "cryptography"):
            raise
    else:
        app.include_router(cds.router)
