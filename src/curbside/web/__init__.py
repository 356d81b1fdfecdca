"""The web app: server-rendered pages, a JSON API and the editorial review board."""

from __future__ import annotations

from curbside.web.app import create_app

__all__ = ["create_app"]
