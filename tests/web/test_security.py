"""Security: headers, CSRF on every state change, cookies, roles, rate limits, escaping."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from curbside.store import Library
from curbside.web import create_app
from curbside.web.deps import CSRF_EXEMPT_PREFIXES
from tests.web.helpers import (
    HOSTILE_ID,
    PASSWORD,
    csrf,
    form_token,
    login,
    move,
    publish,
    token,
)


def test_security_headers_everywhere(client: TestClient) -> None:
    for url in ("/", "/api/session", "/static/style.css", "/no-such-page"):
        h = client.get(url).headers
        csp = h["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp, url
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert h["x-content-type-options"] == "nosniff"
        assert h["referrer-policy"] and h["x-frame-options"] == "DENY"


def test_pages_load_no_inline_script_and_nothing_remote(client: TestClient) -> None:
    html = client.get("/").text
    assert re.findall(r"<script[^>]*>", html) == [
        '<script src="/static/htmx.min.js" defer>',
        '<script src="/static/app.js" defer>',
        '<script src="/static/stream.js" defer>',
    ]
    assert "<style" not in html and " style=" not in html and "http://" not in html
    vendored = client.get("/static/htmx.min.js")
    assert vendored.status_code == 200 and "htmx 2.0.11" in vendored.text[:200]


def _post_routes(routes: Sequence[Any]) -> list[str]:
    """Every POST path, with path parameters filled in (routers may be nested)."""
    paths = []
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            paths.extend(_post_routes(inner.routes))
        elif isinstance(route, APIRoute) and "POST" in route.methods:
            paths.append(re.sub(r"\{[^}]+\}", "x", route.path))
    return paths


@pytest.mark.parametrize("who", ["anonymous", "reviewer"])
def test_every_state_changing_route_refuses_a_missing_or_wrong_token(
    who: str, client: TestClient, reviewer: TestClient, app: FastAPI
) -> None:
    c = client if who == "anonymous" else reviewer
    token(c)  # make sure the client holds its cookie
    # CDS Hooks calls authenticate with the EHR's signed JWT instead (tests/web/test_cds.py).
    paths = [p for p in _post_routes(app.routes) if not p.startswith(CSRF_EXEMPT_PREFIXES)]
    assert len(paths) >= 14
    for path in paths:
        assert c.post(path, json={}).status_code == 403, path
        assert c.post(path, data={"csrf_token": "forged"}).status_code == 403, path
        wrong = c.post(path, json={}, headers={"X-CSRF-Token": "forged"})
        assert wrong.status_code == 403 and "CSRF" in wrong.text, path


def test_a_signed_in_user_must_use_the_session_token(
    app: FastAPI, reviewer: TestClient, author: TestClient
) -> None:
    article = publish(author)
    anonymous_cookie_token = reviewer.cookies.get("curbside_csrf")
    r = reviewer.post(
        f"/api/articles/{article['id']}/transition",
        json={"action": "start_review", "lock_version": article["lock_version"]},
        headers={"X-CSRF-Token": anonymous_cookie_token or ""},
    )
    assert r.status_code == 403
    assert move(reviewer, article, "start_review").status_code == 200


def test_cookies_are_httponly_samesite_and_secure_when_asked(library_file: Path) -> None:
    cases = (
        (None, "http://testserver", False),
        (None, "https://testserver", True),
        (True, "https://testserver", True),
        (False, "https://testserver", False),
    )
    for configured, base, secure in cases:
        with TestClient(create_app(library_file, secure_cookies=configured), base_url=base) as c:
            anon = c.get("/").headers["set-cookie"]
            r = c.post(
                "/api/login", json={"username": "rita", "password": PASSWORD}, headers=csrf(c)
            )
            session = next(h for h in r.headers.get_list("set-cookie") if "curbside_session" in h)
            for cookie in (anon, session):
                assert "HttpOnly" in cookie and "SameSite=" in cookie
                assert ("Secure" in cookie) == secure, (configured, base, cookie)
            assert "SameSite=Lax" in session and "Max-Age=" in session
            assert "SameSite=Strict" in anon


def test_login_is_rate_limited_and_says_so(client: TestClient) -> None:
    page = client.get("/login").text
    tok = form_token(page)
    for _ in range(5):
        r = client.post(
            "/login", data={"username": "rita", "password": "wrong guess", "csrf_token": tok}
        )
        assert r.status_code == 401 and "wrong username or password" in r.text
    r = client.post("/login", data={"username": "rita", "password": PASSWORD, "csrf_token": tok})
    assert r.status_code == 429 and "too many failed logins" in r.text
    api = client.post(
        "/api/login", json={"username": "rita", "password": PASSWORD}, headers=csrf(client)
    )
    assert api.status_code == 429


def test_login_form_redirects_only_to_local_pages(client: TestClient) -> None:
    tok = form_token(client.get("/login").text)
    for target, expected in (
        ("/articles", "/articles"),
        ("//evil.example/x", "/review"),
        ("https://evil.example", "/review"),
    ):
        with TestClient(client.app) as fresh:
            tok = form_token(fresh.get("/login").text)
            r = fresh.post(
                "/login",
                follow_redirects=False,
                data={"username": "rita", "password": PASSWORD, "next": target, "csrf_token": tok},
            )
            assert r.status_code == 303 and r.headers["location"] == expected


def test_logout_ends_the_session(reviewer: TestClient) -> None:
    assert reviewer.get("/api/session").json()["user"] == "rita"
    tok = token(reviewer)
    r = reviewer.post("/logout", data={"csrf_token": tok}, follow_redirects=False)
    assert r.status_code == 303 and "Max-Age=0" in r.headers["set-cookie"]
    assert reviewer.get("/api/session").json()["user"] is None
    assert reviewer.get("/review", follow_redirects=False).status_code == 303


def test_roles(client: TestClient, reviewer: TestClient, admin: TestClient) -> None:
    r = client.get("/review", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=/review")
    assert client.get("/audit", follow_redirects=False).status_code == 303
    assert reviewer.get("/review").status_code == 200
    assert reviewer.get("/admin/users").status_code == 403
    denied = reviewer.post(
        "/admin/users",
        data={
            "username": "eve",
            "password": PASSWORD,
            "role": "admin",
            "csrf_token": token(reviewer),
        },
    )
    assert denied.status_code == 403
    assert admin.get("/admin/users").status_code == 200
    made = admin.post(
        "/admin/users",
        follow_redirects=False,
        data={
            "username": "eve",
            "password": PASSWORD,
            "role": "reviewer",
            "csrf_token": token(admin),
        },
    )
    assert made.status_code == 303
    assert "eve" in admin.get("/admin/users").text
    own = admin.post("/admin/users/ada/remove", data={"csrf_token": token(admin)})
    assert own.status_code == 400 and "your own account" in own.text


def test_anonymous_ui_has_no_review_controls_and_cannot_post_them(
    client: TestClient, author: TestClient, reviewer: TestClient, second: TestClient
) -> None:
    article = publish(author)
    url = f"/articles/{article['id']}"
    assert client.get(url).status_code == 404  # not approved: not public at all
    assert 'value="start_review"' in reviewer.get(url).text
    r = client.post(
        f"{url}/transition",
        follow_redirects=False,
        data={
            "action": "start_review",
            "lock_version": article["lock_version"],
            "csrf_token": form_token(client.get("/").text),
        },
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert author.get(f"/api/articles/{article['id']}").json()["status"] == "submitted"
    article = move(reviewer, article, "start_review").json()
    move(second, article, "approve")
    anonymous_page = client.get(url).text
    assert 'value="approve"' not in anonymous_page and 'name="checklist"' not in anonymous_page


def test_hostile_library_text_renders_inert(client: TestClient) -> None:
    pages = [client.get(f"/sources/{HOSTILE_ID}").text, client.get("/sources").text]
    answer = client.post(
        "/ask",
        data={
            "question": "What do placeholder surveys say about warm reading lamps?",
            "audience": "clinician",
            "csrf_token": token(client),
        },
    )
    assert answer.status_code == 200 and HOSTILE_ID in answer.text
    pages.append(answer.text)
    for html in pages:
        assert "<script>window" not in html and "<img src=x" not in html
        assert "onerror=" not in html.replace("onerror=&#34;", "").replace("onerror=&quot;", "")
        assert 'href="javascript:' not in html
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in pages[0]


def test_ui_conflict_shows_a_clear_message(author: TestClient, reviewer: TestClient) -> None:
    article = publish(author)
    url = f"/articles/{article['id']}"
    stale = reviewer.get(url).text
    assert move(reviewer, article, "start_review").status_code == 200
    r = reviewer.post(
        f"{url}/transition",
        data={
            "action": "start_review",
            "lock_version": article["lock_version"],
            "csrf_token": form_token(stale),
        },
    )
    assert r.status_code == 409 and "Someone else changed this article" in r.text
    assert author.get(f"/api/articles/{article['id']}").json()["status"] == "under_review"


def test_allowed_hosts_refuse_other_host_headers(library_file: Path) -> None:
    app = create_app(library_file, allowed_hosts=["127.0.0.1", "localhost"])
    with TestClient(app, base_url="http://127.0.0.1") as good:
        assert good.get("/").status_code == 200
    with TestClient(app, base_url="http://rebound.example") as bad:
        r = bad.get("/")
        assert r.status_code == 400 and "default-src 'self'" in r.headers["content-security-policy"]


def test_api_login_reports_wrong_credentials(client: TestClient) -> None:
    r = client.post(
        "/api/login", json={"username": "rita", "password": "nope"}, headers=csrf(client)
    )
    assert r.status_code == 401
    assert login(client, "rita") != ""


def test_oversized_bodies_are_refused_before_parsing(
    client: TestClient, library_file: Path
) -> None:
    huge = "x" * (2 * 1024 * 1024)
    r = client.post("/api/ask", json={"question": huge}, headers=csrf(client))
    assert r.status_code == 413 and len(r.content) < 200
    tok = form_token(client.get("/login").text)
    r = client.post("/login", data={"username": huge, "password": "x", "csrf_token": tok})
    assert r.status_code == 413

    def chunks() -> Any:
        for _ in range(64):
            yield b"a" * 65536

    r = client.post(
        "/api/ask",
        content=chunks(),
        headers={**csrf(client), "content-type": "application/json"},
    )
    assert r.status_code == 413


def test_validation_errors_never_echo_the_input(client: TestClient, library_file: Path) -> None:
    long_question = "Q" * 100_000
    r = client.post("/api/ask", json={"question": long_question}, headers=csrf(client))
    assert r.status_code == 422 and "QQQQQQQQQQ" not in r.text and len(r.content) < 1000
    tok = form_token(client.get("/login").text)
    name = "N" * 50_000
    r = client.post("/login", data={"username": name, "password": "x", "csrf_token": tok})
    assert r.status_code == 422 and "NNNNNNNNNN" not in r.text
    lib = Library.open(library_file)
    try:
        for table, column in (("audit_log", "actor"), ("login_attempts", "username")):
            longest = lib.conn.execute(f"SELECT max(length({column})) FROM {table}").fetchone()[0]
            assert (longest or 0) <= 64, table
    finally:
        lib.close()
