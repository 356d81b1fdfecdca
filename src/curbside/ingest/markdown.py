"""Markdown reader, with optional YAML front matter: the bundled library's format.

A library file is ``library/<tier>/<id>.md``: front matter between ``---`` lines
holding the source's metadata, then a Markdown body whose ``#``/``##``/``###``
headings split sections ("Parent — Child") and whose bullets are one atomic
statement each. Known front-matter keys become :class:`~curbside.models.Document`
fields after type checks (a bad value raises :class:`IngestError` naming the key);
every other key goes to ``Document.extra`` unchanged, except that YAML dates become
ISO strings everywhere. The body is reduced to plain text lines: list markers,
emphasis, inline code and link targets are removed, link text is kept.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml

from curbside.errors import IngestError
from curbside.ingest import base
from curbside.ingest.base import clean, read_text
from curbside.models import TIERS, Document, Section

_FENCE = re.compile(r"^---[ \t]*$")
_FENCE_END = re.compile(r"^(?:---|\.\.\.)[ \t]*$")
_SNIFF = re.compile(
    rb"\A(?:\xef\xbb\xbf)?---\r?\n(?:#[^\n]*\n)*[A-Za-z_][\w.-]*:[^\n]*\n.*?^---\r?$", re.M | re.S
)
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_BULLET = re.compile(r"^\s*[-*+•]\s+(.*)$")
_ORDERED = re.compile(r"^\s*\d{1,3}[.)]\s+")
_RULE = re.compile(r"^\s*(?:[-*_]\s*){3,}$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
# Every inline pattern bounds how far one match may reach (link text 300 characters, a
# target 2,000, emphasis 300...), so each start position costs a bounded amount of work
# and plain() stays linear in the line length: unbounded lazy or nested quantifiers
# made a 300 KB line of "*a " or 200,000 "[" take minutes (quadratic backtracking).
_INLINE = (
    (
        re.compile(r"!\[([^\[\]\n]{0,2000})\]\((?:[^()\n]|\([^()\n]{0,200}\)){0,2000}+\)"),
        r"\1",
    ),  # image → alt text
    (
        re.compile(
            r"\[([^\[\]]{0,300}(?:\[[^\[\]]{0,60}\][^\[\]]{0,300}){0,3})\]"
            r"\((?:[^()\n]|\([^()\n]{0,200}\)){0,2000}+\)"
        ),
        r"\1",
    ),  # link → text
    (re.compile(r"\[([^\[\]]{1,300})\]\[[^\[\]]{0,100}\]"), r"\1"),  # reference link → its text
    (re.compile(r"<((?:https?|mailto):[^<>\s]{1,2000})>"), r"\1"),  # autolink → the address
    (re.compile(r"</?[A-Za-z][A-Za-z0-9]{0,30}+(?:\s[^<>]{0,2000})?/?>"), ""),  # inline HTML tags
    (re.compile(r"(`{1,10}+)([^`]{1,2000})\1(?!`)"), r"\2"),  # inline code
    # A span stops at the next delimiter, so a run of openers costs linear time in all.
    (re.compile(r"\*\*(?=\S)((?:[^*]|\*(?!\*)){1,300}?)(?<=\S)\*\*"), r"\1"),  # **strong**
    (re.compile(r"__(?=\S)((?:[^_]|_(?!_)){1,300}?)(?<=\S)__"), r"\1"),  # __strong__
    (re.compile(r"(?<![\w*])\*(?=\S)([^*]{1,300}?)(?<=\S)\*(?![\w*])"), r"\1"),  # *emphasis*
    (re.compile(r"(?<![\w_])_(?=\S)([^_]{1,300}?)(?<=\S)_(?![\w_])"), r"\1"),  # _emphasis_
    (re.compile(r"~~((?:[^~]|~(?!~)){1,300}?)~~"), r"\1"),  # strikethrough
)
# A backslash-escaped character is parked in the private-use area while the
# patterns run, so "\*" stays a literal star, then put back.
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~])")
_PARK = 0xE000
_UNPARK = {_PARK + ord(c): c for c in "\\`*_{}[]()#+-.!|<>~"}

_YEAR_RANGE = range(1800, 2101)

#: Front-matter bounds: aliases used, nesting depth, and nodes once aliases are expanded.
#: A 374-byte "billion laughs" of nested aliases otherwise expands to gigabytes when the
#: extras are serialised, and 600-deep nesting overflows Python's recursion limit.
MAX_ALIASES = 100
MAX_DEPTH = 50
MAX_NODES = 100_000


class _FrontMatterTooComplex(Exception):
    """Front matter beyond the bounds above."""


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader with bounded aliases, depth and expanded size."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._aliases = 0
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise _FrontMatterTooComplex(f"more than {MAX_ALIASES} aliases")
            return super().compose_node(parent, index)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _FrontMatterTooComplex(f"nested deeper than {MAX_DEPTH} levels")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _expanded_size(node: yaml.Node, memo: dict[int, int]) -> int:
    """Nodes in ``node`` with every alias expanded (shared nodes counted once per use)."""
    key = id(node)
    if key not in memo:
        memo[key] = 1  # a cycle (a recursive alias) counts once instead of looping
        size = 1
        if isinstance(node, yaml.SequenceNode):
            size += sum(_expanded_size(child, memo) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            size += sum(_expanded_size(k, memo) + _expanded_size(v, memo) for k, v in node.value)
        memo[key] = min(size, MAX_NODES + 1)
    return memo[key]


def load_front_matter(text: str) -> Any:
    """Parse YAML front matter safely within the bounds; raises yaml.YAMLError or
    :class:`_FrontMatterTooComplex`."""
    loader = _BoundedLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if _expanded_size(node, {}) > MAX_NODES:
            raise _FrontMatterTooComplex(f"more than {MAX_NODES:,} values once aliases expand")
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _strip_comments(body: str) -> str:
    """Remove ``<!-- … -->`` comments in one pass (an unclosed one is kept as text)."""
    out: list[str] = []
    pos = 0
    while (start := body.find("<!--", pos)) >= 0:
        end = body.find("-->", start + 4)
        if end < 0:
            break
        out.append(body[pos:start])
        pos = end + 3
    out.append(body[pos:])
    return "".join(out)


def _heading_text(raw: str) -> str:
    """A heading's text without the optional closing run of ``#`` (``## Title ##``)."""
    text = raw.rstrip()
    bare = text.rstrip("#")
    if bare != text and (not bare or bare[-1] in " \t"):
        text = bare.rstrip()
    return text


