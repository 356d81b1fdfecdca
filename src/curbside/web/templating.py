"""Jinja2 set-up: autoescaping always on, a few filters, and the ``page`` helper."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from curbside.review.workflow import STATUS_LABELS
from curbside.web.present import nice_date, nice_time, source_href

TEMPLATE_DIR = Path(__file__).parent / "templates"

#: Messages a redirect may ask a page to show (``?done=…``); never free text from the URL.
NOTICES = {
    "published": "Published for review. Reviewers will see it in their queue.",
    "start_review": "Review started.",
    "approve": "Approved. This version is now the public one.",
    "request_changes": "Changes requested; the comment is on the record below.",
    "resubmit": "Resubmitted for review.",
    "edit": "Saved as a new version and sent back for review.",
    "login": "Signed in.",
    "logout": "Signed out.",
    "user_added": "Account created.",
    "user_removed": "Account removed.",
    "password": "Password changed; that user's sessions were ended.",
}


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        # Every value is escaped, whatever the template's name: library text is untrusted.
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["nicedate"] = nice_date
    env.filters["nicetime"] = nice_time
    env.filters["status_label"] = lambda s: STATUS_LABELS.get(str(s), str(s))
    env.globals["source_href"] = source_href
    return env


templates = Jinja2Templates(env=_environment())


def page(
    request: Request, name: str, context: dict[str, Any] | None = None, *, status: int = 200
) -> HTMLResponse:
    """Render a full page (or fragment) with the visitor, CSRF token and notice filled in."""
    done = request.query_params.get("done", "")
    ctx: dict[str, Any] = {
        "request": request,
        "user": getattr(request.state, "user", None),
        "csrf": getattr(request.state, "csrf", ""),
        "notice": NOTICES.get(done, ""),
        "error": "",
        "path": request.url.path,
    }
    ctx.update(context or {})
    return templates.TemplateResponse(request, name, ctx, status_code=status)
