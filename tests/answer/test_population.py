"""Statements about another disease, or another named trial, stay out of an answer."""

from __future__ import annotations

from curbside.answer.names import NameFocus, names_in
from curbside.answer.population import Population
from curbside.answer.select import candidates
from curbside.models import Evidence, Hit, Passage, Source
from curbside.question.concepts import analyse
from curbside.text.glossary import load_glossary

GLOSSARY = load_glossary()


class _Counts:
    """Stands in for LibraryStats: passage counts per name."""

    def __init__(self, counts: dict[str, int]) -> None:
        self.counts = counts

    def df(self, word: str) -> int:
        return self.counts.get(word, 0)


def _population() -> Population:
    counts = {"neuroendocrine tumor": 80, "HCC": 3, "acromegaly": 2}
    return Population.build(GLOSSARY, _Counts(counts), passages=100)  # type: ignore[arg-type]


def _evidence(source_id: str, title: str, sentences: list[str]) -> Evidence:
    text = " ".join(sentences)
    source = Source(id=source_id, title=title, tier="guideline", text=text, content_hash="x")
    passage = Passage(f"{source_id}#0", source_id, 0, "Treatment", 0, len(text), text)
    return Evidence(Hit(passage, 1.0), source)


def test_domain_comes_from_library_counts_and_definitions() -> None:
    population = _population()
    assert "NET" in population.domain
    # Defined through neuroendocrine tumors, so part of the subject though rarely named.
    assert "carcinoid syndrome" in population.domain
    assert {"HCC", "acromegaly"} <= population.foreign
    # Side effects are conditions but not diseases: never a population.
    assert "hepatotoxicity" not in population.domain | population.foreign


def test_off_topic_rules() -> None:
    population = _population()
    assert population.off_topic({"HCC"}, set(), asked=set())
    assert not population.off_topic({"HCC", "NET"}, set(), asked=set())
    assert not population.off_topic({"HCC"}, set(), asked={"HCC"})
    # No disease in the sentence: its source title decides.
    assert population.off_topic(set(), {"HCC"}, asked=set())
    assert not population.off_topic(set(), set(), asked=set())
    # Asked about another disease, the library's own subject is the aside.
    assert population.off_topic({"NET"}, set(), asked={"HCC"})


def test_empty_population_filters_nothing() -> None:
    assert not Population.empty().off_topic({"HCC"}, set(), asked=set())


def test_candidates_drop_other_disease_statements() -> None:
    ev = _evidence(
        "g1",
        "Liver-directed therapy guideline",
        [
            "In HCC with cirrhosis, chemoembolization is relatively contraindicated with "
            "portal vein thrombosis.",
            "Chemoembolization of neuroendocrine tumor liver metastases controls symptoms "
            "in most patients.",
        ],
    )
    plan = analyse("What are the risks of chemoembolization?", GLOSSARY)
    kept = candidates(plan, [ev], "clinician", population=_population(), glossary=GLOSSARY)
    texts = [c.sentence.text for c in kept]
    assert any("neuroendocrine" in t for t in texts)
    assert not any("HCC" in t for t in texts)
    # Without a population the engine's old behaviour is unchanged.
    unfiltered = candidates(plan, [ev], "clinician")
    assert any("HCC" in c.sentence.text for c in unfiltered)


def test_names_skip_glossary_abbreviations() -> None:
    assert names_in("Results of NETTER-2 and CLARINET after TACE and PRRT", GLOSSARY) == {
        "NETTER-2",
        "CLARINET",
    }
    focus = NameFocus.of("What did NETTER-2 show?", GLOSSARY)
    assert focus.adjust(frozenset({"NETTER-2"}), frozenset()) > 0
    assert focus.adjust(frozenset({"NETTER-1"}), frozenset()) < 0
    assert focus.adjust(frozenset(), frozenset({"NETTER-2"})) > 0
    assert NameFocus.of("What is TACE?", GLOSSARY).adjust(frozenset({"X"}), frozenset()) == 0


def test_statements_on_another_named_trial_go_when_the_asked_one_is_covered() -> None:
    ev = _evidence(
        "r1",
        "Two trials of a radioligand",
        [
            "In ALPHA-2, progression-free survival was longer with the radioligand.",
            "In ALPHA-1, overall survival was longer with the radioligand.",
            "The radioligand is given as an infusion.",
        ],
    )
    plan = analyse("What did ALPHA-2 show for the radioligand?", GLOSSARY)
    texts = [c.sentence.text for c in candidates(plan, [ev], "clinician", glossary=GLOSSARY)]
    assert any("ALPHA-2" in t for t in texts)
    assert not any("ALPHA-1" in t for t in texts)


def test_label_sentences_must_name_what_the_question_names() -> None:
    text = "Liver tests should be checked before each cycle of sunitinib."
    source = Source(
        id="label-x", title="Sunitinib label", tier="label", text=text, content_hash="x"
    )
    ev = Evidence(
        Hit(Passage("label-x#0", "label-x", 0, "Warnings", 0, len(text), text), 1.0), source
    )
    procedure = analyse("What should be checked after chemoembolization of the liver?", GLOSSARY)
    assert candidates(procedure, [ev], "clinician") == []
    drug = analyse("What should be checked before sunitinib?", GLOSSARY)
    assert candidates(drug, [ev], "clinician")
