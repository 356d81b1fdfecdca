"""Markdown rendering of an answer. Source text is escaped so it cannot inject markup."""

from __future__ import annotations

import re

from curbside.models import Answer, Statement
from curbside.render.common import (
    badges,
    cited_numbers,
    follow_up_title,
    identifiers,
    numbers_first,
    reference_text,
    split_disclaimer,
    superscript,
)

_SPECIAL = re.compile(r"([\\`*_\[\]|#])")


def escape(text: str) -> str:
    """Escape Markdown syntax and raw HTML in ``text``."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SPECIAL.sub(r"\\\1", text)


def _statement(statement: Statement) -> str:
    return f"{escape(statement.text)}{superscript(cited_numbers(statement))}"


def _key_numbers(answer: Answer) -> list[str]:
    if not answer.key_numbers:
        return []
    lines = [
        "## Key numbers",
        "",
        "| Value | What it measures | Comparator | Source |",
        "|---|---|---|---|",
    ]
    for k in answer.key_numbers:
        lines.append(
            f"| {escape(k.value)} | {escape(k.measure)} | {escape(k.comparator or '—')} | [{k.n}](#ref-{k.n}) |"
        )
    return [*lines, ""]


def render_markdown(answer: Answer) -> str:
    """The answer as a Markdown document."""
    out = [f"# {escape(answer.question)}", ""]
    meta = f"*{answer.status.replace('_', ' ').title()} · last updated {answer.last_updated or '—'} · for {answer.audience}s*"
    out += [meta, ""]
    urgent, rest = split_disclaimer(answer)
    if answer.abstained:
        out += [f"> {escape(answer.message or 'No relevant evidence in the library.')}", ""]
    if urgent:
        out += [f"> **{escape(urgent)}**", ""]
    if numbers_first(answer):
        out += _key_numbers(answer)
    for section in answer.sections:
        out += [f"## {escape(section.title)}", ""]
        for block in section.blocks:
            if block.heading:
                out += [f"### {escape(block.heading)}", ""]
                out += [f"- {_statement(s)}" for s in block.statements]
            else:
                out += [" ".join(_statement(s) for s in block.statements)]
            out.append("")
    if not numbers_first(answer):
        out += _key_numbers(answer)
    if answer.conflicts:
        out += ["## Where sources disagree", ""]
        for conflict in answer.conflicts:
            out += [f"**{escape(conflict.topic)}**", ""]
            out += [f"- {_statement(s)}" for s in conflict.statements]
            out.append("")
    if answer.references:
        out += ["## References", ""]
        for ref in answer.references:
            ids = "; ".join(
                f"{label} [{escape(value)}]({link})" if link else f"{label} {escape(value)}"
                for label, value, link in identifiers(ref.source)
            )
            entry = escape(reference_text(ref.source)) + (f" {ids}." if ids else "")
            tags = " · ".join(escape(b) for b in badges(ref.source))
            out.append(f'{ref.n}. <a id="ref-{ref.n}"></a>{entry} — *{tags}*')
        out.append("")
    if answer.follow_ups:
        out += [f"## {follow_up_title(answer)}", ""]
        out += [f"- {escape(q)}" for q in answer.follow_ups]
        out.append("")
    out += ["---", "", f"*{escape(rest)}*", ""]
    return "\n".join(out)
