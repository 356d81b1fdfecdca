"""A standalone HTML page for an answer. Every piece of text is escaped, so source text
containing markup (even ``<script>``) renders as inert text."""

from __future__ import annotations

import html

from curbside.models import Answer, Statement
from curbside.render.common import (
    badges,
    brief_note,
    citation_note,
    cited_numbers,
    follow_up_title,
    identifiers,
    numbers_first,
    reference_quote_note,
    reference_text,
    split_disclaimer,
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


def escape(text: str) -> str:
    """``text`` as inert HTML: control sequences dropped, then markup escaped."""
    return html.escape(terminal_safe(text))


_CSS = """
body{font:16px/1.55 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#1b1f24}
h1{font-size:1.45rem;line-height:1.3}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #d8dee4;padding-bottom:.2rem}
h3{font-size:1rem;margin:1.1rem 0 .3rem}.meta{color:#57606a;font-size:.9rem}
sup a{text-decoration:none;color:#0550ae;font-weight:600}.lead{margin:.4rem 0}
table{border-collapse:collapse;width:100%;font-size:.93rem}td,th{border:1px solid #d8dee4;padding:.3rem .5rem;text-align:left;vertical-align:top}
.badge{display:inline-block;border:1px solid #afb8c1;border-radius:.7rem;padding:0 .45rem;margin-right:.25rem;font-size:.78rem;color:#424a53}
.urgent{border-left:4px solid #cf222e;background:#fff5f5;padding:.6rem .9rem}.notice{border-left:4px solid #9a6700;background:#fff8c5;padding:.6rem .9rem}
.disclaimer{color:#57606a;font-size:.88rem;border-top:1px solid #d8dee4;margin-top:2rem;padding-top:.8rem}
"""


def _statement(statement: Statement, answer: Answer) -> str:
    refs = []
    for n in cited_numbers(statement):
        cites = [c for c in statement.citations if c.n == n]
        quotes = " … ".join(c.quote for c in cites)
        title = f"{citation_note(cites[0], answer)}: {quotes}"
        refs.append(f'<a href="#ref-{n}" title="{escape(title)}">{n}</a>')
    return f"{escape(statement.text)}<sup>{','.join(refs)}</sup>"


def _key_numbers(answer: Answer) -> list[str]:
    if not answer.key_numbers:
        return []
    rows = "".join(
        f"<tr><td>{escape(k.value)}</td><td>{escape(k.measure)}</td>"
        f'<td>{escape(k.comparator or "—")}</td><td><a href="#ref-{k.n}">{k.n}</a></td></tr>'
        for k in answer.key_numbers
    )
    return [
        f"<h2>{KEY_NUMBERS_TITLE}</h2>",
        "<table><thead><tr><th>Value</th><th>What it measures</th><th>Comparator</th>"
        f"<th>Source</th></tr></thead><tbody>{rows}</tbody></table>",
    ]


def render_html(answer: Answer) -> str:
    """The answer as a complete, self-contained HTML document (no scripts, no remote assets)."""
    body: list[str] = [f"<h1>{escape(answer.question)}</h1>"]
    body.append(f'<p class="meta">{escape(header_line(answer))}</p>')
    facets = facets_line(answer)
    if facets:
        body.append(f'<p class="facets">{escape(facets)}</p>')
    if answer.generator is not None and answer.generator.notice:
        body.append(
            f'<p class="notice"><strong>{GENERATOR_NOTICE_TITLE}:</strong> '
            f"{escape(answer.generator.notice)}</p>"
        )
    urgent, rest = split_disclaimer(answer)
    if answer.abstained:
        body.append(f'<p class="notice">{escape(answer.message or ABSTAIN_FALLBACK)}</p>')
    if urgent:
        body.append(f'<p class="urgent"><strong>{escape(urgent)}</strong></p>')
    if answer.bottom_line:
        items = "".join(f"<li>{_statement(s, answer)}</li>" for s in answer.bottom_line)
        body.append(
            f'<section class="bottom-line"><h2>{BOTTOM_LINE_TITLE}</h2><ul>{items}</ul></section>'
        )
    if answer.gaps:
        items = "".join(f"<li>{escape(gap_line(g))}</li>" for g in answer.gaps)
        body.append(f'<section class="gaps"><h2>{GAPS_TITLE}</h2><ul>{items}</ul></section>')
    if numbers_first(answer):
        body += _key_numbers(answer)
    for section in answer.sections:
        body.append(
            f'<section class="tier-{escape(section.tier)}"><h2>{escape(section.title)}</h2>'
        )
        for block in section.blocks:
            if block.heading:
                items = "".join(f"<li>{_statement(s, answer)}</li>" for s in block.statements)
                body.append(f"<h3>{escape(block.heading)}</h3><ul>{items}</ul>")
            else:
                body.append(
                    f'<p class="lead">{" ".join(_statement(s, answer) for s in block.statements)}</p>'
                )
        body.append("</section>")
    if not numbers_first(answer):
        body += _key_numbers(answer)
    if answer.conflicts:
        body.append(f"<h2>{CONFLICTS_TITLE}</h2>")
        for conflict in answer.conflicts:
            items = "".join(f"<li>{_statement(s, answer)}</li>" for s in conflict.statements)
            body.append(f"<h3>{escape(conflict.topic)}</h3><ul>{items}</ul>")
    if answer.terms:
        items_html = "".join(
            f"<dt>{escape(t.term)}</dt><dd>{escape(t.meaning)}</dd>" for t in answer.terms
        )
        body.append(f'<h2>{TERMS_TITLE}</h2><dl class="terms">{items_html}</dl>')
    if answer.references:
        entries: list[str] = []
        for ref in answer.references:
            ids = "; ".join(
                f'{escape(label)} <a href="{escape(link)}">{escape(value)}</a>'
                if link
                else f"{escape(label)} {escape(value)}"
                for label, value, link in identifiers(ref.source)
            )
            tags = "".join(f'<span class="badge">{escape(b)}</span>' for b in badges(ref.source))
            note = reference_quote_note(answer, ref.n)
            if note:
                tags += f' <span class="quote-kind">{escape(note)}</span>'
            replaced = superseded_note(answer, ref.source)
            if replaced:
                tags += f' <strong class="superseded">{escape(replaced)}</strong>'
            entries.append(
                f'<li id="ref-{ref.n}" value="{ref.n}">{escape(reference_text(ref.source))}'
                f"{' ' + ids + '.' if ids else ''} {tags}</li>"
            )
        body.append(f"<h2>{REFERENCES_TITLE}</h2><ol>{''.join(entries)}</ol>")
    if answer.follow_ups:
        items_html = "".join(f"<li>{escape(q)}</li>" for q in answer.follow_ups)
        body.append(f"<h2>{escape(follow_up_title(answer))}</h2><ul>{items_html}</ul>")
    more = brief_note(answer)
    if more:
        body.append(f'<p class="more">{escape(more)} {escape(BRIEF_NOTE_CLI)}</p>')
    provenance = provenance_line(answer)
    if provenance:
        body.append(f'<p class="disclaimer provenance">{escape(provenance)}</p>')
    body.append(f'<p class="disclaimer">{escape(rest)}</p>')
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(answer.question)}</title><style>{_CSS}</style></head>"
        f"<body>{''.join(body)}</body></html>\n"
    )
