"""A CDS Hooks card from an answer's JSON form.

The card quotes cited statements, never paraphrases them; its source says whether it is
an editorially approved article or an unreviewed answer. Source text is escaped for
markdown, so a hostile title or passage cannot inject links, images or HTML into the EHR.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from curbside.models import Facet
from curbside.wording import BOTTOM_LINE_TITLE

#: The specification's limit on a card summary.
SUMMARY_LIMIT = 140
#: Statements quoted in a card's detail (the full answer is one click away).
MAX_STATEMENTS = 6
#: Reference links offered under the card.
MAX_LINKS = 3

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~&])")


def escape_markdown(text: str) -> str:
    """Text shown literally by a markdown renderer (no links, emphasis or HTML).

    Angle brackets become entities rather than backslash escapes: some renderers pass
    ``\\<`` through as raw HTML, none turns ``&lt;`` into a tag.
    """
    flat = " ".join(text.split())
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", flat)
    return escaped.replace("<", "&lt;").replace(">", "&gt;")


def shorten(text: str, limit: int) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters (with "…")."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:")
    return cut + "…"


@dataclass(frozen=True)
class CardOrigin:
    """Where a card's answer came from and where to read all of it."""

    #: ``article`` for an approved article, ``answer`` for a fresh, unreviewed answer.
    kind: str
    url: str
    #: The question the answer is for (the core question after a fallback).
    question: str
    #: Patient facts the card was derived from.
    facets: tuple[Facet, ...] = ()
    #: True when the answer covers the condition or drug in general, not the particulars.
    general: bool = False
    stale: bool = False


def _statements(answer: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for statement in answer.get("bottom_line", []):
        out.append((BOTTOM_LINE_TITLE, statement))
    for section in answer.get("sections", []):
        for block in section.get("blocks", []):
            for statement in block.get("statements", []):
                out.append((str(section.get("title", "")), statement))
    return out


def _reference_link(ref: dict[str, Any]) -> str | None:
    if ref.get("doi"):
        return f"https://doi.org/{ref['doi']}"
    if ref.get("pmid"):
        return f"https://pubmed.ncbi.nlm.nih.gov/{ref['pmid']}/"
    url = str(ref.get("url") or "")
    return url if url.lower().startswith("https://") else None


def _context_line(facets: Sequence[Facet]) -> str:
    groups: dict[str, list[str]] = {}
    for f in facets:
        groups.setdefault(f.kind, []).append(f.value)
    parts = []
    for kind, label in (
        ("age", "age"),
        ("sex", "sex"),
        ("condition", "conditions"),
        ("medication", "medications"),
        ("lab", "latest labs"),
    ):
        if groups.get(kind):
            parts.append(f"{label}: " + "; ".join(escape_markdown(v) for v in groups[kind]))
    return " · ".join(parts)


def render_detail(answer: dict[str, Any], origin: CardOrigin) -> str:
    """The card's markdown: question, patient context, cited statements, references."""
    lines = [f"**Question:** {escape_markdown(origin.question)}", ""]
    context = _context_line(origin.facets)
    if context:
        lines.extend([f"**From the chart:** {context}", ""])
    if origin.general:
        lines.append(
            "_The library has nothing specific to this patient's particulars; these statements"
            " are about the topic in general._"
        )
        lines.append("")
    shown: set[int] = set()
    current = None
    for title, statement in _statements(answer)[:MAX_STATEMENTS]:
        if title != current:
            lines.append(f"**{escape_markdown(title)}**")
            lines.append("")
            current = title
        numbers = sorted({int(c["n"]) for c in statement.get("citations", [])})
        shown.update(numbers)
        marks = "".join(f" \\[{n}\\]" for n in numbers)
        lines.append(f"- {escape_markdown(str(statement.get('text', '')))}{marks}")
        lines.append("")
    refs = [r for r in answer.get("references", []) if int(r.get("n", 0)) in shown]
    if refs:
        lines.append("**References**")
        lines.append("")
        for ref in refs:
            year = f" ({ref['year']})" if ref.get("year") else ""
            lines.append(f"{ref['n']}\\. {escape_markdown(str(ref.get('title', '')))}{year}")
            lines.append("")
    state = (
        "Approved by curbside's editorial board"
        if origin.kind == "article"
        else ("Unreviewed answer generated from the library")
    )
    if origin.stale:
        state += " (its evidence has changed since; re-review pending)"
    lines.append(f"_{state}. {escape_markdown(str(answer.get('disclaimer', '')))}_")
    return "\n".join(lines).strip()


def render_card(answer: dict[str, Any], origin: CardOrigin, topic: str) -> dict[str, Any]:
    """One CDS Hooks card for ``answer``; ``topic`` names what it is about."""
    kind = "approved article" if origin.kind == "article" else "unreviewed answer"
    summary = shorten(f"Cited evidence on {topic} ({kind})", SUMMARY_LIMIT)
    links: list[dict[str, Any]] = [
        {"label": "Full answer in curbside", "url": origin.url, "type": "absolute"}
    ]
    cited = {int(c["n"]) for _, s in _statements(answer)[:MAX_STATEMENTS] for c in s["citations"]}
    for ref in answer.get("references", []):
        link = _reference_link(ref)
        if link and int(ref.get("n", 0)) in cited and len(links) <= MAX_LINKS:
            label = shorten(f"[{ref['n']}] {ref.get('title', '')}", 80)
            links.append({"label": label, "url": link, "type": "absolute"})
    return {
        "uuid": str(uuid.uuid4()),
        "summary": summary,
        "indicator": "info",
        "detail": render_detail(answer, origin),
        "source": {
            "label": f"curbside — {kind}",
            "url": origin.url,
        },
        "links": links,
    }


def has_content(answer: dict[str, Any]) -> bool:
    """Whether an answer has anything to show (not abstained, at least one statement)."""
    return not answer.get("abstained") and bool(_statements(answer))


_PREVIEW_STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; background: #eef1f4; margin: 24px; }
.card { background: #fff; border-left: 6px solid #2d6cdf; border-radius: 6px; padding: 16px 20px;
        max-width: 760px; box-shadow: 0 1px 3px rgba(0,0,0,.15); }
.summary { font-size: 17px; font-weight: 600; margin: 0 0 4px; }
.meta { color: #555; font-size: 13px; margin-bottom: 10px; }
.links a { display: inline-block; margin: 8px 12px 0 0; font-size: 13px; }
"""


def card_html(card: dict[str, Any]) -> str:
    """A standalone HTML preview of a card, laid out as EHRs commonly show them.

    The detail is rendered by CommonMark with raw HTML disabled, as a careful EHR would;
    used for documentation screenshots and manual checks.
    """
    from html import escape

    from markdown_it import MarkdownIt

    detail = MarkdownIt("commonmark", {"html": False}).render(str(card.get("detail", "")))
    links = "".join(
        f'<a href="{escape(str(link["url"]))}">{escape(str(link["label"]))}</a>'
        for link in card.get("links", [])
    )
    source = card.get("source", {})
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>CDS card</title>"
        f"<style>{_PREVIEW_STYLE}</style></head><body><div class='card'>"
        f"<p class='summary'>{escape(str(card.get('summary', '')))}</p>"
        f"<div class='meta'>indicator: {escape(str(card.get('indicator', '')))} · source: "
        f"{escape(str(source.get('label', '')))}</div>{detail}"
        f"<div class='links'>{links}</div></div></body></html>"
    )
