"""The ``llm`` generator: prompt an OpenAI-compatible model, turn its drafts into statements.

Each draft cites passages by their number in the prompt and the words it rests on;
:func:`~curbside.answer.locate.locate` finds those words in the stored passage, so a
citation's span and quote are always stored characters. A draft whose passage number
is not one it was shown, or whose words are not in that passage, still becomes a
statement — with a citation that cannot verify — so that verification drops it and
counts the reason rather than the drop going unrecorded.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from curbside.answer.base import GenerationError
from curbside.answer.generators import GeneratorContext
from curbside.answer.locate import locate
from curbside.llm.config import LLMConfig
from curbside.llm.openai_compat import ChatClient, FormatRejected
from curbside.llm.parse import Draft, DraftScanner, parse_reply
from curbside.llm.prompt import MAX_PASSAGE_CHARS, MAX_PASSAGES, messages
from curbside.llm.schema import response_format, statements_schema
from curbside.models import Audience, Citation, Evidence, Facet, Statement
from curbside.text.sentences import split_passage

#: Passage id of a citation to a passage the model was not shown.
UNKNOWN_PASSAGE = "<not shown to the model>"


def shown(evidence: Sequence[Evidence], limit: int = MAX_PASSAGES) -> list[Evidence]:
    """The passages put in the prompt, strongest first, in prompt-number order."""
    return sorted(evidence, key=lambda ev: -ev.hit.score)[: max(limit, 1)]


def statement_of(draft: Draft, passages: Sequence[Evidence]) -> Statement:
    """A statement for ``draft`` with located citations (unverifiable ones left to fail)."""
    citations = []
    for cite in draft.cites:
        if not 1 <= cite.passage <= len(passages):
            citations.append(Citation(0, "", UNKNOWN_PASSAGE, 0, 0, cite.quote))
            continue
        ev = passages[cite.passage - 1]
        passage = ev.hit.passage
        span = locate(cite.quote, passage.text)
        if span is None:
            citations.append(
                Citation(0, ev.source.id, passage.id, passage.start, passage.start, cite.quote)
            )
            continue
        start, end = passage.start + span.start, passage.start + span.end
        citations.append(
            Citation(0, ev.source.id, passage.id, start, end, ev.source.text[start:end])
        )
    return Statement(draft.text, tuple(citations))


def quote_options(passages: Sequence[Evidence]) -> list[list[str]]:
    """Each passage's sentences as the prompt shows them: the quotes the schema allows."""
    options = []
    for ev in passages:
        shown_text = " ".join(ev.hit.passage.text.split())[:MAX_PASSAGE_CHARS]
        sentences = [" ".join(s.text.split()) for s in split_passage(ev.hit.passage)]
        # Only sentences the model could read in full (the prompt clips long passages).
        options.append([s for s in dict.fromkeys(sentences) if s and s in shown_text])
    return options


class LLMGenerator:
    """Implements :class:`~curbside.answer.base.Generator` with a chat model."""

    def __init__(
        self,
        client: ChatClient,
        audience: Audience = "clinician",
        facets: Sequence[Facet] = (),
    ) -> None:
        self.client = client
        self.model = client.config.model
        self.audience: Audience = audience
        self.facets = tuple(facets)

    def _request(
        self, question: str, passages: Sequence[Evidence]
    ) -> tuple[list[dict[str, str]], dict[str, object] | None]:
        """The chat messages and, when configured, the schema to constrain decoding to."""
        structured = self.client.config.structured and self.client.accepts_format
        chat = messages(question, passages, self.audience, self.facets, structured=structured)
        form = (
            response_format(statements_schema(len(passages), quotes=quote_options(passages)))
            if structured
            else None
        )
        return chat, form

    def generate(self, question: str, evidence: Sequence[Evidence]) -> list[Statement]:
        """Drafted statements, bottom line first (not yet verified)."""
        passages = shown(evidence, self.client.config.max_passages)
        try:
            try:
                reply = self.client.complete(*self._request(question, passages))
            except FormatRejected:  # now asked unconstrained, with the JSON Lines prompt
                reply = self.client.complete(*self._request(question, passages))
        finally:
            self.client.close()
        return [statement_of(d, passages) for d in parse_reply(reply)]

    def _pieces(self, question: str, passages: Sequence[Evidence]) -> Iterator[str]:
        """The streamed reply; a rejected schema is refused before any piece arrives."""
        try:
            yield from self.client.stream(*self._request(question, passages))
        except FormatRejected:
            yield from self.client.stream(*self._request(question, passages))

    def stream(self, question: str, evidence: Sequence[Evidence]) -> Iterator[Statement]:
        """Drafted statements as the model closes each one (not yet verified)."""
        passages = shown(evidence, self.client.config.max_passages)
        scanner = DraftScanner()
        drafted = 0
        try:
            for piece in self._pieces(question, passages):
                for draft in scanner.feed(piece):
                    drafted += 1
                    yield statement_of(draft, passages)
        finally:
            self.client.close()
        if not drafted:
            raise GenerationError("the model's reply was not in the requested format")


def factory(context: GeneratorContext) -> LLMGenerator:
    """The ``curbside.generators`` entry point ``llm``: configured from settings."""
    return LLMGenerator(ChatClient(LLMConfig.from_settings()), context.audience, context.facets)
