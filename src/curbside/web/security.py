"""Security plumbing: response headers, the anonymous CSRF cookie, and the CSRF check.

Every state-changing request (any method but GET/HEAD/OPTIONS) must carry a CSRF token,
in the ``X-CSRF-Token`` header or a ``csrf_token`` form field. A signed-in user's token is
their session's ``csrf_token``; an anonymous visitor's is a random value the middleware
sets as an HttpOnly cookie and the pages echo into their forms (double submit). Anonymous
requests are protected too: the server usually listens on loopback, and a hostile page
could otherwise make a visitor's browser publish articles to it.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.requests import HTTPConnection

SESSION_COOKIE = "curbside_session"
CSRF_COOKIE = "curbside_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

#: No inline script or style, nothing from other origins, never framed.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class CsrfError(Exception):
    """A state-changing request without a valid CSRF token."""


def cookie_is_secure(scheme: str, configured: bool | None) -> bool:
    """Whether cookies get the ``Secure`` flag: as configured, else when served over HTTPS."""
    return scheme == "https" if configured is None else configured


def cookie_header(
    name: str, value: str, *, secure: bool, max_age: int | None = None, same_site: str = "Lax"
) -> str:
    """A ``Set-Cookie`` value: always HttpOnly, Path=/ and SameSite."""
    parts = [f"{name}={value}", "Path=/", "HttpOnly", f"SameSite={same_site}"]
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    if secure:
        parts.append("Secure")
    return "; ".join(parts)


def check_csrf(expected: str | None, provided: str | None) -> None:
    """Raise :class:`CsrfError` unless ``provided`` equals ``expected`` (constant time)."""
    if not expected or not provided:
        raise CsrfError("missing CSRF token")
    if not secrets.compare_digest(expected.encode(), provided.encode()):
        raise CsrfError("wrong CSRF token")


class SecurityMiddleware:
    """Adds the security headers to every response and issues the anonymous CSRF cookie.

    Written as plain ASGI (not ``BaseHTTPMiddleware``) so it never buffers responses.
    The token for this request is left in ``scope["state"]["anon_csrf"]``.
    """

    def __init__(self, app: ASGIApp, *, secure_cookies: bool | None = None) -> None:
        self.app = app
        self.secure_cookies = secure_cookies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        conn = HTTPConnection(scope)
        token = conn.cookies.get(CSRF_COOKIE, "")
        issue = len(token) < 32 or not token.replace("-", "").replace("_", "").isalnum()
        if issue:
            token = secrets.token_urlsafe(32)
        scope.setdefault("state", {})["anon_csrf"] = token
        secure = cookie_is_secure(conn.url.scheme, self.secure_cookies)
        path = scope.get("path", "")
        static = path.startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers.extend(h for h in SECURITY_HEADERS if h[0] not in present)
                if not static and b"cache-control" not in present:
                    # Pages may show a reviewer's view; never let a shared cache keep them.
                    headers.append((b"cache-control", b"no-store"))
                if issue and not static:
                    value = cookie_header(CSRF_COOKIE, token, secure=secure, same_site="Strict")
                    headers.append((b"set-cookie", value.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
