"""CDS Hooks 2.0 service (``/cds-services``) and FHIR R5 export of answers and articles.

Every hook call is authenticated by the EHR's signed JWT before its body is read as
JSON; a call that fails any check gets 401 and nothing is answered. Errors are one-line
JSON: 400 malformed request, 401 authentication, 404 unknown service, 412 missing
prefetch, 413 too large. A request about which the library has nothing gets no card.
"""

from __future__ import annotations

import ipaddress
import json
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from curbside.answer import threads
from curbside.clinical.ask import (
    Query,
    approved_article,
    order_query,
    patient_view_query,
)
from curbside.clinical.context import (
    ContextError,
    PatientContext,
    medication_name,
    patient_context,
    resources,
)
from curbside.clinical.hooks import MAX_REQUEST_BYTES, SERVICES, HookRequest, selected_ids
from curbside.clinical.trust import Caller, CdsConfig, Unauthorized, bearer, verify_jwt
from curbside.errors import CurbsideError
from curbside.render.cds import CardOrigin, has_content, render_card
from curbside.render.fhir import answer_bundle
from curbside.review import workflow
from curbside.review.accounts import User
from curbside.store import Library
from curbside.store.tokens import remember_jti
from curbside.web.asking import web_request
from curbside.web.deps import NotFound, current_user, get_lib, web_state
from curbside.web.routes.api import AskRequest as AskBody

router = APIRouter(tags=["cds-hooks"])

#: Drugs of one order-select call answered (each costs an engine call).
MAX_ORDER_CARDS = 2


class HookProblem(Exception):
    """A hook call refused with ``status`` and a one-line reason."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def cds_config(request: Request) -> CdsConfig:
    """The app's CDS trust configuration (an empty allow-list when none was given)."""
    config = getattr(request.app.state, "cds", None)
    return config if isinstance(config, CdsConfig) else CdsConfig()


def _is_loopback(request: Request) -> bool:
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _base_url(request: Request, config: CdsConfig) -> str:
    return config.audience or str(request.base_url).rstrip("/")


