"""The answer engine: question → retrieval → relevance gate → statements → Answer.

``Engine(library).ask(question)`` is what the CLI and the web app call. It resolves
follow-up questions against a thread, retrieves evidence, refuses honestly when the
library does not speak to the question, composes a grounded answer, and records the
turn when a thread is given.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from curbside.answer import generators, threads
from curbside.answer.assemble import assemble
from curbside.answer.audience import disclaimer
from curbside.answer.base import Generator
from curbside.answer.compose import ExtractiveComposer
from curbside.answer.context import resolve
from curbside.answer.drugs import DrugIndex
from curbside.answer.gate import GateResult, abstention_message, assess
from curbside.answer.labels import LabelExpander
from curbside.answer.population import Population
from curbside.answer.question import QuestionPlan, analyse
from curbside.answer.select import candidates
from curbside.answer.stats import LibraryStats
from curbside.answer.topics import question_topics, topic
from curbside.answer.widen import facet_hits, more_of_sources
from curbside.models import (
    AUDIENCES,
    TIERS,
    Answer,
    Audience,
    Evidence,
    Facet,
    GeneratorInfo,
    Hit,
)
from curbside.text.glossary import load_glossary

#: Passages retrieved per question.
SEARCH_K = 24
#: Passages fetched per tier that the main search left out.
TIER_K = 6
#: Sources whose sections are searched for the topic a question asks about.
SIBLING_SOURCES = 8
#: Topics whose sections are well defined enough to fetch directly.
SIBLING_TOPICS = frozenset({"Dosage", "Safety", "Monitoring", "Indications"})


def _make_retriever(library: Any, dense: bool) -> Any:
    try:
        from curbside.retrieve import Retriever  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        from curbside.answer.fallback import LexicalFallback

        return LexicalFallback(library)
    return Retriever(library, dense=dense)


def _expansions(retriever: Any, query: str) -> Mapping[str, Sequence[str]]:
    """Word → extra names from the retriever's query plan, whatever its exact shape."""
    expand = getattr(retriever, "expand", None)
    if expand is None:
        return {}
    plan = expand(query)
    raw = getattr(plan, "expansions", None)
    out: dict[str, list[str]] = {}
    expanded = getattr(plan, "expanded", None)
    if raw is None and isinstance(expanded, Sequence):
        # curbside.retrieve's QueryPlan: Expansion(trigger, name, weight, origin, terms).
        for item in expanded:
            trigger, name = getattr(item, "trigger", None), getattr(item, "name", None)
            if trigger and name:
                out.setdefault(str(trigger).lower(), []).append(str(name))
        return out
    if isinstance(raw, Mapping):
        for word, names in raw.items():
            out[str(word).lower()] = [str(n) for n in names]
    elif isinstance(raw, Sequence):
        for item in raw:
            if isinstance(item, tuple) and len(item) == 2:
                out.setdefault(str(item[0]).lower(), []).append(str(item[1]))
    return out


