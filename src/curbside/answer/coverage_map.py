"""Say what a library covers, so that a refusal can point to what can be asked."""

from __future__ import annotations

from collections import Counter

from curbside.store import Library
from curbside.store.browse import source_titles
from curbside.text.glossary import Glossary

#: How many conditions, drugs and procedures a description names.
NAMED = 6
_TIER_NAMES = {"guideline": "guidelines", "label": "FDA drug labels", "research": "research"}


def library_scope(library: Library, glossary: Glossary) -> str:
    """One or two sentences naming the library's main subjects and its size per tier."""
    tiers, titles = library.counts().tiers, source_titles(library.conn)
    if not titles:
        return "The library is empty: add sources with `curbside ingest PATH`."
    counts: dict[str, Counter[str]] = {
        "condition": Counter(),
        "drug": Counter(),
        "procedure": Counter(),
    }
    for title in titles:
        seen: set[str] = set()
        for mention in glossary.entities(title):
            term = mention.entry.term
            if term not in seen and mention.entry.kind in counts:
                seen.add(term)
                counts[mention.entry.kind][term] += 1
    parts = []
    for kind in ("condition", "procedure", "drug"):
        names = [name for name, n in counts[kind].most_common(NAMED) if n >= 1]
        if names:
            parts.append(", ".join(names))
    size = ", ".join(f"{n} {_TIER_NAMES.get(t, t)}" for t, n in sorted(tiers.items()) if n)
    subjects = "; ".join(parts)
    if subjects:
        return f"This library covers {subjects} ({size})."
    return f"This library holds {size}."
