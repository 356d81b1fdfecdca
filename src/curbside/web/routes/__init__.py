"""The app's routes: pages (ask, articles, library, accounts, info) and the JSON API."""

from __future__ import annotations

from fastapi import FastAPI


def register_routes(app: FastAPI) -> None:
    """Attach every router to ``app``."""
    from curbside.web.routes import accounts, api, api_articles, articles, ask, info, library

    for module in (ask, articles, library, accounts, info, api, api_articles):
        app.include_router(module.router)
