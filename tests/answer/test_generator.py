"""Any Generator plugs into the engine; citations that do not verify are dropped."""

from __future__ import annotations

from collections.abc import Sequence

from curbside.answer.base import Generator
from curbside.answer.compose import ExtractiveComposer
from curbside.answer.engine import Engine
from curbside.models import Citation, Evidence, Statement


class EchoGenerator:
    """Quotes the first sentence-sized span of each passage, plus one forged citation."""

    def generate(self, question: str, evidence: Sequence[Evidence]) -> list[Statement]:
        out = []
        for ev in evidence[:2]:
            p = ev.hit.passage
            quote = ev.source.text[p.start : p.start + 40]
            out.append(
                Statement(
                    f"Echo: {quote}",
                    (Citation(0, ev.source.id, p.id, p.start, p.start + 40, quote),),
                )
            )
        ev = evidence[0]
        forged = Citation(0, ev.source.id, ev.hit.passage.id, 0, 10, "not there")
        out.append(Statement("A claim with a forged span.", (forged,)))
        out.append(Statement("A claim with no citation at all.", ()))
        return out


def test_protocol_is_satisfied() -> None:
    assert isinstance(ExtractiveComposer(), Generator)
    assert isinstance(EchoGenerator(), Generator)


def test_engine_verifies_plugged_in_generator(answer_library) -> None:
    engine = Engine(answer_library, dense=False, generator=EchoGenerator())
    answer = engine.ask("What is the recommended dose of lanreotide?")
    texts = [s.text for sec in answer.sections for b in sec.blocks for s in b.statements]
    assert texts and all(t.startswith("Echo: ") for t in texts)
    numbers = sorted(
        {
            c.n
            for sec in answer.sections
            for b in sec.blocks
            for s in b.statements
            for c in s.citations
        }
    )
    assert numbers == list(range(1, len(numbers) + 1))
