"""The answer engine: request → understanding → retrieval → gate → statements → Answer.

``Engine(library).ask(request)`` is what the CLI, the web app and integrations call. The
engine is re-entrant: it keeps no per-call state and writes nothing, so one engine serves
concurrent questions. A caller that keeps a conversation passes the earlier questions in
``AskRequest.history`` and records the turn itself (:mod:`curbside.answer.threads`).

Steps, each in its own module: :mod:`.context` resolves follow-ups; :mod:`curbside.question`
reads the question once (the clinical question, the patient's facets, the question type,
the query plan retrieval runs and the weighted concepts answering works from); the
retriever finds evidence; :mod:`.gate` refuses when the evidence is not about the
question; :mod:`.select` and the generator pick statements; :mod:`.assemble` builds the
answer with its bottom line, sections, key numbers and references.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

from curbside.answer import generators
from curbside.answer.anchors import off_topic
from curbside.answer.assemble import assemble
from curbside.answer.audience import disclaimer
from curbside.answer.base import Generator
from curbside.answer.compose import ExtractiveComposer
from curbside.answer.context import resolve
from curbside.answer.coverage_map import library_scope
from curbside.answer.drugs import DrugIndex
from curbside.answer.gate import GateResult, abstention_message, assess
from curbside.answer.label_focus import LabelFocus, find_focus, refocus, with_drug_names
from curbside.answer.labels import LabelExpander
from curbside.answer.population import Population
from curbside.answer.select import candidates
from curbside.answer.stats import LibraryStats
from curbside.answer.subjects import with_subjects
from curbside.answer.trace import Trace, build_trace
from curbside.answer.widen import facet_hits, more_of_sources
from curbside.models import (
    AUDIENCES,
    DETAILS,
    TIERS,
    Answer,
    AskRequest,
    Audience,
    Detail,
    Evidence,
    GeneratorInfo,
    Hit,
    Statement,
)
from curbside.question import analyse_question
from curbside.question.concepts import QuestionPlan
from curbside.question.question_types import DRUG_TYPES, says
from curbside.question.topics import question_topics, topic
from curbside.question.understand import Understanding
from curbside.retrieve import QueryPlan, Retriever
from curbside.store import Library
from curbside.store.threads import turns
from curbside.text.common import specificity
from curbside.text.glossary import Glossary, load_glossary

#: Label statements in the answer to a question about a drug, by audience.
DRUG_LABEL_BUDGET = {"clinician": 8, "nurse": 8, "student": 6, "patient": 4}
#: Labels pulled in whole for a drug question (a drug may have several labels).
LABELS_PER_QUESTION = 3
#: Passages the relevance gate reads (see :func:`assess`).
GATE_TOP = 10
#: Passages retrieved per question.
SEARCH_K = 24
#: Passages fetched per tier that the main search left out.
TIER_K = 6
#: Sources whose sections are searched for the topic a question asks about.
SIBLING_SOURCES = 8
#: Topics whose sections are well defined enough to fetch directly.
SIBLING_TOPICS = frozenset({"Dosage", "Safety", "Monitoring", "Indications"})


class _PerLibrary:
    """Values derived from the whole library, rebuilt when its fingerprint changes.

    Shared by concurrent questions; a lock makes sure one thread builds and the others
    reuse the result.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._drugs: tuple[str, DrugIndex] | None = None
        self._population: tuple[str, Population] | None = None
        self._scope: tuple[str, str] | None = None

    def drugs(self, fingerprint: str, library: Library, glossary: Glossary) -> DrugIndex:
        with self._lock:
            if self._drugs is None or self._drugs[0] != fingerprint:
                classes = {
                    e.term: (e.term, *e.aliases, *([e.long] if e.long else []))
                    for e in glossary.entries
                    if e.kind == "drug"
                }
                self._drugs = (fingerprint, DrugIndex.from_library(library, classes))
            return self._drugs[1]

    def population(
        self, fingerprint: str, library: Library, glossary: Glossary, stats: LibraryStats
    ) -> Population:
        with self._lock:
            if self._population is None or self._population[0] != fingerprint:
                population = Population.build(glossary, stats, stats.passages())
                self._population = (fingerprint, population)
            return self._population[1]

    def scope(self, fingerprint: str, library: Library, glossary: Glossary) -> str:
        with self._lock:
            if self._scope is None or self._scope[0] != fingerprint:
                self._scope = (fingerprint, library_scope(library, glossary))
            return self._scope[1]


