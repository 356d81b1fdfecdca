"""A narrow question's tier keeps to its topic, with at most one aside, led by a finding."""

from __future__ import annotations

from curbside.answer.compose import ASIDES_KEPT, _focused
from curbside.answer.select import candidates, mmr
from curbside.models import Evidence, Hit, Passage, Source
from curbside.question.concepts import analyse
from curbside.text.glossary import load_glossary

GLOSSARY = load_glossary()
SENTENCES = [
    "Everolimus is recommended for progressive pancreatic neuroendocrine tumors.",
    "Everolimus is an option for patients after earlier treatment of neuroendocrine tumors.",
    "Everolimus can cause non-infectious pneumonitis, a serious lung toxicity.",
    "Stomatitis is the most common adverse reaction to everolimus.",
    "Everolimus is considered alongside other options for neuroendocrine tumors.",
]


def _evidence() -> Evidence:
    text = " ".join(SENTENCES)
    source = Source(id="g", title="Guideline", tier="guideline", text=text, content_hash="x")
    return Evidence(Hit(Passage("g#0", "g", 0, "Therapy", 0, len(text), text), 1.0), source)


def test_safety_question_keeps_one_aside_and_leads_with_safety() -> None:
    plan = analyse("What are the side effects of everolimus?", GLOSSARY)
    pool = candidates(plan, [_evidence()], "clinician")
    picked = _focused(mmr(pool, 5, per_source=5), plan)
    assert picked[0].topic == "Safety"
    assert sum(c.topic != "Safety" for c in picked) <= ASIDES_KEPT
    assert sum(c.topic == "Safety" for c in picked) == 2


def test_broad_question_is_left_alone() -> None:
    plan = analyse("Tell me about everolimus", GLOSSARY)
    pool = candidates(plan, [_evidence()], "clinician")
    picked = mmr(pool, 5, per_source=5)
    assert len(_focused(list(picked), plan)) == len(picked)
