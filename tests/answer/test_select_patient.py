"""Selection by audience: patient information for patients, professional sources for others.

Every drug, dose and effect below is invented for these tests ("zelomab" is fictional).
"""

from __future__ import annotations

from dataclasses import replace

from curbside.answer.leads import lead_prefix
from curbside.answer.select import candidates, plain_first, professional, written_for_patients
from curbside.models import Evidence, Hit, Passage, Source
from curbside.question.concepts import analyse
from curbside.text.glossary import load_glossary

GLOSSARY = load_glossary()
QUESTION = "What side effects can zelomab cause?"

#: Patient information in short, plain sentences (fictional).
PLAIN = (
    "Zelomab can cause a rash on the arms and legs.",
    "Zelomab side effects include feeling tired and a dry mouth.",
    "Zelomab can make your ankles swell, so your doctor checks them.",
)
#: The professional source it restates, in dense wording (fictional).
DENSE = (
    "Zelomab side effects reported in the fictional registrational study included "
    "maculopapular exanthema, asthenia and xerostomia, with dose interruption required "
    "for grade 3 cutaneous toxicity in a minority of participants.",
    "Peripheral oedema attributable to zelomab necessitates periodic examination, "
    "particularly in patients receiving concomitant dihydropyridine calcium antagonists.",
)


def _evidence(
    n: int, sid: str, text: str, *, patient: bool, tier: str = "label", audience: str = ""
) -> Evidence:
    source = Source(
        id=sid,
        title=(
            "Zelomab (Zelotab) in plain words: patient information"
            if patient
            else "Zelotab (zelomab) tablets: prescribing information"
        ),
        tier=tier,
        text=text,
        content_hash=sid,
        design="patient information" if patient else "label",
        audience="patient" if patient else (audience or None),
        organization="Fictional Editors" if patient else "Fictional Pharma",
    )
    passage = Passage(f"{sid}#0", sid, 0, "Side effects and warnings", 0, len(text), text)
    return Evidence(Hit(passage, 1.0 - n / 10, {}), source)


def _library(plain: tuple[str, ...] = PLAIN) -> list[Evidence]:
    dense = _evidence(0, "label-zelomab", " ".join(DENSE), patient=False)
    easy = _evidence(1, "label-zelomab-patient", " ".join(plain), patient=True)
    return [dense, easy]


def _sources(pool: list) -> set[str]:  # type: ignore[type-arg]
    return {c.source_id for c in pool}


def test_patients_get_only_plain_sentences_when_patient_information_answers() -> None:
    plan = analyse(QUESTION, GLOSSARY)
    pool = candidates(plan, _library(), "patient")
    assert pool, "the patient information answers the question"
    assert _sources(pool) == {"label-zelomab-patient"}


def test_patients_still_get_the_dense_source_when_patient_information_is_thin() -> None:
    plan = analyse(QUESTION, GLOSSARY)
    pool = candidates(plan, _library(PLAIN[:1]), "patient")
    assert "label-zelomab" in _sources(pool), "one plain sentence is not an answer on its own"


def test_professionals_are_answered_from_the_professional_source() -> None:
    plan = analyse(QUESTION, GLOSSARY)
    for audience in ("clinician", "nurse", "student"):
        pool = candidates(plan, _library(), audience)  # type: ignore[arg-type]
        assert _sources(pool) == {"label-zelomab"}, audience


def test_professionals_get_patient_information_when_nothing_else_speaks() -> None:
    only = [_evidence(0, "label-zelomab-patient", " ".join(PLAIN), patient=True)]
    assert professional(only) == only
    plan = analyse(QUESTION, GLOSSARY)
    assert _sources(candidates(plan, only, "clinician")) == {"label-zelomab-patient"}


def test_plain_first_keeps_plain_sentences_of_other_sources() -> None:
    plan = analyse(QUESTION, GLOSSARY)
    simple = _evidence(2, "rx-zelomab", "Zelomab often causes a dry mouth.", patient=False)
    pool = candidates(plan, [*_library(), simple], "patient")
    assert "rx-zelomab" in _sources(pool)
    assert "label-zelomab" not in _sources(pool)
    assert plain_first([]) == []


def test_written_for_patients_is_the_design_not_the_audience_key() -> None:
    # A news story for patients, worded like a trial report.
    news = _evidence(0, "rx-news", DENSE[0], patient=False, tier="research", audience="patient")
    assert not written_for_patients(news)
    assert written_for_patients(_library()[1])


def test_patient_information_is_introduced_by_who_speaks_not_as_a_study() -> None:
    label_plain = _library()[1]
    assert lead_prefix(label_plain, "", "patient") == "The FDA label for Zelomab says:"
    editors = _evidence(0, "ld-zelomab-patient", PLAIN[0], patient=True, tier="research")
    assert lead_prefix(editors, "", "patient") == "Fictional Editors:"


def test_a_short_sentence_of_statistics_is_not_plain_for_patients() -> None:
    plan = analyse(QUESTION, GLOSSARY)
    # Short words and digits: a grade formula calls it easy; a patient cannot read it.
    stats = _evidence(
        2, "rx-zelomab-hr", "Zelomab had a hazard ratio of 0.5 (95% CI 0.3 to 0.7).", patient=False
    )
    simple = _evidence(3, "rx-zelomab", "Zelomab often causes a dry mouth.", patient=False)
    pool = candidates(plan, [*_library(), stats, simple], "patient")
    assert "rx-zelomab" in _sources(pool)
    assert "rx-zelomab-hr" not in _sources(pool)


def test_a_study_is_introduced_to_patients_in_plain_words() -> None:
    text = "In this fictional trial, 120 patients were randomized to zelomab or placebo."
    trial = _evidence(0, "rx-zelomab-trial", text, patient=False, tier="research")
    trial = replace(trial, source=replace(trial.source, design="randomized controlled trial"))
    assert lead_prefix(trial, "", "patient") == "A clinical trial of 120 people found:"
    assert lead_prefix(trial, "", "clinician").startswith("A randomized controlled trial of 120")