class Engine:
    """Answers questions from one library. Create once; ``ask`` many times, from any thread."""

    def __init__(
        self,
        library: Library,
        retriever: Retriever | None = None,
        *,
        dense: bool = True,
        generator: Generator | None = None,
    ) -> None:
        self.library = library
        self.retriever = retriever if retriever is not None else Retriever(library, dense=dense)
        # Facet queries are keyword lists ("hospital stay length discharge"): lexical search
        # serves them as well as dense search, at a fraction of the cost.
        self.facet_retriever = self.retriever.variant(dense=False)
        self.generator = generator
        self.glossary = load_glossary()
        self.stats = LibraryStats(library, self.facet_retriever)
        self._derived = _PerLibrary()

    # -- the public entry points -------------------------------------------------------

    def ask(
        self,
        request: AskRequest | str,
        *,
        audience: Audience | None = None,
        thread_id: str | None = None,
        detail: Detail | None = None,
        generator: str | None = None,
    ) -> Answer:
        """Answer ``request`` (a question string is shorthand for a default request;
        the keyword arguments override the request's fields)."""
        return self.ask_traced(
            request, audience=audience, thread_id=thread_id, detail=detail, generator=generator
        )[0]

    def ask_traced(
        self,
        request: AskRequest | str,
        *,
        audience: Audience | None = None,
        thread_id: str | None = None,
        detail: Detail | None = None,
        generator: str | None = None,
    ) -> tuple[Answer, Trace]:
        """Answer ``request`` and return the diagnostics behind the answer too."""
        request = _as_request(request, audience, thread_id, detail)
        if generator is not None:
            request = replace(request, generator=generator)
        if request.audience not in AUDIENCES:
            raise ValueError(
                f"unknown audience {request.audience!r}; expected one of {', '.join(AUDIENCES)}"
            )
        if request.detail not in DETAILS:
            raise ValueError(
                f"unknown detail {request.detail!r}; expected one of {', '.join(DETAILS)}"
            )
        if request.thread_id and not request.history:
            request = replace(request, history=self._history(request.thread_id))
        started = time.perf_counter()
        timings: dict[str, float] = {}
        question = " ".join(request.question.split())
        query = resolve(question, list(request.history), self.glossary)
        analysed = analyse_question(
            query,
            self.glossary,
            expand=self.retriever.expand,
            facets=request.facets,
            known=self._known,
            idf=self._weight,
        )
        understood, plan = analysed.understood, analysed.plan

        mark = time.perf_counter()
        focus = self._label_focus(understood)
        hits = self._retrieve(analysed.search) if question else []
        if hits:
            hits += self._drug_labels(understood, hits, focus)
            hits = with_subjects(self.retriever, question, understood.subjects, hits, top=GATE_TOP)
        evidence = self._evidence(hits)
        timings["retrieve"] = (time.perf_counter() - mark) * 1000

        mark = time.perf_counter()
        gate = assess(analysed.gate_plan, evidence, required=understood.subjects, top=GATE_TOP)
        fingerprint = self.library.fingerprint()
        if gate.passed:
            answer, gate = self._compose(request, question, understood, plan, gate, evidence, focus)
        else:
            answer = self._abstain(request, question, fingerprint, gate)
        timings["compose"] = (time.perf_counter() - mark) * 1000
        timings["total"] = (time.perf_counter() - started) * 1000
        answer = replace(
            answer,
            generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
            last_updated=_evidence_date(answer) or "",
            evidence_updated=_evidence_date(answer) or "",
            timings_ms=timings,
            thread_id=request.thread_id,
            facets=understood.facets,
            question_type=understood.question_type,
            detail=request.detail,
        )
        trace = build_trace(
            query, understood.clinical_question, understood.question_type, plan, gate, evidence
        )
        return answer, trace

    # -- steps ---------------------------------------------------------------------------

    def _known(self, word: str) -> bool:
        """True when some passage of the library uses ``word``."""
        return self.stats.df(word) > 0

    def _weight(self, word: str) -> float:
        """A question word's weight: its rarity in the library (IDF) times how specific it
        is in general English, so that "hemodialysis" outweighs "watch" or "order"."""
        return self.stats.idf(word) * specificity(word)

    def _compose(
        self,
        request: AskRequest,
        question: str,
        understood: Understanding,
        plan: QuestionPlan,
        gate: GateResult,
        evidence: list[Evidence],
        focus: LabelFocus | None = None,
    ) -> tuple[Answer, GateResult]:
        fingerprint = self.library.fingerprint()
        known_drug = True
        if focus is not None:
            # Only once the gate has passed: the label's names widen what counts as
            # speaking of the drug, never whether the library can answer at all.
            named = with_drug_names(plan, focus)
            known_drug, plan = named is plan, named
        if plan.intent.broad:
            # Only once the gate has passed: facets widen an answer, never justify one.
            evidence = evidence + self._widen(plan, evidence)
        # Each source read from the library already says what replaces it.
        superseded = {
            ev.source.id: ev.source.superseded_by for ev in evidence if ev.source.superseded_by
        }
        pool = candidates(
            plan,
            evidence,
            request.audience,
            population=self._derived.population(
                fingerprint, self.library, self.glossary, self.stats
            ),
            glossary=self.glossary,
            understood=understood,
            superseded=superseded,
            own_labels=frozenset(focus.sources) if focus is not None else frozenset(),
        )
        if focus is not None:
            pool = refocus(pool, focus, understood.answers, strict=not known_drug)
        labels = (
            LabelExpander(
                self.library, self._derived.drugs(fingerprint, self.library, self.glossary)
            )
            if plan.intent.label_topics and self.generator is None
            else None
        )
        generator = self.generator or ExtractiveComposer(
            request.audience,
            glossary=self.glossary,
            plan=plan,
            pool=pool,
            labels=labels,
            asked=understood.answers,
            superseded=superseded,
            label_budget=DRUG_LABEL_BUDGET[request.audience]
            if understood.question_type in DRUG_TYPES or focus is not None
            else None,
        )
        # A named generator other than the default drafts; every sentence it writes is
        # verified against its quote, and any failure falls back to the extractive answer.
        drafted_by: GeneratorInfo | None = None
        if request.generator != generators.DEFAULT and self.generator is None:
            context = generators.GeneratorContext(
                understood.clinical_question,
                request.audience,
                self.glossary,
                plan,
                pool,
                facets=understood.facets,
                labels=labels,
            )
            given = list(evidence)
            statements, drafted_by = generators.draft(
                request.generator,
                context,
                given,
                lambda: generator.generate(understood.clinical_question, given),
            )
        else:
            statements = generator.generate(understood.clinical_question, evidence)
        label_groups: dict[str, str] = {}
        if labels is not None:
            have = {ev.hit.passage.id for ev in evidence}
            evidence = evidence + [ev for ev in labels.evidence if ev.hit.passage.id not in have]
            label_groups = _label_groups(labels.index, evidence)
        answer = assemble(
            question,
            request.audience,
            statements,
            evidence,
            plan=plan,
            pool=pool,
            glossary=self.glossary,
            fingerprint=fingerprint,
            learned=self.stats.learned_abbreviations(),
            label_groups=label_groups,
            understood=understood,
            detail=request.detail,
        )
        answer = replace(answer, generator=drafted_by)
        shown = _shown(answer)
        domain = self._derived.population(
            fingerprint, self.library, self.glossary, self.stats
        ).domain
        missing, untyped = off_topic(understood, shown, self.glossary, domain)
        if (missing or untyped) and (answer.sections or answer.bottom_line):
            # The evidence speaks of a neighbouring disease, not the one asked about; or of
            # the asked one only in passing, never with what is asked (its dose, its care).
            about = ", ".join(f"“{name}”" for name in missing or untyped)
            reason = (
                f"the passages that match speak of other conditions, not of {about}"
                if missing
                else f"it has no {understood.question_type} information on {about}"
            )
            gate = replace(gate, passed=False, reason=reason)
            return self._abstain(request, question, fingerprint, gate), gate
        if (answer.sections or answer.bottom_line) and _answers_the_type(answer, understood):
            return answer, gate
        if answer.sections or answer.bottom_line:
            subject = ", ".join(understood.subjects) or "this question"
            gate = replace(
                gate,
                passed=False,
                reason=f"it has nothing on {understood.question_type} for {subject}",
            )
            return self._abstain(request, question, self.library.fingerprint(), gate), gate
        gate = replace(
            gate,
            passed=False,
            reason="no sentence in the retrieved passages addresses the question",
        )
        return self._abstain(request, question, fingerprint, gate), gate

    def _history(self, thread_id: str) -> tuple[str, ...]:
        return tuple(t.resolved_query for t in turns(self.library.conn, thread_id))

    def _retrieve(self, query: QueryPlan) -> list[Hit]:
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
        return unique + self._siblings(query.query, unique)

    def _label_focus(self, understood: Understanding) -> LabelFocus | None:
        """The labelled drug the question asks about and the sections that answer it."""
        index = self._derived.drugs(self.library.fingerprint(), self.library, self.glossary)
        return find_focus(understood, index)

    def _drug_labels(
        self, understood: Understanding, hits: Sequence[Hit], focus: LabelFocus | None = None
    ) -> list[Hit]:
        """Every passage of the FDA labels of the drug a drug question asks about.

        "What should I monitor on sunitinib?" is answered by the sunitinib label's
        warnings, wherever retrieval ranked them: the label is the authority on its drug's
        dosing, monitoring, interactions and contraindications. Labels that only the label
        focus brings in (a drug the vocabulary does not know) add just the sections that
        answer the question.
        """
        if understood.question_type not in DRUG_TYPES and focus is None:
            return []
        names = list(understood.subjects) or [
            f.value for f in understood.facets if f.kind in ("treatment", "medication")
        ]
        if not names and focus is None:
            return []
        index = self._derived.drugs(self.library.fingerprint(), self.library, self.glossary)
        sources: list[str] = []
        for name in names:
            for mention in index.find(name):
                sources += [s for s in mention.drug.sources if s not in sources]
        # Labels found only through the label focus bring the sections that answer.
        focused = [s for s in (focus.sources if focus is not None else ()) if s not in sources]
        have = {h.passage.id for h in hits}
        top = max((h.score for h in hits), default=1.0)
        out: list[Hit] = []
        for source_id in [*focused, *sources][:LABELS_PER_QUESTION]:
            for passage in self.library.passages_of(source_id):
                if passage.id in have:
                    continue
                if source_id in focused and focus is not None and not focus.answers_in(passage):
                    continue
                out.append(Hit(passage, top * 0.9, {"drug_label": 1.0}))
        return out

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

    def _abstain(
        self, request: AskRequest, question: str, fingerprint: str, gate: GateResult
    ) -> Answer:
        scope = self._derived.scope(fingerprint, self.library, self.glossary)
        return Answer(
            question=question,
            audience=request.audience,
            sections=(),
            references=(),
            disclaimer=disclaimer(request.audience),
            library_fingerprint=fingerprint,
            abstained=True,
            message=abstention_message(gate, scope),
        )


