"""Reviewer edits that keep an article grounded.

A reviewer may drop statements and retitle topic blocks, but never type new clinical
text: every statement left in an article is still a quoted, cited sentence. After an
edit the citations are renumbered in reading order and references, key numbers and
conflicts that no statement cites any more are removed, so the numbers never skip.
"""

from __future__ import annotations

import copy
from typing import Any

from curbside.errors import ReviewError

MAX_HEADING = 120


def statement_ids(answer: dict[str, Any]) -> list[str]:
    """The ids the pages give statements (``s<section>-<block>-<statement>``)."""
    return [
        f"s{si}-{bi}-{ti}"
        for si, sec in enumerate(answer.get("sections") or [])
        for bi, blk in enumerate(sec.get("blocks") or [])
        for ti, _ in enumerate(blk.get("statements") or [])
    ]


def _cited(statements: list[dict[str, Any]]) -> list[int]:
    return [int(c.get("n") or 0) for st in statements for c in st.get("citations") or []]


def apply_edit(
    answer: dict[str, Any],
    *,
    drop: set[str] | frozenset[str] = frozenset(),
    headings: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A new answer dict without the ``drop``ped statements and with retitled blocks.

    ``headings`` maps block ids (``b<section>-<block>``) to new headings; an empty
    heading removes it. Raises :class:`ReviewError` for unknown ids or an empty result.
    """
    headings = headings or {}
    unknown = set(drop) - set(statement_ids(answer))
    if unknown:
        raise ReviewError(f"no statement {sorted(unknown)[0]!r} in this version")
    out = copy.deepcopy(answer)
    sections = []
    for si, sec in enumerate(out.get("sections") or []):
        blocks = []
        for bi, blk in enumerate(sec.get("blocks") or []):
            kept = [
                st
                for ti, st in enumerate(blk.get("statements") or [])
                if f"s{si}-{bi}-{ti}" not in drop
            ]
            if not kept:
                continue
            block = {**blk, "statements": kept}
            bid = f"b{si}-{bi}"
            if bid in headings:
                heading = " ".join(headings[bid].split())[:MAX_HEADING]
                if heading:
                    block["heading"] = heading
                else:
                    block.pop("heading", None)
            blocks.append(block)
        if blocks:
            sections.append({**sec, "blocks": blocks})
    if not sections:
        raise ReviewError("an article needs at least one statement")
    out["sections"] = sections
    # A sentence the reviewer dropped from its section leaves the bottom line as well.
    dropped = {
        str(st.get("text"))
        for si, sec in enumerate(answer.get("sections") or [])
        for bi, blk in enumerate(sec.get("blocks") or [])
        for ti, st in enumerate(blk.get("statements") or [])
        if f"s{si}-{bi}-{ti}" in drop
    }
    out["bottom_line"] = [
        st for st in out.get("bottom_line") or [] if str(st.get("text")) not in dropped
    ]
    return renumber(out)


def renumber(answer: dict[str, Any]) -> dict[str, Any]:
    """Renumber citations 1, 2, 3 … in reading order; drop what nothing cites any more."""
    # The bottom line is read first, so its citations are numbered first.
    body = list(answer.get("bottom_line") or []) + [
        st for sec in answer["sections"] for blk in sec["blocks"] for st in blk["statements"]
    ]
    order: list[int] = []
    for n in _cited(body):
        if n not in order:
            order.append(n)
    conflicts = [
        c
        for c in answer.get("conflicts") or []
        if set(_cited(c.get("statements") or [])) <= set(order)
    ]
    mapping = {old: new for new, old in enumerate(order, start=1)}
    for st in body + [st for c in conflicts for st in c.get("statements") or []]:
        for c in st.get("citations") or []:
            c["n"] = mapping[int(c.get("n") or 0)]
    answer["conflicts"] = conflicts
    answer["key_numbers"] = [
        {**k, "n": mapping[int(k.get("n") or 0)]}
        for k in answer.get("key_numbers") or []
        if int(k.get("n") or 0) in mapping
    ]
    refs = [
        {**r, "n": mapping[int(r.get("n") or 0)]}
        for r in answer.get("references") or []
        if int(r.get("n") or 0) in mapping
    ]
    answer["references"] = sorted(refs, key=lambda r: int(r["n"]))
    return answer
