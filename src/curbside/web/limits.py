"""Request size limits, enforced before a body is parsed, stored or logged.

Every form and JSON body this app accepts is small (a question, a comment, a login), so
anything larger than :data:`MAX_BODY_BYTES` is refused with 413 before FastAPI reads it.
A declared ``Content-Length`` is checked up front; a chunked body is counted as it
arrives and cut off at the limit.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Largest request body accepted (the longest legitimate one is an edit form).
MAX_BODY_BYTES = 256 * 1024
#: Longest message of a validation error echoed back to the client.
MAX_ERROR_CHARS = 200


#: Paths whose routes bound their request bodies themselves.
OWN_LIMIT_PREFIXES = ("/cds-services",)


class BodyLimitMiddleware:
    """Refuse request bodies over ``limit`` bytes with 413 (pure ASGI, streaming-safe)."""

    def __init__(self, app: ASGIApp, *, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or str(scope.get("path", "")).startswith(OWN_LIMIT_PREFIXES):
            # CDS Hooks requests carry FHIR bundles; that route enforces its own larger limit.
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await _too_large(send, self.limit)
            return
        seen = 0
        started = refused = False

        async def counted_receive() -> Message:
            nonlocal seen, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    # Answer now and tell the app the client left: FastAPI turns any error
                    # raised while reading a body into a 400, which would hide the reason.
                    refused = True
                    if not started:
                        await _too_large(send, self.limit)
                    return {"type": "http.disconnect"}
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            if refused:
                return  # the 413 has been sent; whatever the app says now is dropped
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, counted_receive, tracked_send)


async def _too_large(send: Send, limit: int) -> None:
    body = json.dumps({"detail": f"request body too large (limit {limit // 1024} KiB)"}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def safe_errors(errors: Any) -> list[dict[str, Any]]:
    """Validation errors without the submitted input: field location, type and message only.

    Pydantic's errors carry the offending ``input`` (and sometimes it again in ``ctx``);
    echoing it would turn a 5 MB field into a 5 MB error response.
    """
    out: list[dict[str, Any]] = []
    for err in list(errors)[:20]:
        loc = [str(part)[:64] for part in err.get("loc", ())][:8]
        out.append(
            {
                "loc": loc,
                "type": str(err.get("type", ""))[:64],
                "msg": str(err.get("msg", ""))[:MAX_ERROR_CHARS],
            }
        )
    return out
