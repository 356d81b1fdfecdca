"""``echo``: a deterministic stand-in for a language model, for tests and demos.

It writes the reply a perfectly obedient model would — the first sentence of each of
the strongest passages, quoted from that passage — as JSON Lines, and sends it through
the same parser, locator and verification as the ``llm`` generator. No server, no model.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence

from curbside.answer.generators import GeneratorContext
from curbside.llm.generator import shown, statement_of
from curbside.llm.parse import parse_reply
from curbside.models import Evidence, Statement
from curbside.text.sentences import split_passage

#: Sentences the echo model writes.
ECHO_SENTENCES = 3


def echo_reply(evidence: Sequence[Evidence]) -> str:
    """The JSON Lines reply: one quoted sentence from each of the first passages."""
    lines = []
    for n, ev in enumerate(shown(evidence), start=1):
        sentences = split_passage(ev.hit.passage)
        if not sentences:
            continue
        text = " ".join(sentences[0].text.split())
        lines.append(json.dumps({"text": text, "evidence": [{"passage": n, "quote": text}]}))
        if len(lines) == ECHO_SENTENCES:
            break
    return "\n".join(lines)


class EchoGenerator:
    """Implements :class:`~curbside.answer.base.Generator` without a model."""

    model = "echo"

    def generate(self, question: str, evidence: Sequence[Evidence]) -> list[Statement]:
        """Drafted statements (each one quoted sentence), not yet verified."""
        passages = shown(evidence)
        return [statement_of(d, passages) for d in parse_reply(echo_reply(passages))]

    def stream(self, question: str, evidence: Sequence[Evidence]) -> Iterator[Statement]:
        """The same statements, one at a time, as a streaming model would send them."""
        yield from self.generate(question, evidence)


def factory(context: GeneratorContext) -> EchoGenerator:
    """The ``curbside.generators`` entry point ``echo``."""
    return EchoGenerator()
