"""External vocabularies: MeSH descriptor TSV, synonym lists, lexicon YAML."""

from __future__ import annotations

from pathlib import Path

import pytest

from curbside.question.expand import ConceptMatcher, plan_query
from curbside.text.lexicon import LexiconError
from curbside.text.vocab import load_vocab, parse_text


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CURBSIDE_CACHE_DIR", str(tmp_path / "cache"))


# Placeholder descriptors in the MeSH export layout (id, preferred, entries, trees).
MESH_LINES = (
    "D900001\tWidgets, Blue\tBlue Widget|Widget, Blue|Azure Gadgets\tZ01.001\t\n"
    "D900002\tSprocket Assembly\tSprocket Assemblies|Cog Stack\tZ01.002\t\n"
)


def test_mesh_layout_parsed_and_uninverted() -> None:
    concepts = parse_text(MESH_LINES, "mesh.tsv")
    assert concepts[0].names[0] == "Blue Widgets"
    assert "Azure Gadgets" in concepts[0].names
    assert "Widget, Blue" not in concepts[0].names  # inverted entry terms are not offered
    assert all(c.origin == "mesh" for c in concepts)


def test_synonym_list_layout() -> None:
    concepts = parse_text("# comment\nfoo bar | baz qux\nsingle\n", "syn.txt")
    assert [c.names for c in concepts] == [("foo bar", "baz qux")]


def test_vocab_expands_queries(tmp_path: Path) -> None:
    path = tmp_path / "mesh.tsv"
    path.write_text(MESH_LINES)
    matcher = ConceptMatcher(load_vocab(path))
    plan = plan_query("Where do azure gadgets come from?", [matcher])
    assert "Blue Widgets" in [e.name for e in plan.expanded]
    assert all(e.weight < 1 for e in plan.expanded)
    # Second load comes from the cache and gives the same concepts.
    assert load_vocab(path) == matcher.concepts


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "no concepts"),
        (b"\x00\x01\x02binary", "binary"),
        (b"\xff\xfe bad utf8 | x", "UTF-8"),
        (b"D900001\tFine\t\t\t\nnot a descriptor line\n", "MeSH descriptor"),
    ],
)
def test_bad_vocab_files_refused_clearly(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "v.tsv"
    path.write_bytes(content)
    with pytest.raises(LexiconError, match=message):
        load_vocab(path)


def test_missing_vocab_file(tmp_path: Path) -> None:
    with pytest.raises(LexiconError, match="not found"):
        load_vocab(tmp_path / "absent.tsv")


def test_real_mesh_release(shared_dir: Path, tmp_path: Path) -> None:
    path = shared_dir / "data" / "vocab" / "mesh" / "mesh_id_label_mappings.tsv"
    if not path.is_file():
        pytest.skip("MeSH file not present")
    # Parse the real descriptors about neoplasms (a slice keeps the test fast).
    lines = [ln for ln in path.read_text("utf-8").splitlines(True) if "Neoplasm" in ln]
    sample = tmp_path / "mesh-sample.tsv"
    sample.write_text("".join(lines), "utf-8")
    concepts = load_vocab(sample)
    assert len(concepts) == len(lines) > 100
    assert all(c.origin == "mesh" for c in concepts)
    plan = plan_query("treatment of hepatic neoplasms", [ConceptMatcher(concepts)])
    assert "Liver Neoplasms" in {e.name for e in plan.expanded}