class Engine:
    """Answers questions from one library. Create once; ``ask`` many times."""

    def __init__(
        self,
        library: Any,
        retriever: Any | None = None,
        *,
        dense: bool = True,
        generator: Generator | None = None,
    ) -> None:
        self.library = library
        self.retriever = retriever if retriever is not None else _make_retriever(library, dense)
        # Facet queries are keyword lists ("hospital stay length discharge"): lexical search
        # serves them as well as dense search, at a fraction of the cost.
        self.facet_retriever = (
            retriever if retriever is not None else _make_retriever(library, dense=False)
        )
        self.generator = generator
        self.glossary = load_glossary()
        self.stats = LibraryStats(library)
        #: Diagnostics of the last ``ask(..., explain=True)`` call.
        self.last_trace: dict[str, Any] = {}
        self._drugs: tuple[str, DrugIndex] | None = None
        self._population: tuple[str, Population] | None = None

    def _retrieve(self, query: str) -> list[Hit]:
        hits: list[Hit] = list(self.retriever.search(query, k=SEARCH_K, mode="answer"))
        present = set(self._tiers_of(hits))
        for tier in TIERS:
            if tier not in present:
                # A strong research hit list can crowd out a relevant label or guideline.
                hits.extend(self.retriever.search(query, k=TIER_K, tiers=[tier], mode="answer"))
        seen: set[str] = set()
        unique = []
        for hit in hits:
            if hit.passage.id not in seen:
                seen.add(hit.passage.id)
                unique.append(hit)
        return unique + self._siblings(query, unique)

    def _siblings(self, query: str, hits: Sequence[Hit]) -> list[Hit]:
        """Passages of the top sources filed under the section the question asks about.

        A question about a drug's dose retrieves its label, but perhaps only the
        indications passage (the dosage section may name the drug by brand only);
        the label's own "Dosage and administration" section is then the answer.
        """
        wanted = [t for t in question_topics(query)[:1] if t in SIBLING_TOPICS]
        topic_info = topic(wanted[0]) if wanted else None
        if topic_info is None:
            return []
        have = {h.passage.id for h in hits}
        best: dict[str, float] = {}
        for hit in hits:
            best.setdefault(hit.passage.source_id, hit.score)
        out: list[Hit] = []
        for source_id, score in list(best.items())[:SIBLING_SOURCES]:
            for passage in self.library.passages_of(source_id):
                if passage.id not in have and topic_info.heading.search(passage.section):
                    out.append(Hit(passage, score * 0.9, {"sibling": 1.0}))
        return out

    def _widen(self, plan: QuestionPlan, evidence: Sequence[Evidence]) -> list[Evidence]:
        """Evidence for a broad question's facets that the main search left out."""
        hits = facet_hits(self.facet_retriever, plan, evidence)
        have = {ev.hit.passage.id for ev in evidence} | {h.passage.id for h in hits}
        return self._evidence(hits + more_of_sources(self.library, evidence, have))

    def _drug_index(self, fingerprint: str) -> DrugIndex:
        """The library's drug index, rebuilt when the library changes."""
        if self._drugs is None or self._drugs[0] != fingerprint:
            classes = {
                e.term: (e.term, *e.aliases, *([e.long] if e.long else []))
                for e in self.glossary.entries
                if e.kind == "drug"
            }
            self._drugs = (fingerprint, DrugIndex.from_library(self.library, classes))
        return self._drugs[1]

    def _population_of(self, fingerprint: str) -> Population:
        """The library's domain and foreign conditions, rebuilt when the library changes."""
        if self._population is None or self._population[0] != fingerprint:
            try:
                passages = int(self.library.passage_count())
                population = Population.build(self.glossary, self.stats, passages)
            except Exception:
                population = Population.empty()
            self._population = (fingerprint, population)
        return self._population[1]

    @staticmethod
    def _label_groups(index: DrugIndex, evidence: Sequence[Evidence]) -> dict[str, str]:
        groups: dict[str, str] = {}
        for ev in evidence:
            if ev.source.tier == "label":
                drug = index.drug_of(ev.source.id)
                if drug is not None:
                    groups[ev.source.id] = drug.display
        return groups

    def _tiers_of(self, hits: Sequence[Hit]) -> list[str]:
        ids = {h.passage.source_id for h in hits}
        rows = self.library.get_sources(ids) if ids else {}
        return [s.tier for s in rows.values()]

    def _evidence(self, hits: Sequence[Hit]) -> list[Evidence]:
        sources = self.library.get_sources(h.passage.source_id for h in hits)
        return [
            Evidence(h, sources[h.passage.source_id])
            for h in hits
            if h.passage.source_id in sources
        ]

    def ask(
        self,
        question: str,
        *,
        audience: Audience = "clinician",
        thread_id: str | None = None,
        explain: bool = False,
        generator_name: str | None = None,
        facets: tuple[Facet, ...] = (),
    ) -> Answer:
        """Answer ``question`` for ``audience``; record it in ``thread_id`` when given.

        ``generator_name`` picks a registered generator (``AskRequest.generator``); its
        statements are verified and it falls back to the extractive answer on failure.
        """
        if audience not in AUDIENCES:
            raise ValueError(
                f"unknown audience {audience!r}; expected one of {', '.join(AUDIENCES)}"
            )
        question = " ".join(question.split())
        started = time.perf_counter()
        timings: dict[str, float] = {}

        previous = (
            [t.resolved_query for t in threads.turns(self.library.conn, thread_id)]
            if thread_id
            else []
        )
        query = resolve(question, previous, self.glossary)

        mark = time.perf_counter()
        evidence = self._evidence(self._retrieve(query)) if question else []
        timings["retrieve"] = (time.perf_counter() - mark) * 1000

        mark = time.perf_counter()
        plan = analyse(
            query, self.glossary, expansions=_expansions(self.retriever, query), idf=self.stats.idf
        )
        gate = assess(plan, evidence)
        fingerprint = self.library.fingerprint()
        answer: Answer
        if not gate.passed:
            answer = self._abstain(question, audience, fingerprint, gate)
        else:
            if plan.intent.broad:
                # Only once the gate has passed: facets widen an answer, never justify one.
                facet_mark = time.perf_counter()
                evidence += self._widen(plan, evidence)
                timings["retrieve_facets"] = (time.perf_counter() - facet_mark) * 1000
            pool = candidates(
                plan,
                evidence,
                audience,
                population=self._population_of(fingerprint),
                glossary=self.glossary,
            )
            labels = (
                LabelExpander(self.library, self._drug_index(fingerprint))
                if plan.intent.label_topics and self.generator is None
                else None
            )
            generator = self.generator or ExtractiveComposer(
                audience, glossary=self.glossary, plan=plan, pool=pool, labels=labels
            )
            # --- generator hook (issue #13): a named non-default generator drafts, every
            # sentence is verified, and failures fall back to the extractive statements.
            drafted_by: GeneratorInfo | None = None
            if generator_name and generator_name != generators.DEFAULT and self.generator is None:
                context = generators.GeneratorContext(
                    query, audience, self.glossary, plan, pool, facets=facets, labels=labels
                )
                given = list(evidence)
                statements, drafted_by = generators.draft(
                    generator_name, context, given, lambda: generator.generate(query, given)
                )
            else:
                statements = generator.generate(query, evidence)
            # --- end of generator hook
            label_groups: dict[str, str] = {}
            if labels is not None:
                have = {ev.hit.passage.id for ev in evidence}
                evidence += [ev for ev in labels.evidence if ev.hit.passage.id not in have]
                label_groups = self._label_groups(labels.index, evidence)
            answer = assemble(
                question,
                audience,
                statements,
                evidence,
                plan=plan,
                pool=pool,
                glossary=self.glossary,
                fingerprint=fingerprint,
                learned=self.stats.learned_abbreviations(),
                label_groups=label_groups,
            )
            answer = replace(answer, generator=drafted_by)  # generator hook (issue #13)
            if not answer.sections:
                gate = GateResult(
                    False,
                    gate.coverage,
                    gate.best,
                    gate.covered,
                    gate.missing,
                    "no sentence in the retrieved passages addresses the question",
                )
                answer = self._abstain(question, audience, fingerprint, gate)
        timings["compose"] = (time.perf_counter() - mark) * 1000
        timings["total"] = (time.perf_counter() - started) * 1000
        answer = replace(
            answer,
            last_updated=datetime.now(UTC).date().isoformat(),
            timings_ms=timings,
            thread_id=thread_id,
        )
        if explain:
            self.last_trace = {
                "resolved_query": query,
                "concepts": [(c.word, round(c.weight, 2)) for c in plan.concepts],
                "topics": list(plan.topics),
                "intent": plan.intent.name,
                "gate": {
                    "passed": gate.passed,
                    "coverage": round(gate.coverage, 3),
                    "best": round(gate.best, 3),
                    "reason": gate.reason,
                    "missing": list(gate.missing),
                },
                "hits": [
                    {
                        "passage_id": ev.hit.passage.id,
                        "tier": ev.source.tier,
                        "title": ev.source.title,
                        "section": ev.hit.passage.section,
                        "score": round(ev.hit.score, 4),
                        "components": {k: round(v, 4) for k, v in ev.hit.components.items()},
                    }
                    for ev in evidence
                ],
            }
        if thread_id:
            from curbside.render.jsonout import render_json

            threads.add_turn(
                self.library.conn, thread_id, question, query, render_json(answer, indent=None)
            )
        return answer

    def _abstain(
        self, question: str, audience: Audience, fingerprint: str, gate: GateResult
    ) -> Answer:
        return Answer(
            question=question,
            audience=audience,
            sections=(),
            references=(),
            disclaimer=disclaimer(audience),
            library_fingerprint=fingerprint,
            abstained=True,
            message=abstention_message(gate),
        )
