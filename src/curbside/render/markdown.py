"""Markdown rendering of an answer. Source text is escaped so it cannot inject markup."""

from __future__ import annotations

import re

from curbside.models import Answer, Statement
from curbside.render.common import (
    badges,
    brief_note,
    cited_numbers,
    follow_up_title,
    identifiers,
    numbers_first,
    reference_quote_note,
    reference_text,
    split_disclaimer,
    superscript,
    superseded_note,
)
from curbside.text.safe import terminal_safe
from curbside.wording import (
    ABSTAIN_FALLBACK,
    BOTTOM_LINE_TITLE,
    BRIEF_NOTE_CLI,
    CONFLICTS_TITLE,
    GAPS_TITLE,
    GENERATOR_NOTICE_TITLE,
    KEY_NUMBERS_TITLE,
    REFERENCES_TITLE,
    TERMS_TITLE,
    facets_line,
    gap_line,
    header_line,
    provenance_line,
)

_SPECIAL = re.compile(r"([\\`*_\[\]|#])")


def escape(text: str) -> str:
    """Escape Markdown syntax and raw HTML in ``text``, and drop control sequences (first,
    so that escaping cannot split one into harmless-looking pieces)."""
    text = terminal_safe(text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SPECIAL.sub(r"\\\1", text)


def _statement(statement: Statement) -> str:
    return f"{escape(statement.text)}{superscript(cited_numbers(statement))}"


def _key_numbers(answer: Answer) -> list[str]:
    if not answer.key_numbers:
        return []
    lines = [
        f"## {KEY_NUMBERS_TITLE}",
        "",
        "| Value | What it measures | Comparator | Source |",
        "|---|---|---|---|",
    ]
    for k in answer.key_numbers:
        lines.append(
            f"| {escape(k.value)} | {escape(k.measure)} | {escape(k.comparator or '—')} | [{k.n}](#ref-{k.n}) |"
        )
    return [*lines, ""]


def _head(answer: Answer) -> list[str]:
    out = [f"# {escape(answer.question)}", "", f"*{escape(header_line(answer))}*", ""]
    facets = facets_line(answer)
    if facets:
        out += [f"**{escape(facets)}**", ""]
    if answer.generator is not None and answer.generator.notice:
        out += [f"> **{GENERATOR_NOTICE_TITLE}:** {escape(answer.generator.notice)}", ""]
    return out


def _bottom_line_and_gaps(answer: Answer) -> list[str]:
    out: list[str] = []
    if answer.bottom_line:
        out += [f"## {BOTTOM_LINE_TITLE}", ""]
        out += [f"- {_statement(s)}" for s in answer.bottom_line]
        out.append("")
    if answer.gaps:
        out += [f"## {GAPS_TITLE}", ""]
        out += [f"- {escape(gap_line(g))}" for g in answer.gaps]
        out.append("")
    return out


def render_markdown(answer: Answer) -> str:
    """The answer as a Markdown document."""
    out = _head(answer)
    urgent, rest = split_disclaimer(answer)
    if answer.abstained:
        out += [f"> {escape(answer.message or ABSTAIN_FALLBACK)}", ""]
    if urgent:
        out += [f"> **{escape(urgent)}**", ""]
    out += _bottom_line_and_gaps(answer)
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
        out += [f"## {CONFLICTS_TITLE}", ""]
        for conflict in answer.conflicts:
            out += [f"**{escape(conflict.topic)}**", ""]
            out += [f"- {_statement(s)}" for s in conflict.statements]
            out.append("")
    if answer.terms:
        out += [f"## {TERMS_TITLE}", ""]
        out += [f"- **{escape(t.term)}**: {escape(t.meaning)}" for t in answer.terms]
        out.append("")
    if answer.references:
        out += [f"## {REFERENCES_TITLE}", ""]
        for ref in answer.references:
            ids = "; ".join(
                f"{label} [{escape(value)}]({link})" if link else f"{label} {escape(value)}"
                for label, value, link in identifiers(ref.source)
            )
            entry = escape(reference_text(ref.source)) + (f" {ids}." if ids else "")
            tags = " · ".join(escape(b) for b in badges(ref.source))
            note = reference_quote_note(answer, ref.n)
            tags += f" · {note}" if note else ""
            replaced = superseded_note(answer, ref.source)
            tags += f" · **{escape(replaced)}**" if replaced else ""
            out.append(f'{ref.n}. <a id="ref-{ref.n}"></a>{entry} — *{tags}*')
        out.append("")
    if answer.follow_ups:
        out += [f"## {follow_up_title(answer)}", ""]
        out += [f"- {escape(q)}" for q in answer.follow_ups]
        out.append("")
    more = brief_note(answer)
    if more:
        out += [f"*{escape(more)} {escape(BRIEF_NOTE_CLI)}*", ""]
    out += ["---", ""]
    provenance = provenance_line(answer)
    if provenance:
        out += [f"*{escape(provenance)}*", ""]
    out += [f"*{escape(rest)}*", ""]
    return "\n".join(out)
