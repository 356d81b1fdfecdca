"""Terminal rendering with Rich: headings, superscript citations, tables.

Source text is passed to Rich as plain :class:`~rich.text.Text`, never as markup, so
square brackets in a quote cannot restyle the output; and every piece of it goes
through :func:`~curbside.text.safe.terminal_safe` first, so escape sequences in a
document cannot retitle the window, clear the screen or disguise a link.
"""

from __future__ import annotations

import io

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

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
    ABSTAIN_TITLE,
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

_TIER_STYLE = {"guideline": "bold green", "label": "bold blue", "research": "bold magenta"}


def _text(value: str, style: str = "") -> Text:
    """Untrusted text as a Rich Text, control sequences removed."""
    return Text(terminal_safe(value), style=style)


def _statement(statement: Statement, bullet: bool) -> Text:
    text = Text("• " if bullet else "")
    text.append(terminal_safe(statement.text))
    text.append(superscript(cited_numbers(statement)), style="bold cyan")
    return text


def _key_numbers(answer: Answer) -> list[RenderableType]:
    if not answer.key_numbers:
        return []
    table = Table(title=KEY_NUMBERS_TITLE, title_justify="left", expand=True, show_lines=False)
    for column in ("Value", "What it measures", "Comparator", "Ref"):
        table.add_column(column, overflow="fold")
    for k in answer.key_numbers:
        table.add_row(_text(k.value), _text(k.measure), _text(k.comparator or "—"), Text(str(k.n)))
    return [table, Text("")]


def _head(answer: Answer) -> list[RenderableType]:
    out: list[RenderableType] = [_text(answer.question, "bold"), _text(header_line(answer), "dim")]
    facets = facets_line(answer)
    if facets:
        out.append(_text(facets, "cyan"))
    out.append(Text(""))
    if answer.generator is not None and answer.generator.notice:
        out.append(
            Panel(
                _text(answer.generator.notice),
                title=GENERATOR_NOTICE_TITLE,
                border_style="yellow",
            )
        )
    return out


def _bottom_line_and_gaps(answer: Answer) -> list[RenderableType]:
    out: list[RenderableType] = []
    if answer.bottom_line:
        out.append(Text(BOTTOM_LINE_TITLE, style="bold"))
        out += [Padding(_statement(s, True), (0, 0, 0, 2)) for s in answer.bottom_line]
        out.append(Text(""))
    if answer.gaps:
        out.append(Text(GAPS_TITLE, style="bold yellow"))
        out += [Padding(_text(gap_line(g)), (0, 0, 0, 2)) for g in answer.gaps]
        out.append(Text(""))
    return out


def renderables(answer: Answer) -> list[RenderableType]:
    """The answer as a list of Rich renderables."""
    out = _head(answer)
    urgent, rest = split_disclaimer(answer)
    if answer.abstained:
        out.append(
            Panel(
                _text(answer.message or ABSTAIN_FALLBACK),
                title=ABSTAIN_TITLE,
                border_style="yellow",
            )
        )
    if urgent:
        out.append(Panel(_text(urgent, "bold"), border_style="red"))
    out += _bottom_line_and_gaps(answer)
    if numbers_first(answer):
        out += _key_numbers(answer)
    for section in answer.sections:
        out.append(_text(section.title, _TIER_STYLE.get(section.tier, "bold")))
        for block in section.blocks:
            if block.heading:
                out.append(_text(block.heading, "italic"))
                out += [Padding(_statement(s, True), (0, 0, 0, 2)) for s in block.statements]
            else:
                out += [_statement(s, False) for s in block.statements]
        out.append(Text(""))
    if not numbers_first(answer):
        out += _key_numbers(answer)
    if answer.conflicts:
        out.append(Text(CONFLICTS_TITLE, style="bold yellow"))
        for conflict in answer.conflicts:
            out.append(_text(conflict.topic, "italic"))
            out += [Padding(_statement(s, True), (0, 0, 0, 2)) for s in conflict.statements]
        out.append(Text(""))
    if answer.terms:
        out.append(Text(TERMS_TITLE, style="bold"))
        for t in answer.terms:
            line = _text(f"  {t.term}", "bold")
            line.append(f": {terminal_safe(t.meaning)}", style="")
            out.append(line)
        out.append(Text(""))
    if answer.references:
        table = Table(title=REFERENCES_TITLE, title_justify="left", expand=True)
        table.add_column("#", justify="right", no_wrap=True)
        table.add_column("Source", overflow="fold")
        table.add_column("Evidence", overflow="fold")
        for ref in answer.references:
            entry = _text(reference_text(ref.source))
            for label, value, _link in identifiers(ref.source):
                entry.append(f" {label}: {terminal_safe(value)}", style="dim")
            evidence = _text(" · ".join(badges(ref.source)))
            note = reference_quote_note(answer, ref.n)
            if note:
                evidence.append(f"\n{note}", style="dim")
            replaced = superseded_note(answer, ref.source)
            if replaced:
                evidence.append(f"\n{terminal_safe(replaced)}", style="bold yellow")
            table.add_row(str(ref.n), entry, evidence)
        out += [table, Text("")]
    if answer.follow_ups:
        out.append(Text(follow_up_title(answer), style="bold"))
        out += [_text(f"  → {q}") for q in answer.follow_ups]
        out.append(Text(""))
    more = brief_note(answer)
    if more:
        out += [Text(f"{more} {BRIEF_NOTE_CLI}", style="italic"), Text("")]
    provenance = provenance_line(answer)
    if provenance:
        out.append(_text(provenance, "dim"))
    out.append(_text(rest, "dim italic"))
    return out


def print_answer(answer: Answer, console: Console) -> None:
    """Print the answer to ``console``."""
    console.print(Group(*renderables(answer)))


def render_terminal(answer: Answer, *, width: int = 100, color: bool = False) -> str:
    """The answer as terminal text (ANSI colours only when ``color``)."""
    buffer = io.StringIO()
    console = Console(
        file=buffer, width=width, force_terminal=color, color_system="standard" if color else None
    )
    print_answer(answer, console)
    return buffer.getvalue()
