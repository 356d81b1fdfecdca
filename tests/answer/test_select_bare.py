"""Selection on a corpus ingested as is: bare snippets, one of which names the subject.

Every protein, organelle and figure below is invented for these tests.
"""

from __future__ import annotations

from curbside.answer.select import candidates, coverable
from curbside.models import Evidence, Hit, Passage, Source
from curbside.question.concepts import analyse
from curbside.text.glossary import load_glossary

GLOSSARY = load_glossary()


def _snippet(n: int, text: str, dense: float | None = None, year: int | None = None) -> Evidence:
    sid = f"s{n}"
    source = Source(id=sid, title="", tier="research", text=text, content_hash=sid, year=year)
    components = {} if dense is None else {"dense": dense}
    passage = Passage(f"{sid}#0", sid, 0, "", 0, len(text), text)
    return Evidence(Hit(passage, 1.0 - n / 10, components), source)


def _idf(word: str) -> float:
    return 3.0 if word.lower() == "quellin" else 1.0


def test_a_word_only_the_top_passage_uses_is_kept() -> None:
    plan = analyse("Where is the protein quellin located?", GLOSSARY, idf=_idf)
    first = _snippet(0, "Quellin is located on the outer membrane of the invented egg.")
    others = [
        _snippet(1, "The protein marlin is located in the nucleus of the made-up cell."),
        _snippet(2, "Another protein is located in the fictional organelle."),
    ]
    kept = {c.word.lower() for c in coverable(plan, [first, *others]).concepts}
    assert "quellin" in kept
    # Named once, and not by the top passage: still a detail that may be dropped.
    dropped = {c.word.lower() for c in coverable(plan, [*others, first]).concepts}
    assert "quellin" not in dropped


def test_bare_snippets_are_ranked_by_how_close_their_passage_is() -> None:
    plan = analyse("Which organ does the protein quellin damage?", GLOSSARY, idf=_idf)
    far = "Quellin damage to the invented organ was measured in the fictional study."
    close = "Quellin damage to the invented organ was recorded in the fictional series."
    bare = candidates(plan, [_snippet(0, far, 0.40), _snippet(1, close, 0.80)], "clinician")
    assert bare[0].evidence.source.id == "s1"  # closer in meaning, though ranked second
    dated = candidates(
        plan,
        [_snippet(0, far, 0.40, year=2020), _snippet(1, close, 0.80, year=2020)],
        "clinician",
    )
    assert dated[0].evidence.source.id == "s0"  # described sources keep their order
    # A passage pulled in whole carries no similarity and is not held back for it.
    pulled = candidates(plan, [_snippet(0, far), _snippet(1, close, 0.80)], "clinician")
    assert pulled[0].evidence.source.id == "s0"