def plain(text: str) -> str:
    """Markdown inline markup reduced to its plain text."""
    text = _ESCAPE.sub(lambda m: chr(_PARK + ord(m.group(1))), text)
    for pattern, repl in _INLINE:
        text = pattern.sub(repl, text)
    return clean(text.translate(_UNPARK))


def _iso(value: Any) -> Any:
    """YAML dates (and dates inside lists and mappings) as ISO strings."""
    if isinstance(value, dt.date):  # datetime is a subclass of date
        return value.isoformat()
    if isinstance(value, list):
        return [_iso(v) for v in value]
    if isinstance(value, dict):
        return {k: _iso(v) for k, v in value.items()}
    return value


class _Fields:
    """Type checks for front-matter values; each raises IngestError naming its key."""

    def __init__(self, path: Path) -> None:
        self.path = str(path)

    def fail(self, key: str, why: str) -> IngestError:
        return IngestError(self.path, f"front matter key '{key}': {why}")

    def text(self, key: str, value: Any) -> str:
        if isinstance(value, bool) or not isinstance(value, str | int | float | dt.date):
            raise self.fail(key, f"expected text, got {type(value).__name__}")
        text = clean(str(_iso(value)))
        if not text:
            raise self.fail(key, "is empty")
        return text

    def texts(self, key: str, value: Any) -> tuple[str, ...]:
        if isinstance(value, str):
            parts = value.split(";") if key == "authors" else [value]
            return tuple(p for p in (clean(p) for p in parts) if p)
        if not isinstance(value, list):
            raise self.fail(key, f"expected a list of text, got {type(value).__name__}")
        for item in value:
            if not isinstance(item, str):
                raise self.fail(key, f"expected a list of text, found {type(item).__name__}")
        return tuple(t for t in (clean(item) for item in value) if t)

    def year(self, key: str, value: Any) -> int:
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, f"expected a year, got {type(value).__name__}")
        if value not in _YEAR_RANGE:
            raise self.fail(
                key, f"year {value} is outside {_YEAR_RANGE.start}–{_YEAR_RANGE.stop - 1}"
            )
        return value

    def tier(self, key: str, value: Any) -> str:
        if value not in TIERS:
            raise self.fail(key, f"must be one of {', '.join(TIERS)}, got {value!r}")
        return str(value)


# Front-matter key → (Document field, checker name).
_KEYS: dict[str, tuple[str, str]] = {
    "id": ("external_id", "text"),
    "tier": ("tier", "tier"),
    "title": ("title", "text"),
    "authors": ("authors", "texts"),
    "organization": ("organization", "text"),
    "journal": ("journal", "text"),
    "publisher": ("publisher", "text"),
    "year": ("year", "year"),
    "published": ("published", "text"),
    "revised": ("revised", "text"),
    "doi": ("doi", "text"),
    "pmid": ("pmid", "text"),
    "pmcid": ("pmcid", "text"),
    "url": ("url", "text"),
    "set_id": ("set_id", "text"),
    "version": ("version", "text"),
    "design": ("design", "text"),
    "grade": ("grade", "text"),
    "population": ("population", "text"),
    "keywords": ("keywords", "texts"),
    "license": ("license", "text"),
    "language": ("language", "text"),
}


