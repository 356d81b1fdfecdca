"""Terminal rendering with Rich: headings, superscript citations, tables.

Source text is passed to Rich as plain :class:`~rich.text.Text`, never as markup, so
square brackets in a quote cannot restyle the output.
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
    cited_numbers,
    follow_up_title,
    identifiers,
    numbers_first,
    reference_text,
    split_disclaimer,
    superscript,
)

_TIER_STYLE = {"guideline": "bold green", "label": "bold blue", "research": "bold magenta"}


def _statement(statement: Statement, bullet: bool) -> Text:
    text = Text("• " if bullet else "")
    text.append(statement.text)
    text.append(superscript(cited_numbers(statement)), style="bold cyan")
    return text


def _key_numbers(answer: Answer) -> list[RenderableType]:
    if not answer.key_numbers:
        return []
    table = Table(title="Key numbers", title_justify="left", expand=True, show_lines=False)
    for column in ("Value", "What it measures", "Comparator", "Ref"):
        table.add_column(column, overflow="fold")
    for k in answer.key_numbers:
        table.add_row(Text(k.value), Text(k.measure), Text(k.comparator or "—"), Text(str(k.n)))
    return [table, Text("")]


def renderables(answer: Answer) -> list[RenderableType]:
    """The answer as a list of Rich renderables."""
    out: list[RenderableType] = [Text(answer.question, style="bold")]
    out.append(
        Text(
            f"{answer.status.replace('_', ' ').title()} · last updated {answer.last_updated or '—'} · "
            f"for {answer.audience}s",
            style="dim",
        )
    )
    out.append(Text(""))
    urgent, rest = split_disclaimer(answer)
    if answer.abstained:
        out.append(
            Panel(
                Text(answer.message or "No relevant evidence in the library."),
                title="No answer from this library",
                border_style="yellow",
            )
        )
    if urgent:
        out.append(Panel(Text(urgent, style="bold"), border_style="red"))
    if numbers_first(answer):
        out += _key_numbers(answer)
    for section in answer.sections:
        out.append(Text(section.title, style=_TIER_STYLE.get(section.tier, "bold")))
        for block in section.blocks:
            if block.heading:
                out.append(Text(block.heading, style="italic"))
                out += [Padding(_statement(s, True), (0, 0, 0, 2)) for s in block.statements]
            else:
                out += [_statement(s, False) for s in block.statements]
        out.append(Text(""))
    if not numbers_first(answer):
        out += _key_numbers(answer)
    if answer.conflicts:
        out.append(Text("Where sources disagree", style="bold yellow"))
        for conflict in answer.conflicts:
            out.append(Text(conflict.topic, style="italic"))
            out += [Padding(_statement(s, True), (0, 0, 0, 2)) for s in conflict.statements]
        out.append(Text(""))
    if answer.references:
        table = Table(title="References", title_justify="left", expand=True)
        table.add_column("#", justify="right", no_wrap=True)
        table.add_column("Source", overflow="fold")
        table.add_column("Evidence", overflow="fold")
        for ref in answer.references:
            entry = Text(reference_text(ref.source))
            for label, value, _link in identifiers(ref.source):
                entry.append(f" {label}: {value}", style="dim")
            table.add_row(str(ref.n), entry, Text(" · ".join(badges(ref.source))))
        out += [table, Text("")]
    if answer.follow_ups:
        out.append(Text(follow_up_title(answer), style="bold"))
        out += [Text(f"  → {q}") for q in answer.follow_ups]
        out.append(Text(""))
    out.append(Text(rest, style="dim italic"))
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
