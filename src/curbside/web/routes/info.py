"""Static information pages: the editorial policy and the API reference (no CDN)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from curbside.store import Library
from curbside.web.deps import get_lib
from curbside.web.templating import page

router = APIRouter()


@router.get("/policy", include_in_schema=False)
def policy_page(request: Request, lib: Library = Depends(get_lib)) -> Response:
    """How articles are produced, grounded, reviewed, versioned and flagged stale."""
    return page(
        request, "policy.html", {"fingerprint": lib.fingerprint(), "sources": lib.source_count()}
    )


def _schema_name(schema: dict[str, Any]) -> str:
    ref = schema.get("$ref", "")
    if ref:
        return str(ref).rsplit("/", 1)[-1]
    if schema.get("type") == "array":
        return f"list of {_schema_name(schema.get('items', {}))}"
    if "anyOf" in schema:
        return " or ".join(_schema_name(s) for s in schema["anyOf"])
    return str(schema.get("type", "object"))


def describe_openapi(spec: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI document flattened for a readable, script-free reference page."""
    operations = []
    for path, methods in spec.get("paths", {}).items():
        for method, op in methods.items():
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            operations.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "params": [
                        {
                            "name": p["name"],
                            "where": p["in"],
                            "required": p.get("required", False),
                            "type": _schema_name(p.get("schema", {})),
                        }
                        for p in op.get("parameters", [])
                        if p["name"].lower() != "x-csrf-token"
                    ],
                    "body": _schema_name(body["schema"]) if body else "",
                    "responses": sorted(op.get("responses", {})),
                    "csrf": method.upper() not in ("GET", "HEAD", "OPTIONS"),
                }
            )
    schemas = []
    for name, schema in spec.get("components", {}).get("schemas", {}).items():
        required = set(schema.get("required", []))
        schemas.append(
            {
                "name": name,
                "description": schema.get("description", ""),
                "fields": [
                    {
                        "name": f,
                        "type": _schema_name(s),
                        "required": f in required,
                        "description": s.get("description", ""),
                    }
                    for f, s in schema.get("properties", {}).items()
                ],
            }
        )
    return {
        "operations": operations,
        "schemas": schemas,
        "title": spec.get("info", {}).get("title"),
    }


@router.get("/api/docs", include_in_schema=False)
def api_docs(request: Request) -> Response:
    """A readable API reference built from ``/openapi.json`` on the server."""
    return page(request, "apidocs.html", describe_openapi(request.app.openapi()))
