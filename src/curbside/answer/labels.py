"""FDA-label statements for the drugs an answer's evidence names.

When the guideline and research statements chosen for a broad question name drugs
("somatostatin analogues (octreotide LAR or lanreotide)", "everolimus or sunitinib"),
a clinician wants each drug's labeled indication and dose beside them. The
:class:`LabelExpander` finds those drugs (:mod:`curbside.answer.drugs`), reads the
matching sections of their labels straight from the library, and scores the
sentences: the indication that fits the question's condition, the standard dose
rather than a dose modification. Drugs whose label does not cover the condition
come last, with the label's own words saying so.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from curbside.answer.drugs import OFF_LABEL, Drug, DrugIndex
from curbside.answer.select import PART_OF_CONDITION, Candidate
from curbside.models import Evidence, Hit, Passage, Source
from curbside.question.concepts import Concept, QuestionPlan
from curbside.question.topics import classify, topic
from curbside.text.numbers import has_figure
from curbside.text.sentences import split_passage
from curbside.text.words import key_set

_STANDARD = re.compile(r"\b(recommended|starting|standard|usual|initial|maximum)\b", re.I)
#: Dose sentences about adjustments rather than the standard regimen.
_MODIFIED = re.compile(
    r"\bimpairment\b|\binhibitors?\b|\binducers?\b|\breduc\w*|\binterrupt\w*|\bmodif\w*|"
    r"\bdialysis\b|\bcirrhosis\b|\bexacerbation|\bwithh(e|o)ld|\bmissed\b|\bdiscontinu|"
    r"\bstopped\b|\bswitch\w*",
    re.I,
)
#: A dose: an amount with a unit of mass, activity or volume.
_DOSE = re.compile(r"\b\d+(\.\d+)?\s?(mg|mcg|µg|g|GBq|MBq|mCi|units?|mL)\b")
#: Highest number of drugs whose labels one answer draws on.
MAX_DRUGS = 5


@dataclass(frozen=True)
class LabelPick:
    """A chosen label sentence and the drug it belongs to."""

    candidate: Candidate
    drug: Drug


def _condition_coverage(plan: QuestionPlan, keys: frozenset[str]) -> float:
    """Weighted share of the question's conditions that ``keys`` mention.

    A condition counts in part when most words of one of its names occur
    ("gastroenteropancreatic neuroendocrine tumors" for "pancreatic neuroendocrine
    tumors" shares two of three). Without a named condition, the share of all the
    question's concepts: an indication fits when it names the disease, not merely a
    shared word such as "metastatic".
    """
    conditions = [c for c in plan.concepts if c.entity_kind == "condition"]
    if not conditions:
        return plan.coverage(keys)
    total = sum(c.weight for c in conditions) or 1.0
    return sum(c.weight * _share(c, keys) for c in conditions) / total


def _share(concept: Concept, keys: frozenset[str]) -> float:
    share = concept.share(keys)
    return share if share >= PART_OF_CONDITION else 0.0


def _indication_score(plan: QuestionPlan, keys: frozenset[str], text: str) -> float:
    score = _condition_coverage(plan, keys) + 0.3 * plan.coverage(keys)
    if re.search(r"\bindicated\b|\bapproved\b|\blabeled for\b", text, re.I):
        score += 0.2
    return score


def _dose_score(plan: QuestionPlan, keys: frozenset[str], text: str) -> float:
    score = 0.2 * plan.coverage(keys)
    if _DOSE.search(text):
        score += 0.3
    if _STANDARD.search(text):
        score += 0.2
    if _MODIFIED.search(text):
        score -= 0.4
    return score


class LabelExpander:
    """Pulls label statements for drugs named by chosen statements (and the question)."""

    def __init__(self, library: Any, index: DrugIndex) -> None:
        self.library = library
        self.index = index
        #: Evidence built for the label passages read, for the engine to verify citations.
        self.evidence: list[Evidence] = []
        #: Display name of the drug behind each label source used.
        self.drug_names: dict[str, str] = {}

    def drugs_named(self, plan: QuestionPlan, chosen: Sequence[Candidate]) -> list[Drug]:
        """Drugs in order of first mention: the question's own, then the chosen statements'."""
        order: list[Drug] = []
        for text in [plan.text, *(c.sentence.text for c in chosen)]:
            for mention in self.index.find(text):
                if mention.drug not in order:
                    order.append(mention.drug)
        return order

    def _source(self, drug: Drug, texts: Sequence[str]) -> Source | None:
        """The label of ``drug`` the evidence names most specifically."""
        ranked = sorted(
            drug.sources,
            key=lambda sid: -max((self.index.specificity(drug, sid, t) for t in texts), default=0),
        )
        sources = self.library.get_sources(ranked)
        return next((sources[sid] for sid in ranked if sid in sources), None)

    def _sentences(
        self, source: Source, topic_names: Sequence[str]
    ) -> dict[str, list[tuple[Passage, Any]]]:
        wanted = {name: topic(name) for name in topic_names}
        out: dict[str, list[tuple[Passage, Any]]] = {name: [] for name in topic_names}
        for passage in self.library.passages_of(source.id):
            for name, info in wanted.items():
                if info is not None and info.heading.search(passage.section):
                    out[name].extend((passage, s) for s in split_passage(passage))
        return out

    def expand(
        self,
        plan: QuestionPlan,
        chosen: Sequence[Candidate],
        topic_names: Sequence[str],
        budget: int,
    ) -> list[LabelPick]:
        """Label sentences for the drugs ``chosen`` names, best drug first, within ``budget``."""
        drugs = self.drugs_named(plan, chosen)
        texts = [plan.text, *(c.sentence.text for c in chosen)]
        on_label: list[list[LabelPick]] = []
        off_label: list[list[LabelPick]] = []
        extras: list[LabelPick] = []
        procedures = [c for c in plan.anchors if c.entity_kind == "procedure"]
        for drug in drugs:
            source = self._source(drug, texts)
            if source is None:
                continue
            if procedures and not any(
                p.covered_by(key_set(source.text)) or p.in_family(source.text) for p in procedures
            ):
                continue  # for a question about a procedure: the drugs its label ties to it
            core, more, covered = self._picks(plan, drug, source, topic_names)
            if not core:
                continue
            excluded = any(OFF_LABEL.search(p.candidate.sentence.text) for p in core)
            if not covered and excluded:
                # The label says the use is not covered: its doses belong to other diseases.
                core, more = core[:1], []
            (on_label if covered else off_label).append(core)
            extras.extend(more)
        # Off-label drugs: a label for a related use before one that excludes the use,
        # then the label that comes closest to the condition.
        off_label.sort(
            key=lambda picks: (
                bool(OFF_LABEL.search(picks[0].candidate.sentence.text)),
                -picks[0].candidate.score,
            )
        )
        out: list[LabelPick] = []
        # Drugs labeled for the question's condition first; a drug the evidence recommends
        # beyond its label follows, its label saying what it is labeled for.
        groups = (on_label + off_label)[: max(1, min(MAX_DRUGS, budget // 2))]
        for group in groups:
            out.extend(group)
        for pick in extras:
            if len(out) >= budget:
                break
            if any(p.drug is pick.drug for p in out):
                out.append(pick)
        # Keep each drug's statements together, in the order the drugs were ranked.
        rank = {id(p[0].drug): i for i, p in enumerate(groups)}
        out.sort(key=lambda p: rank.get(id(p.drug), len(rank)))
        return out[:budget]

    def _picks(
        self, plan: QuestionPlan, drug: Drug, source: Source, topic_names: Sequence[str]
    ) -> tuple[list[LabelPick], list[LabelPick], bool]:
        """(core picks, optional extra dose pick, whether the label covers the condition)."""
        by_topic = self._sentences(source, topic_names)
        picks: list[LabelPick] = []
        extra: list[LabelPick] = []
        covered = True
        for name in topic_names:
            scored = []
            for passage, sentence in by_topic.get(name, []):
                keys = key_set(sentence.text)
                if name == "Dosage":
                    value = _dose_score(plan, keys, sentence.text)
                    if any(m.drug is not drug for m in self.index.find(sentence.text)):
                        value -= 0.3  # the dose of a drug given alongside, not of this one
                else:
                    value = _indication_score(plan, keys, sentence.text)
                scored.append((value, passage, sentence, keys))
            scored.sort(key=lambda item: -item[0])
            if not scored:
                continue
            if name == "Indications":
                best = scored[0]
                covered = _condition_coverage(plan, best[3]) > 0 and not OFF_LABEL.search(
                    best[2].text
                )
            for i, (value, passage, sentence, keys) in enumerate(scored[:2]):
                if i == 1 and (name != "Dosage" or value < 0.45):
                    break
                pick = LabelPick(
                    self._candidate(plan, source, passage, sentence, keys, value), drug
                )
                (picks if i == 0 else extra).append(pick)
        return picks, extra, covered

    def _candidate(
        self,
        plan: QuestionPlan,
        source: Source,
        passage: Passage,
        sentence: Any,
        keys: frozenset[str],
        value: float,
    ) -> Candidate:
        evidence = next((e for e in self.evidence if e.hit.passage.id == passage.id), None)
        if evidence is None:
            evidence = Evidence(Hit(passage, value, {"label_expansion": 1.0}), source)
            self.evidence.append(evidence)
        drug = self.index.drug_of(source.id)
        if drug is not None:
            self.drug_names[source.id] = drug.display
        return Candidate(
            evidence=evidence,
            rank=0,
            sentence=sentence,
            keys=keys,
            topic=classify(sentence.text, sentence.heading),
            relevance=plan.coverage(keys),
            score=value,
            has_number=has_figure(sentence.text),
        )