def split_front_matter(path: Path, text: str) -> tuple[dict[str, Any], str]:
    """Separate YAML front matter from the body; ``({}, text)`` when there is none."""
    lines = text.split("\n")
    if not lines or not _FENCE.match(lines[0].rstrip("\r")):
        return {}, text
    end = next((i for i in range(1, len(lines)) if _FENCE_END.match(lines[i].rstrip("\r"))), 0)
    if not end:
        raise IngestError(str(path), "front matter opened with '---' is never closed")
    try:
        data = load_front_matter("\n".join(lines[1:end]))
    except _FrontMatterTooComplex as err:
        raise IngestError(str(path), f"front matter refused: {err}") from err
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" (front matter line {mark.line + 1})" if mark is not None else ""
        problem = getattr(err, "problem", None) or str(err)
        raise IngestError(
            str(path), clean(f"front matter is not valid YAML: {problem}{where}")
        ) from err
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise IngestError(str(path), f"front matter must be a mapping, got {type(data).__name__}")
    return data, "\n".join(lines[end + 1 :])


def metadata_fields(path: Path, front: dict[str, Any]) -> dict[str, Any]:
    """Document keyword arguments from front matter; unknown keys land in ``extra``."""
    fields: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    check = _Fields(path)
    for key, value in front.items():
        name = str(key)
        if name not in _KEYS:
            extra[name] = _iso(value)
            continue
        if value is None:
            continue
        field, checker = _KEYS[name]
        convert: Callable[[str, Any], Any] = getattr(check, checker)
        fields[field] = convert(name, value)
    fields["extra"] = extra
    return fields


def _blocks(body: str) -> Iterator[tuple[int, str]]:
    """The body as (heading level, text) pairs; level 0 is one line of text.

    Each paragraph and each list item becomes one line, whatever its wrapping in
    the file: a line that does not open a new block continues the one before, as in
    Markdown itself. A library bullet, one statement, is thus always one line.
    """
    pending: list[str] = []
    in_fence = False
    for raw in _strip_comments(body).split("\n"):
        line = raw.rstrip()
        stripped = line.strip()
        if pending and stripped and not _starts_block(line) and not _RULE.match(line):
            pending.append(stripped)
            continue
        if pending:
            yield 0, plain(" ".join(pending))
            pending = []
        if stripped.startswith(("```", "~~~")):
            in_fence = not in_fence
            continue
        if not stripped or (not in_fence and (_RULE.match(line) or _TABLE_RULE.match(line))):
            continue
        heading = None if in_fence else _HEADING.match(line)
        if in_fence:
            yield 0, clean(line)
        elif heading and len(heading.group(1)) <= 3:
            yield len(heading.group(1)), plain(_heading_text(heading.group(2)))
        elif heading:
            yield 0, plain(_heading_text(heading.group(2)))
        elif stripped.startswith("|"):
            cells = (plain(c) for c in stripped.strip("|").split("|"))
            yield 0, " | ".join(c for c in cells if c)
        else:
            bullet = _BULLET.match(line)
            pending = [bullet.group(1) if bullet else stripped.lstrip(">").strip()]
    if pending:
        yield 0, plain(" ".join(pending))


def _starts_block(line: str) -> bool:
    stripped = line.strip()
    return bool(_BULLET.match(line) or _ORDERED.match(line) or _HEADING.match(stripped)) or (
        stripped.startswith(("|", ">", "```", "~~~"))
    )


def body_sections(body: str, title: str) -> tuple[list[Section], str]:
    """Sections of a Markdown body, and its first ``#`` heading (``""`` if none).

    Headings nest as "Parent — Child". The first ``#`` heading is the document's
    title when it repeats the front-matter title or there is none, so it does not
    prefix every section.
    """
    sections: list[Section] = []
    stack: list[tuple[int, str]] = []
    lines: list[str] = []
    first_h1 = ""

    def flush() -> None:
        if lines:
            heading = " — ".join(text for _, text in stack)
            sections.append(Section(heading=heading, text="\n".join(lines)))
            lines.clear()

    for level, text in _blocks(body):
        if not level:
            if text:
                lines.append(text)
            continue
        flush()
        while stack and stack[-1][0] >= level:
            stack.pop()
        if level == 1 and not first_h1:
            first_h1 = text
            if not title or text.casefold() == title.casefold():
                continue
        stack.append((level, text))
    flush()
    return sections, first_h1


class MarkdownReader:
    """Reads Markdown, with or without YAML front matter."""

    format = "markdown"
    suffixes: tuple[str, ...] = (".md", ".markdown")
    priority = 85
    whole_file = True

    def sniff(self, head: bytes) -> bool:
        """Only unambiguous front matter: ``---``, ``key:`` lines, and a closing ``---``."""
        return bool(_SNIFF.match(head))

    def read(self, path: Path) -> Iterator[Document]:
        """Yield the one document in ``path``."""
        yield self._read(path)

    def _read(self, path: Path) -> Document:
        text = read_text(path, base.MAX_FILE_BYTES).replace("\r\n", "\n")
        front, body = split_front_matter(path, text)
        fields = metadata_fields(path, front)
        title = fields.pop("title", "")
        sections, first_h1 = body_sections(body, title)
        if not sections:
            raise IngestError(str(path), "no text in the Markdown body")
        return Document(
            title=title or first_h1 or path.stem,
            sections=tuple(sections),
            format=self.format,
            origin=str(path),
            **fields,
        )