async def _read_body(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_REQUEST_BYTES:
        raise HookProblem(413, f"hook request larger than {MAX_REQUEST_BYTES // 1024} KiB")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_REQUEST_BYTES:
            raise HookProblem(413, f"hook request larger than {MAX_REQUEST_BYTES // 1024} KiB")
    return bytes(body)


def _authenticate(request: Request, lib: Library, config: CdsConfig) -> Caller:
    token = bearer(request.headers.get("authorization"))
    if token is None:
        if config.dev_unsigned and _is_loopback(request):
            return Caller("unsigned (cds-dev)", None, None, unsigned=True)
        raise Unauthorized("a CDS Hooks request must carry the EHR's signed JWT as a bearer token")
    url = str(request.url).split("?", 1)[0]
    audiences = [url]
    if config.audience:
        audiences.append(config.audience + request.url.path)
    return verify_jwt(
        token, config, audiences, lambda iss, jti, exp: remember_jti(lib, iss, jti, exp)
    )


def _parse(body: bytes, hook: str) -> HookRequest:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as err:
        raise HookProblem(400, "the hook request is not valid JSON") from err
    except RecursionError as err:
        raise HookProblem(400, "the hook request is nested too deeply") from err
    try:
        parsed = HookRequest.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "body"
        raise HookProblem(400, f"invalid hook request: {where}: {first.get('msg')}") from err
    if parsed.hook != hook:
        raise HookProblem(400, f"this service answers {hook!r}, not {parsed.hook!r}")
    return parsed


def _context(hook: HookRequest, required: tuple[str, ...]) -> PatientContext:
    patient_id = hook.context.get("patientId")
    if not isinstance(patient_id, str) or not patient_id:
        raise HookProblem(400, "context.patientId is missing")
    prefetch = hook.prefetch or {}
    missing = [k for k in required if prefetch.get(k) is None]
    if missing:
        # curbside never fetches from the EHR's FHIR server, so the data must come prefetched.
        raise HookProblem(412, f"prefetch {', '.join(missing)} is required and was not sent")
    patient = prefetch["patient"]
    if isinstance(patient, dict) and patient.get("id") not in (None, patient_id):
        raise HookProblem(400, "prefetch patient is not the patient in context.patientId")
    try:
        return patient_context(prefetch)
    except ContextError as err:
        raise HookProblem(400, f"invalid prefetch: {err}") from err


def _order_drugs(hook: HookRequest) -> list[str]:
    selected = set(selected_ids(hook.context))
    try:
        orders = list(resources(hook.context.get("draftOrders"), "MedicationRequest"))
    except ContextError as err:
        raise HookProblem(400, f"invalid context.draftOrders: {err}") from err
    drugs: list[str] = []
    for order in orders:
        if selected and f"MedicationRequest/{order.get('id')}" not in selected:
            continue
        name = medication_name(order)
        if name and name.lower() not in {d.lower() for d in drugs}:
            drugs.append(name)
    return drugs[:MAX_ORDER_CARDS]


def _card(request: Request, lib: Library, query: Query, base: str) -> dict[str, Any] | None:
    """The card for one derived question: an approved article, else a fresh answer, else None."""
    facets = query.request.facets
    article = approved_article(lib, [query.request.question, query.core])
    if article is not None:
        origin = CardOrigin(
            "article",
            f"{base}/articles/{article.article_id}",
            str(article.answer.get("question", query.core)),
            facets,
            general=article.answer.get("question") != query.request.question,
            stale=article.stale,
        )
        return render_card(article.answer, origin, query.topic)
    question = query.request.question
    answer = web_state(request).ask(query.request)
    if not has_content(answer):
        return None
    # The answer is recorded as a thread, so the card's link opens exactly it.
    tid = threads.new_thread_id()
    threads.add_turn(lib.conn, tid, question, question, json.dumps(answer, ensure_ascii=False))
    origin = CardOrigin("answer", f"{base}/threads/{tid}", question, facets, general=False)
    return render_card(answer, origin, query.topic)
    return None


def _cards(request: Request, lib: Library, service_id: str, hook: HookRequest) -> list[Any]:
    service = SERVICES[service_id]
    ctx = _context(hook, service.required)
    base = _base_url(request, cds_config(request))
    if service.hook == "patient-view":
        found = patient_view_query(ctx)
        queries = [found] if found else []
    else:
        queries = [order_query(drug, ctx) for drug in _order_drugs(hook)]
    cards = [_card(request, lib, q, base) for q in queries]
    return [c for c in cards if c is not None]


def _problem(status: int, message: str) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse({"detail": message}, status_code=status, headers=headers)


@router.get("/cds-services", summary="CDS Hooks discovery")
def discovery() -> dict[str, Any]:
    """The services this curbside offers, with their prefetch templates."""
    return {"services": [s.discovery() for s in SERVICES.values()]}


@router.post("/cds-services/{service_id}", summary="Call a CDS service")
async def call_service(
    service_id: str, request: Request, lib: Library = Depends(get_lib)
) -> Response:
    """Cards for a ``patient-view`` or ``order-select`` call (JWT-authenticated)."""
    service = SERVICES.get(service_id)
    if service is None:
        return _problem(404, f"no CDS service {service_id!r}; see GET /cds-services")
    try:
        body = await _read_body(request)
        await run_in_threadpool(_authenticate, request, lib, cds_config(request))
        hook = _parse(body, service.hook)
        cards = await run_in_threadpool(_cards, request, lib, service_id, hook)
    except HookProblem as err:
        return _problem(err.status, str(err))
    except Unauthorized as err:
        return _problem(401, str(err))
    except CurbsideError as err:
        return _problem(400, str(err))
    return JSONResponse({"cards": cards})


@router.post("/api/ask/fhir", summary="Ask; the answer as a FHIR R5 Bundle", tags=["api"])
def api_ask_fhir(body: AskBody, request: Request) -> Response:
    """Like ``POST /api/ask``, but the answer comes back as a FHIR R5 Bundle."""
    question = " ".join(body.question.split())
    if not question:
        return JSONResponse({"detail": "type a question first"}, status_code=422)
    answer = web_state(request).ask(web_request(question, body.audience))
    return JSONResponse(answer_bundle(answer), media_type="application/fhir+json")


@router.get(
    "/api/articles/{article_id}/fhir", summary="An article as a FHIR R5 Bundle", tags=["api"]
)
def api_article_fhir(
    article_id: str,
    request: Request,
    lib: Library = Depends(get_lib),
    user: User | None = Depends(current_user),
) -> Response:
    """The article as a FHIR R5 Bundle, with its review state: the approved version for
    everyone, the version under work for signed-in reviewers."""
    article = workflow.get(lib, article_id)
    if article is None:
        raise NotFound(f"no article {article_id!r}")
    reviewer = user is not None and user.role in ("reviewer", "admin")
    number = article.current_version if reviewer else article.public_version
    if number is None:
        raise NotFound(f"article {article_id!r} has no approved version yet")
    stored = workflow.version(lib, article.id, number)
    if stored is None:
        raise NotFound(f"article {article_id!r} has no version {number}")
    status = "approved" if article.approved_version else article.status
    url = f"{str(request.base_url).rstrip('/')}/articles/{article.id}"
    return JSONResponse(
        answer_bundle(stored.answer, review_status=status, url=url),
        media_type="application/fhir+json",
    )
