"""Request-scoped dependencies: the library connection, who is asking, and role checks."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import Depends, Request

from curbside.review.accounts import Session, User, session_for
from curbside.store import Library
from curbside.web.security import (
    CSRF_FIELD,
    CSRF_HEADER,
    SAFE_METHODS,
    SESSION_COOKIE,
    check_csrf,
)

#: Idle library connections kept for reuse (opening one costs about a millisecond).
POOL_SIZE = 16

#: Builds the answer engine for a library (tests inject a stub; serve uses the real one).
EngineFactory = Callable[[Library], Any]


class NotSignedIn(Exception):
    """The page or call needs a signed-in reviewer or admin."""


class Forbidden(Exception):
    """Signed in, but the role does not allow this."""


class NotFound(Exception):
    """No such article, version, thread or source."""


@dataclass
class WebState:
    """What the app shares between requests: settings and the one answer engine."""

    library_path: Path
    engine_factory: EngineFactory
    secure_cookies: bool | None = None
    _engine: Any = None
    _engine_lib: Library | None = None
    _engine_seq: int = -1
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _pool: list[Library] = field(default_factory=list)
    _pool_lock: threading.Lock = field(default_factory=threading.Lock)

    def ask(
        self,
        question: str,
        *,
        audience: str,
        thread_id: str | None,
        generator: str = "extractive",
    ) -> dict[str, Any]:
        """Answer a question with the shared engine and return the answer's JSON form.

        The engine and its connection are used by one request at a time: it keeps
        per-call state, and recording a thread turn writes to the library. When the
        library has changed since the engine was built (an ingest while serving), a
        fresh engine picks up the new sources.
        """
        from curbside.render.jsonout import answer_to_dict

        with self._lock:
            if self._engine_lib is None:
                self._engine_lib = Library.open(self.library_path)
            seq = self._engine_lib.last_change()
            if self._engine is None or seq != self._engine_seq:
                self._engine = self.engine_factory(self._engine_lib)
                self._engine_seq = seq
            answer = self._engine.ask(
                question, audience=audience, thread_id=thread_id, generator_name=generator
            )
        # Answers are immutable: converting them needs no lock.
        return answer_to_dict(answer)

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
        """Build the engine and run one search, so the first visitor does not wait for it."""
        self.ask("What does the library say about treatment?", audience="clinician", thread_id=None)

    def close(self) -> None:
        """Close the engine's and the pool's library connections."""
        with self._lock:
            if self._engine_lib is not None:
                self._engine_lib.close()
            self._engine_lib = None
            self._engine = None
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


async def request_context(request: Request, lib: Library = Depends(get_lib)) -> None:
    """Resolve the session and enforce CSRF on every state-changing request.

    Runs for every route (it is an app-level dependency), so no form or API call can
    forget the check. Leaves ``session``, ``user`` and ``csrf`` on ``request.state``.
    """
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
