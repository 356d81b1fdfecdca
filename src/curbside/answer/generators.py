"""The generator registry, and drafting with verification and fallback.

Generators register under the entry-point group ``curbside.generators``; each entry
point is a factory ``(GeneratorContext) -> Generator``. The built-in extractive
composer is registered the same way as third-party ones (``extractive`` in curbside's
own ``pyproject.toml``), and the optional LLM generator is ``llm`` (the ``llm`` extra).

:func:`draft` is what the engine calls for a non-default generator: it creates the
generator, drafts statements, passes every one through
:func:`~curbside.answer.verify.verify`, and counts what was kept and dropped. When the
generator fails (server down, timeout, malformed output, refusal) or verification drops
its bottom line (its first statement) or everything, the extractive statements answer
instead and :attr:`~curbside.models.GeneratorInfo.notice` says why, in one line.

Inside :func:`streaming`, :func:`draft` asks a generator that can stream (it has a
``stream(question, evidence)`` iterator) for its statements one at a time and hands each
one that verification keeps to the sink at once — after the bottom line was kept, never
before, and never a sentence that failed. The web page shows those while the model writes.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from importlib.metadata import entry_points
from typing import Protocol

from curbside.answer.base import GenerationError, Generator
from curbside.answer.compose import ExtractiveComposer
from curbside.answer.labels import LabelExpander
from curbside.answer.select import Candidate
from curbside.answer.verify import verify
from curbside.errors import CurbsideError
from curbside.models import Audience, Evidence, Facet, GeneratorInfo, Statement
from curbside.question.concepts import QuestionPlan
from curbside.text.glossary import Glossary

GROUP = "curbside.generators"
DEFAULT = "extractive"

log = logging.getLogger(__name__)

#: Receives each verified sentence as soon as it is kept (see :func:`streaming`).
DraftSink = Callable[[Statement], None]
_SINK: ContextVar[DraftSink | None] = ContextVar("curbside_draft_sink", default=None)


@contextmanager
def streaming(sink: DraftSink) -> Iterator[None]:
    """Within this block (in this thread or context), :func:`draft` streams kept sentences.

    ``sink`` is called with each drafted sentence that verification keeps, in order, once
    the bottom line has been kept; a sentence that fails verification is never passed.
    The final answer may still fall back to the quoted one (the caller learns that from
    the answer's :class:`~curbside.models.GeneratorInfo`).
    """
    token = _SINK.set(sink)
    try:
        yield
    finally:
        _SINK.reset(token)


@dataclass(frozen=True)
class GeneratorContext:
    """What a generator factory may use: the question as understood, for whom, about whom."""

    question: str
    audience: Audience
    glossary: Glossary
    plan: QuestionPlan
    pool: Sequence[Candidate]
    facets: tuple[Facet, ...] = ()
    labels: LabelExpander | None = None


class GeneratorFactory(Protocol):
    """Builds a generator for one question."""

    def __call__(self, context: GeneratorContext) -> Generator:
        """A generator ready to draft statements for ``context``."""
        ...


class UnknownGenerator(CurbsideError):
    """No generator is registered under the requested name."""


def extractive(context: GeneratorContext) -> Generator:
    """The default generator: quoted sentences chosen by the extractive composer."""
    return ExtractiveComposer(
        context.audience,
        glossary=context.glossary,
        plan=context.plan,
        pool=context.pool,
        labels=context.labels,
    )


def available() -> dict[str, GeneratorFactory]:
    """Registered generator factories by name (``extractive`` is always present)."""
    found: dict[str, GeneratorFactory] = {DEFAULT: extractive}
    for ep in entry_points(group=GROUP):
        if ep.name in found and ep.name != DEFAULT:
            continue
        try:
            found[ep.name] = ep.load()
        except Exception as err:  # a broken plugin disables itself, never the others
            log.warning("generator %s unavailable: %s", ep.name, err)
    return found


def names() -> list[str]:
    """Names of the registered generators, default first."""
    return [DEFAULT, *sorted(n for n in available() if n != DEFAULT)]


def create(name: str, context: GeneratorContext) -> Generator:
    """The generator registered as ``name``, built for ``context``."""
    factories = available()
    if name not in factories:
        raise UnknownGenerator(
            f"unknown generator {name!r}; available: {', '.join(names())}"
            + ("" if name != "llm" else " (install the llm extra: pip install 'curbside[llm]')")
        )
    return factories[name](context)


def model_of(generator: Generator) -> str | None:
    """The model a generator drafts with, when it names one."""
    model = getattr(generator, "model", None)
    return str(model) if model else None


def draft(
    name: str,
    context: GeneratorContext,
    evidence: Sequence[Evidence],
    fallback: Callable[[], list[Statement]],
) -> tuple[list[Statement], GeneratorInfo]:
    """Statements drafted by generator ``name`` that verify, or ``fallback()`` with a notice."""
    model: str | None = None
    sink = _SINK.get()
    kept: list[Statement] = []
    reasons: Counter[str] = Counter()
    bottom_line_kept = False
    drafted: list[Statement] = []
    try:
        generator = create(name, context)
        model = model_of(generator)
        stream = getattr(generator, "stream", None) if sink is not None else None
        statements: Iterable[Statement] = (
            stream(context.question, evidence)
            if callable(stream)
            else generator.generate(context.question, evidence)
        )
        for i, statement in enumerate(statements):
            drafted.append(statement)
            # A generator may bring evidence of its own while it drafts (the label expander
            # adds label passages), so what a statement is checked against is read each time.
            checked = [*evidence, *(context.labels.evidence if context.labels is not None else [])]
            verdict = verify(statement, checked, glossary=context.glossary)
            if verdict.ok:
                kept.append(statement)
                bottom_line_kept = bottom_line_kept or i == 0
                if sink is not None and bottom_line_kept:
                    sink(statement)
            else:
                reasons.update(verdict.reasons[:1])  # one reason per dropped sentence
    except (GenerationError, CurbsideError) as err:
        notice = f"The {name} generator could not answer ({err}); showing the quoted answer."
        return fallback(), GeneratorInfo(name, model, notice=notice)
    except Exception as err:  # a plugin's bug must cost its draft, never the answer
        log.warning("generator %s failed: %r", name, err)
        notice = f"The {name} generator could not answer ({err}); showing the quoted answer."
        return fallback(), GeneratorInfo(name, model, notice=notice)
    info = GeneratorInfo(
        name,
        model,
        drafted=len(drafted),
        kept=len(kept),
        dropped=len(drafted) - len(kept),
        drop_reasons=dict(sorted(reasons.items())),
    )
    if not drafted:
        why = "it drafted nothing"
    elif not kept:
        why = "no drafted sentence was supported by its quotes"
    elif not bottom_line_kept:
        why = "its bottom line was not supported by its quotes"
    else:
        return kept, info
    notice = f"The {name} generator's answer was not used ({why}); showing the quoted answer."
    # ``kept`` still counts the sentences that verified; the notice says none was used.
    return fallback(), replace(info, notice=notice)