def _as_request(
    request: AskRequest | str,
    audience: Audience | None,
    thread_id: str | None,
    detail: Detail | None,
) -> AskRequest:
    if isinstance(request, str):
        request = AskRequest(question=request)
    if detail is not None:
        request = replace(request, detail=detail)
    if audience is not None:
        request = replace(request, audience=audience)
    if thread_id is not None:
        request = replace(request, thread_id=thread_id)
    return request


def _answers_the_type(answer: Answer, understood: Understanding) -> bool:
    """True unless a question of a definite kind got no statement of that kind at all
    (asked for the best treatment, the library offers only an imaging finding)."""
    answers = understood.answers
    if answers is None or understood.question_type != "treatment choice":
        # Only treatment questions are held to this: their statements are recognised
        # broadly, so finding none means the evidence is about something else.
        return True
    return any(says(answers, s.text) for s in _shown(answer))


def _shown(answer: Answer) -> list[Statement]:
    """The statements an answer shows: its bottom line, then its sections."""
    return [
        *answer.bottom_line,
        *(s for sec in answer.sections for b in sec.blocks for s in b.statements),
    ]


def _label_groups(index: DrugIndex, evidence: Sequence[Evidence]) -> dict[str, str]:
    groups: dict[str, str] = {}
    for ev in evidence:
        if ev.source.tier == "label":
            drug = index.drug_of(ev.source.id)
            if drug is not None:
                groups[ev.source.id] = drug.display
    return groups


def _evidence_date(answer: Answer) -> str | None:
    """The latest publication or revision date of the sources an answer cites (the date a
    library was built says nothing about how current its evidence is)."""
    dates: list[str] = []
    for entry in answer.references:
        source = entry.source
        for value in (source.revised, source.published):
            if value:
                dates.append(value[:10])
                break
        else:
            if source.year:
                dates.append(str(source.year))
    return max(dates) if dates else None
