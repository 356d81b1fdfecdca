"""The curbside web app: ask, read, browse the library, and review articles.

``create_app(library_path)`` builds the FastAPI application. Pages are server-rendered
Jinja2 templates; htmx (vendored under ``static/``) only enhances forms that already
work without it. Nothing is loaded from another origin.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

from curbside.errors import ConflictError, CurbsideError, ReviewError
from curbside.store import Library
from curbside.web.asking import ASK_QUEUE, ASK_THREADS, Overloaded
from curbside.web.deps import (
    EngineFactory,
    Forbidden,
    NotFound,
    NotSignedIn,
    WebState,
    request_context,
)
from curbside.web.limits import BodyLimitMiddleware, safe_errors
from curbside.web.security import CsrfError, SecurityMiddleware
from curbside.web.templating import page

STATIC_DIR = Path(__file__).parent / "static"


@dataclass(frozen=True)
class DefaultEngineFactory:
    """Builds the real answer engine; a plain value, so it can be sent to ask processes."""

    dense: bool

    def __call__(self, lib: Library) -> Any:
        """An engine reading ``lib`` (imported here: it loads indexes and models)."""
        from curbside.answer.engine import Engine

        return Engine(lib, dense=self.dense)


def default_engine_factory(dense: bool) -> EngineFactory:
    """Build the real answer engine."""
    return DefaultEngineFactory(dense)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _problem(request: Request, status: int, message: str) -> Response:
    if _is_api(request):
        return JSONResponse({"detail": message}, status_code=status)
    return page(request, "error.html", {"status": status, "message": message}, status=status)


def _install_handlers(app: FastAPI) -> None:
    @app.exception_handler(Overloaded)
    async def overloaded(request: Request, exc: Overloaded) -> Response:
        response = _problem(request, 503, str(exc))
        response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.exception_handler(CsrfError)
    async def csrf_failed(request: Request, exc: CsrfError) -> Response:
        return _problem(
            request,
            403,
            f"{exc}: reload the page and try again (forms expire when you sign in or out)",
        )

    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, exc: NotSignedIn) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": "sign in as a reviewer first"}, status_code=401)
        target = quote(request.url.path, safe="/")
        return RedirectResponse(f"/login?next={target}", status_code=303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        return _problem(request, 403, str(exc))

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        return _problem(request, 404, str(exc) or "not found")

    @app.exception_handler(ConflictError)
    async def conflict(request: Request, exc: ConflictError) -> Response:
        return _problem(request, 409, str(exc))

    @app.exception_handler(ReviewError)
    async def refused(request: Request, exc: ReviewError) -> Response:
        return _problem(request, 400, str(exc))

    @app.exception_handler(CurbsideError)
    async def failed(request: Request, exc: CurbsideError) -> Response:
        return _problem(request, 400, str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return _problem(request, exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = safe_errors(exc.errors())
        if _is_api(request):
            return JSONResponse({"detail": errors}, status_code=422)
        fields = ", ".join(e["loc"][-1] if e["loc"] else "?" for e in errors)
        return _problem(request, 422, f"missing or invalid form field(s): {fields}")


def create_app(
    library_path: Path | str,
    *,
    dense: bool = False,
    engine_factory: EngineFactory | None = None,
    secure_cookies: bool | None = None,
    allowed_hosts: Sequence[str] | None = None,
    warm: bool = False,
    cds: Any = None,
    two_person_rule: bool = True,
    ask_threads: int = ASK_THREADS,
    ask_queue: int = ASK_QUEUE,
    ask_mode: str = "thread",
) -> FastAPI:
    """The web application for the library at ``library_path``.

    ``secure_cookies``: None sets the cookies' ``Secure`` flag only over HTTPS.
    ``allowed_hosts``: Host header values to accept (guards a loopback server against
    DNS rebinding); None accepts any. ``warm`` builds the answer engines at start-up.
    ``cds``: the CDS Hooks trust configuration (``curbside.clinical.trust.CdsConfig``);
    None trusts no EHR. ``two_person_rule``: approval needs a reviewer other than the
    version's author and the review's starter. ``ask_threads``/``ask_queue``: the ask pool's
    workers and how many questions may wait for them before 503; ``ask_mode``: ``thread`` or
    ``process`` workers (see :mod:`curbside.web.asking`).
    """
    from curbside.web.routes import register_routes

    path = Path(library_path)
    Library.open(path).close()  # create or migrate now, so a bad path fails at start-up
    state = WebState(
        path,
        engine_factory or default_engine_factory(dense),
        secure_cookies,
        two_person_rule=two_person_rule,
        ask_threads=ask_threads,
        ask_queue=ask_queue,
        ask_mode=ask_mode,
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if warm:
            await run_in_threadpool(state.warm)
        yield
        state.close()

    app = FastAPI(
        title="curbside",
        summary="Evidence-grounded clinical answers and their editorial review.",
        version="0.1.0",
        # The stock Swagger/ReDoc pages load scripts from a CDN; /api/docs is served locally.
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(request_context)],
        lifespan=lifespan,
    )
    app.state.web = state
    app.state.cds = cds
    if allowed_hosts:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))
    app.add_middleware(BodyLimitMiddleware)
    # Added last, so it runs outermost: even a refused Host gets the security headers.
    app.add_middleware(SecurityMiddleware, secure_cookies=secure_cookies)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    _install_handlers(app)
    register_routes(app)
    return app


#: Environment variables ``curbside serve`` uses to hand settings to each server worker.
ENV_LIBRARY = "CURBSIDE_WEB_LIBRARY"
ENV_DENSE = "CURBSIDE_WEB_DENSE"
ENV_SECURE = "CURBSIDE_WEB_SECURE_COOKIES"
ENV_HOSTS = "CURBSIDE_WEB_ALLOWED_HOSTS"
ENV_WARM = "CURBSIDE_WEB_WARM"
#: CDS Hooks: the trust file, and "1" to accept unsigned calls from loopback (``--cds-dev``).
ENV_CDS_TRUST = "CURBSIDE_WEB_CDS_TRUST"
ENV_CDS_DEV = "CURBSIDE_WEB_CDS_DEV"


def cds_config_from_env() -> Any:
    """The CDS trust configuration ``curbside serve`` handed over, or None."""
    import os

    trust = os.environ.get(ENV_CDS_TRUST, "")
    dev = os.environ.get(ENV_CDS_DEV, "0") == "1"
    if not trust and not dev:
        return None
    # Only a server configured for CDS Hooks needs the ``cds`` extra.
    from curbside.clinical.trust import CdsConfig, load_trust

    return load_trust(Path(trust), dev_unsigned=dev) if trust else CdsConfig(dev_unsigned=dev)


ENV_TWO_PERSON = "CURBSIDE_WEB_TWO_PERSON_RULE"
ENV_ASK_THREADS = "CURBSIDE_WEB_ASK_THREADS"
ENV_ASK_QUEUE = "CURBSIDE_WEB_ASK_QUEUE"
ENV_ASK_MODE = "CURBSIDE_WEB_ASK_MODE"


def create_app_from_env() -> FastAPI:
    """The app as configured by ``curbside serve`` (uvicorn calls this in every worker)."""
    import os

    secure = os.environ.get(ENV_SECURE, "")
    hosts = [h for h in os.environ.get(ENV_HOSTS, "").split(",") if h]
    return create_app(
        os.environ[ENV_LIBRARY],
        dense=os.environ.get(ENV_DENSE, "0") == "1",
        secure_cookies=None if secure == "" else secure == "1",
        allowed_hosts=hosts or None,
        warm=os.environ.get(ENV_WARM, "0") == "1",
        cds=cds_config_from_env(),
        two_person_rule=os.environ.get(ENV_TWO_PERSON, "1") == "1",
        ask_threads=int(os.environ.get(ENV_ASK_THREADS) or ASK_THREADS),
        ask_queue=int(os.environ.get(ENV_ASK_QUEUE) or ASK_QUEUE),
        ask_mode=os.environ.get(ENV_ASK_MODE) or "process",
    )
