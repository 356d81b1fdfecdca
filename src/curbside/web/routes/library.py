"""The library browser: search and filter sources; a source with its passages and citers."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from curbside.models import TIERS, Passage, Source
from curbside.review.accounts import User
from curbside.store import Library
from curbside.store.browse import SourceFilter, list_sources
from curbside.web import queries
from curbside.web.deps import NotFound, current_user, get_lib
from curbside.web.present import badges_for, identifier_links
from curbside.web.templating import page

router = APIRouter()

PAGE_SIZE = 50


def source_filter(
    q: str = "",
    tier: str = "",
    design: str = "",
    year_from: int | None = Query(None, ge=0, le=3000),
    year_to: int | None = Query(None, ge=0, le=3000),
) -> SourceFilter:
    """The filter described by the browser's query string (blank means "any")."""
    return SourceFilter(
        tier=tier if tier in TIERS else None,
        design=design or None,
        year_from=year_from,
        year_to=year_to,
        text=q.strip()[:200] or None,
    )


def with_badges(row: dict[str, Any]) -> dict[str, Any]:
    """A source row with its badges and identifier links."""
    return {**row, "badges": badges_for(row), "links": identifier_links(row)}


def highlight(passage: Passage, start: int | None, end: int | None) -> list[tuple[str, bool]]:
    """The passage text cut into (text, highlighted) pieces around the span [start, end)."""
    if start is None or end is None or end <= passage.start or start >= passage.end:
        return [(passage.text, False)]
    a = max(start, passage.start) - passage.start
    b = min(end, passage.end) - passage.start
    pieces = [(passage.text[:a], False), (passage.text[a:b], True), (passage.text[b:], False)]
    return [p for p in pieces if p[0]]


def source_detail(lib: Library, src: Source, *, reviewer: bool = False) -> dict[str, Any]:
    """A source's metadata, references and the sources and articles that cite it.

    Readers who are not reviewers see only articles with an approved version.
    """
    meta = asdict(src)
    meta.pop("text")
    cited_by = lib.get_sources(lib.cited_by(src.id))
    return {
        "source": meta,
        "badges": badges_for(meta),
        "links": identifier_links(meta),
        "references": [dict(r) for r in lib.references_of(src.id)],
        "cited_by": [
            {"id": s.id, "title": s.title, "tier": s.tier, "year": s.year}
            for s in cited_by.values()
        ],
        "articles": [
            {"id": a.id, "question": a.question, "status": a.status}
            for a in queries.articles_citing(lib, src.id)
            if reviewer or a.approved_version is not None
        ],
    }


def _page_href(request: Request, number: int) -> str:
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "page" and v]
    return "/sources?" + urlencode([*params, ("page", str(number))])


@router.get("/sources", include_in_schema=False)
def sources_page(
    request: Request,
    page_no: int = Query(1, alias="page", ge=1, le=10_000),
    flt: SourceFilter = Depends(source_filter),
    lib: Library = Depends(get_lib),
) -> Response:
    """Search and filter the library by words, tier, design and year."""
    rows = list_sources(lib, flt, limit=PAGE_SIZE + 1, offset=(page_no - 1) * PAGE_SIZE)
    more = len(rows) > PAGE_SIZE
    lo, hi = queries.year_range(lib)
    ctx = {
        "rows": [with_badges(r) for r in rows[:PAGE_SIZE]],
        "flt": flt,
        "page_no": page_no,
        "more": more,
        "tiers": TIERS,
        "designs": queries.design_choices(lib),
        "year_lo": lo,
        "year_hi": hi,
        "total": lib.source_count(),
        "prev_href": _page_href(request, page_no - 1),
        "next_href": _page_href(request, page_no + 1),
    }
    if request.headers.get("hx-request"):
        return page(request, "_source_rows.html", ctx)
    return page(request, "sources.html", ctx)


@router.get("/sources/{source_id:path}", include_in_schema=False)
def source_page(
    source_id: str,
    request: Request,
    start: int | None = Query(None, ge=0),
    end: int | None = Query(None, ge=0),
    lib: Library = Depends(get_lib),
    user: User | None = Depends(current_user),
) -> Response:
    """One source: its badges, identifiers, passages (a cited span highlighted) and citers."""
    src = lib.get_source(source_id)
    if src is None:
        raise NotFound(f"no source {source_id!r} in this library")
    passages: list[dict[str, Any]] = []
    first_hit: str | None = None
    for p in lib.passages_of(source_id):
        pieces = highlight(p, start, end)
        hit = any(lit for _, lit in pieces)
        if hit and first_hit is None:
            first_hit = p.id
        passages.append({"p": p, "pieces": pieces, "hit": hit})
    reviewer = user is not None and user.can_review
    ctx = {
        **source_detail(lib, src, reviewer=reviewer),
        "passages": passages,
        "first_hit": first_hit,
    }
    return page(request, "source.html", ctx)
