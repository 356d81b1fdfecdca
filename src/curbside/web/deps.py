"""Request-scoped dependencies: the library connection, who is asking, and role checks."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import Depends, HTTPException, Request

from curbside.models import AskRequest
from curbside.review.accounts import Session, User, session_for
from curbside.store import Library
from curbside.store.tokens import TokenError, verify_token
from curbside.web.asking import ASK_QUEUE, ASK_THREADS, AskPool
from curbside.web.security import (
    CSRF_FIELD,
    CSRF_HEADER,
    SAFE_METHODS,
    SESSION_COOKIE,
    check_csrf,
)

#: Idle library connections kept for reuse (opening one costs about a millisecond).
POOL_SIZE = 16

#: Builds an answer engine for a library (tests inject a stub; serve uses the real one).
EngineFactory = Callable[[Library], Any]


class NotSignedIn(Exception):
    """The page or call needs a signed-in reviewer or admin."""


class Forbidden(Exception):
    """Signed in, but the role does not allow this."""


class NotFound(Exception):
    """No such article, version, thread or source."""


@dataclass
class WebState:
    """What the app shares between requests: settings, the ask pool and idle connections."""

    library_path: Path
    engine_factory: EngineFactory
    secure_cookies: bool | None = None
    #: Approval needs a second reviewer (see ``review.workflow``).
    two_person_rule: bool = True
    ask_threads: int = ASK_THREADS
    ask_queue: int = ASK_QUEUE
    #: ``thread`` or ``process`` ask workers.
    ask_mode: str = "thread"
    _asker: AskPool | None = None
    _asker_lock: threading.Lock = field(default_factory=threading.Lock)
    _pool: list[Library] = field(default_factory=list)
    _pool_lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def asker(self) -> AskPool:
        """The pool that answers questions (started on first use)."""
        with self._asker_lock:
            if self._asker is None:
                self._asker = AskPool(
                    self.library_path,
                    self.engine_factory,
                    workers=self.ask_threads,
                    queue=self.ask_queue,
                    mode=self.ask_mode,
                )
            return self._asker

    def ask(self, request: AskRequest) -> dict[str, Any]:
        """Answer a question on the ask pool and return the answer's JSON form.

        Raises :class:`~curbside.web.asking.Overloaded` when the pool's line is full.
        """
        return self.asker.ask(request)

    async def ask_async(self, request: AskRequest) -> dict[str, Any]:
        """:meth:`ask` without holding a request thread while the answer is computed."""
        return await self.asker.ask_async(request)

    def borrow(self) -> Library:
        """A library connection for one request: a pooled idle one, or a new one."""
        with self._pool_lock:
            if self._pool:
                return self._pool.pop()
        return Library.open(self.library_path)

    def give_back(self, lib: Library) -> None:
        """Return a connection to the pool (closing it when the pool is full)."""
        if lib.conn.in_transaction:
            lib.conn.rollback()  # never hand a half-finished transaction to the next request
        with self._pool_lock:
            if len(self._pool) < POOL_SIZE:
                self._pool.append(lib)
                return
        lib.close()

    def warm(self) -> None:
        """Build the ask threads' engines, so the first visitors do not wait for them."""
        self.asker.warm()

    def close(self) -> None:
        """Stop the ask pool and close the idle connections."""
        with self._asker_lock:
            if self._asker is not None:
                self._asker.close()
            self._asker = None
        with self._pool_lock:
            for lib in self._pool:
                lib.close()
            self._pool.clear()


def web_state(request: Request) -> WebState:
    """The app's shared :class:`WebState`."""
    state: WebState = request.app.state.web
    return state


def get_lib(request: Request) -> Iterator[Library]:
    """A library connection owned by this request alone (WAL lets readers run side by side)."""
    state = web_state(request)
    lib = state.borrow()
    try:
        yield lib
    finally:
        state.give_back(lib)


#: Paths whose callers authenticate per request (no cookie), so CSRF cannot apply:
#: CDS Hooks calls carry the EHR's signed JWT (checked by the route).
CSRF_EXEMPT_PREFIXES = ("/cds-services",)


def token_scope_for(method: str, path: str) -> str | None:
    """The API-token scope a call needs; None when tokens may not make it at all."""
    if method == "POST" and path in ("/api/ask", "/api/ask/fhir"):
        return "ask"
    if method in SAFE_METHODS and path.startswith("/api/"):
        return "read"
    return None


def _bearer_call(request: Request, lib: Library) -> bool:
    """Authenticate an ``Authorization: Bearer`` API call; False when there is none.

    A token call ignores cookies (it acts as no user) and needs no CSRF token: a browser
    never attaches this header to a cross-site request on its own.
    """
    header = request.headers.get("authorization", "")
    if not request.url.path.startswith("/api/") or not header.lower().startswith("bearer "):
        return False
    try:
        token = verify_token(lib, header[7:].strip())
    except TokenError as err:
        raise HTTPException(401, f"{err}", headers={"WWW-Authenticate": "Bearer"}) from err
    scope = token_scope_for(request.method, request.url.path)
    if scope is None or scope not in token.scopes:
        raise Forbidden(f"API token {token.name!r} lacks the scope for this call")
    request.state.session = None
    request.state.user = None
    request.state.csrf = ""
    request.state.api_token = token
    return True


async def request_context(request: Request, lib: Library = Depends(get_lib)) -> None:
    """Resolve the session and enforce CSRF on every state-changing request.

    Runs for every route (it is an app-level dependency), so no form or API call can
    forget the check. Leaves ``session``, ``user`` and ``csrf`` on ``request.state``.
    Bearer-token API calls and CDS Hooks calls authenticate otherwise and skip CSRF.
    """
    if _bearer_call(request, lib):
        return
    if request.url.path.startswith(CSRF_EXEMPT_PREFIXES):
        request.state.session = None
        request.state.user = None
        request.state.csrf = ""
        return
    session: Session | None = session_for(lib, request.cookies.get(SESSION_COOKIE))
    anon: str = request.scope.get("state", {}).get("anon_csrf", "")
    request.state.session = session
    request.state.user = session.user if session else None
    request.state.csrf = session.csrf_token if session else anon
    if request.method in SAFE_METHODS:
        return
    provided = request.headers.get(CSRF_HEADER)
    if provided is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        field_value = form.get(CSRF_FIELD)
        provided = field_value if isinstance(field_value, str) else None
    check_csrf(request.state.csrf, provided)


def current_user(request: Request, _ctx: None = Depends(request_context)) -> User | None:
    """The signed-in user, or None for an anonymous visitor."""
    user: User | None = getattr(request.state, "user", None)
    return user


def require_reviewer(user: User | None = Depends(current_user)) -> User:
    """The signed-in reviewer or admin; raises for anyone else."""
    if user is None:
        raise NotSignedIn()
    if not user.can_review:
        raise Forbidden("only reviewers and admins may do this")
    return user


def require_admin(user: User | None = Depends(current_user)) -> User:
    """The signed-in admin; raises for anyone else."""
    if user is None:
        raise NotSignedIn()
    if not user.is_admin:
        raise Forbidden("only admins may manage users")
    return user
