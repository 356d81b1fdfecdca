"""Helpers shared by the web tests: the placeholder library's facts and API shortcuts."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from curbside.bench.load import free_port
from curbside.models import Document, Section
from curbside.review.workflow import CHECKLIST

PASSWORD = "placeholder passphrase"
QUESTION = "Which reading lamp is recommended for evening reading?"
HOSTILE_ID = "placeholder-hostile-survey"
HOSTILE_TITLE = "<script>window.__pwned = 1</script> Reading lamps in a placeholder survey"
HOSTILE_TEXT = (
    'In a placeholder survey, readers said reading lamps <img src=x onerror="window.__pwned = 2">'
    " with warm light <script>window.__pwned = 3</script> helped evening reading."
)


def hostile_document() -> Document:
    """A source whose metadata and text try to inject markup and script."""
    return Document(
        title=HOSTILE_TITLE,
        sections=(Section("Findings <b onmouseover=alert(1)>", HOSTILE_TEXT),),
        format="text",
        external_id=HOSTILE_ID,
        tier="research",
        design="cohort",
        year=2018,
        authors=('<img src=x onerror="window.__pwned = 4">',),
        url="javascript:window.__pwned = 5",
    )


def token(client: TestClient) -> str:
    """The client's current CSRF token."""
    return str(client.get("/api/session").json()["csrf_token"])


def csrf(client: TestClient) -> dict[str, str]:
    """The CSRF header for an API call."""
    return {"X-CSRF-Token": token(client)}


def login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Sign in through the API; returns the session's CSRF token."""
    r = client.post(
        "/api/login", json={"username": username, "password": password}, headers=csrf(client)
    )
    assert r.status_code == 200, r.text
    return str(r.json()["csrf_token"])


def ask(client: TestClient, question: str = QUESTION, **extra: Any) -> dict[str, Any]:
    """Ask through the API and return the answer dict."""
    r = client.post("/api/ask", json={"question": question, **extra}, headers=csrf(client))
    assert r.status_code == 200, r.text
    answer: dict[str, Any] = r.json()
    return answer


def publish(client: TestClient, question: str = QUESTION) -> dict[str, Any]:
    """Ask in a new thread and publish the answer; returns the article summary."""
    answer = ask(client, question, new_thread=True)
    r = client.post(
        "/api/articles", json={"thread_id": answer["thread_id"], "turn": 1}, headers=csrf(client)
    )
    assert r.status_code == 201, r.text
    article: dict[str, Any] = r.json()
    return article


def move(client: TestClient, article: dict[str, Any], action: str, **extra: Any) -> Any:
    """Apply a review action through the API with the article's current lock version.

    An approval ticks the whole checklist unless ``checklist`` is given.
    """
    if action == "approve":
        extra.setdefault("checklist", list(CHECKLIST))
    return client.post(
        f"/api/articles/{article['id']}/transition",
        json={"action": action, "lock_version": article["lock_version"], **extra},
        headers=csrf(client),
    )


def form_token(html: str) -> str:
    """The CSRF token a rendered page put into its forms."""
    marker = '<meta name="csrf-token" content="'
    at = html.index(marker) + len(marker)
    return html[at : html.index('"', at)]


@contextmanager
def serve_in_thread(app: FastAPI) -> Iterator[str]:
    """Run ``app`` under uvicorn on a free loopback port in a thread; yields its base URL."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
