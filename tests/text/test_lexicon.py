"""The bundled lexicon and user lexicon files."""

from __future__ import annotations

from pathlib import Path

import pytest

from curbside.text.lexicon import (
    LexiconError,
    builtin_lexicon,
    is_abbreviation,
    load_lexicon_file,
    phrase_key,
)


def _all_names() -> set[str]:
    return {n for c in builtin_lexicon() for n in c.names}


def test_builtin_lexicon_covers_the_field() -> None:
    names = _all_names()
    for required in [
        "TACE",
        "cTACE",
        "DEB-TACE",
        "TAE",
        "TARE",
        "SIRT",
        "PRRT",
        "SSA",
        "SSTR",
        "NET",
        "pNET",
        "GEP-NET",
        "NELM",
        "RFA",
        "MWA",
        "LAR",
        "Lutathera",
        "Somatuline",
        "Sandostatin",
        "Afinitor",
        "Sutent",
        "Xermelo",
        "CAPTEM",
    ]:
        assert required in names, required


def test_brand_and_generic_share_a_concept() -> None:
    pairs = [
        ("Lutathera", "lutetium Lu 177 dotatate"),
        ("Somatuline", "lanreotide"),
        ("Sandostatin", "octreotide"),
        ("Afinitor", "everolimus"),
        ("Sutent", "sunitinib"),
        ("Xermelo", "telotristat"),
        ("CAPTEM", "capecitabine and temozolomide"),
    ]
    for brand, generic in pairs:
        assert any(brand in c.names and generic in c.names for c in builtin_lexicon()), brand


def test_every_broader_name_is_a_known_name() -> None:
    keys = {phrase_key(n) for n in _all_names()}
    for concept in builtin_lexicon():
        for name in concept.broader:
            assert phrase_key(name) in keys, name


def test_every_concept_has_keys() -> None:
    for concept in builtin_lexicon():
        assert len(concept.keys) == len(concept.names)


@pytest.mark.parametrize(
    ("name", "abbr"),
    [
        ("TACE", True),
        ("cTACE", True),
        ("Y-90", True),
        ("5-FU", True),
        ("CgA", True),
        ("octreotide", False),
        ("Lutathera", False),
        ("liver metastases", False),
    ],
)
def test_is_abbreviation(name: str, abbr: bool) -> None:
    assert is_abbreviation(name) is abbr


def test_user_lexicon_errors_are_clear(tmp_path: Path) -> None:
    bad = tmp_path / "lex.yaml"
    bad.write_text("groups: [{names: nope}]\n")
    with pytest.raises(LexiconError, match="names"):
        load_lexicon_file(bad)
    bad.write_text("just text\n")
    with pytest.raises(LexiconError, match="groups"):
        load_lexicon_file(bad)
    bad.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(LexiconError, match="cannot read"):
        load_lexicon_file(bad)
