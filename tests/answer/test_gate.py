"""The relevance gate weighs concepts by rarity and never needs a list of banned topics."""

from __future__ import annotations

from curbside.answer.gate import abstention_message, assess
from curbside.models import Evidence, Hit, Passage, Source
from curbside.question.concepts import analyse
from curbside.text.glossary import load_glossary

TEXT = "Lanreotide is given by deep subcutaneous injection for neuroendocrine tumors."


def _evidence(text: str = TEXT, components: dict[str, float] | None = None) -> list[Evidence]:
    source = Source(id="s1", title="Placeholder label", tier="label", text=text, content_hash="h")
    passage = Passage(
        id="s1#0", source_id="s1", ordinal=0, section="Dosage", start=0, end=len(text), text=text
    )
    return [Evidence(Hit(passage, 1.0, components or {}), source)]


def _idf(word: str) -> float:
    return 1.0 if word.lower() in TEXT.lower() else 3.0  # unseen words weigh most


def test_relevant_question_passes() -> None:
    plan = analyse("How is lanreotide injected?", load_glossary(), idf=_idf)
    result = assess(plan, _evidence())
    assert result.passed and result.coverage == 1.0


def test_unrelated_question_fails_with_reason() -> None:
    plan = analyse("What is the capital of France?", load_glossary(), idf=_idf)
    result = assess(plan, _evidence())
    assert not result.passed and set(result.missing) == {"capital", "france"}
    assert "“france”" in abstention_message(result)


def test_question_without_topic_fails() -> None:
    result = assess(analyse("What should I do?", load_glossary()), _evidence())
    assert not result.passed and "names no topic" in result.reason
    assert "does not name a clinical topic" in abstention_message(result)


def test_low_dense_similarity_needs_strong_coverage() -> None:
    plan = analyse("Is lanreotide used for migraine?", load_glossary(), idf=lambda w: 1.0)
    weak = assess(plan, _evidence(components={"dense": 0.1}))
    assert not weak.passed


def test_one_covered_drug_does_not_carry_an_unrelated_disease() -> None:
    weights = {"lanreotide": 2.0, "migraine": 3.5}
    plan = analyse(
        "Is lanreotide used for migraine?",
        load_glossary(),
        idf=lambda w: weights.get(w.lower(), 1.0),
    )
    assert not assess(plan, _evidence()).passed


# -- libraries written by others: other spellings and close meaning ------------------------
# The compound and marker below are invented for these tests.

SYNTHETIC = "The invented compound KX-512 lowers the fictional plasma marker zelbrin in mice."


def _weights(word: str) -> float:
    return 1.0 if word.lower() in SYNTHETIC.lower() else 3.0


def test_spelt_otherwise_finds_split_hyphenated_and_one_letter_typos() -> None:
    from curbside.answer.gate import spelt_otherwise

    tokens = ["cpx", "351", "is", "an", "amino", "acid", "with", "chromosomal", "tlr", "7"]
    assert spelt_otherwise("CPX351", tokens)
    assert spelt_otherwise("aminoacid", tokens)
    assert spelt_otherwise("TLR7", tokens)
    assert spelt_otherwise("chromsomal", tokens)  # one letter dropped
    assert spelt_otherwise("chromosomel", tokens)  # one letter changed
    assert not spelt_otherwise("aminoacids", ["amino", "acid"])
    assert not spelt_otherwise("cpx3512", tokens)
    assert spelt_otherwise("anaminoacid", tokens)  # three parts
    assert not spelt_otherwise("isanaminoacid", tokens)  # four parts
    # Short words are never matched by a one-letter difference ("statin" is not "stating").
    assert not spelt_otherwise("statin", ["stating"])
    assert not spelt_otherwise("fury", ["furry"])
    assert not spelt_otherwise("apixaban", ["rivaroxaban"])
    assert not spelt_otherwise("", tokens)


def test_a_subject_written_with_a_hyphen_is_found() -> None:
    plan = analyse("What does KX512 lower?", load_glossary(), idf=_weights)
    found = assess(plan, _evidence(SYNTHETIC), required=("KX512",))
    assert found.passed, found.reason
    missing = assess(
        analyse("What does KX977 lower?", load_glossary(), idf=_weights),
        _evidence(SYNTHETIC),
        required=("KX977",),
    )
    assert not missing.passed and "“KX977”" in missing.reason


def test_a_close_passage_outweighs_one_unknown_word() -> None:
    # "quorvane" is a word the passage never uses: another name, say, for what it says.
    question = "Does KX-512 treat quorvane in mice?"
    plan = analyse(question, load_glossary(), idf=_weights)
    close = assess(plan, _evidence(SYNTHETIC, {"dense": 0.8}), required=("quorvane",))
    assert close.passed, close.reason
    far = assess(plan, _evidence(SYNTHETIC, {"dense": 0.5}), required=("quorvane",))
    assert not far.passed and "quorvane" in far.reason


def test_a_close_passage_never_stands_in_for_a_named_drug() -> None:
    glossary = load_glossary()
    plan = analyse("Does everolimus lower zelbrin in mice?", glossary, idf=_weights)
    assert any(c.entity_kind == "drug" for c in plan.concepts)
    result = assess(plan, _evidence(SYNTHETIC, {"dense": 0.9}), required=("everolimus",))
    assert not result.passed and "everolimus" in result.reason


# -- modifiers, names, short forms (issue 11: no false refusals on an uncurated corpus) -----
# Still invented: KX-512, zelbrin, PQE, Zelbrin RNA.


def test_a_missing_modifier_does_not_refuse_a_close_question_about_a_covered_name() -> None:
    question = "Does KX-512 lower postprandial zelbrin in mice?"
    plan = analyse(question, load_glossary(), idf=_weights)
    close = assess(plan, _evidence(SYNTHETIC, {"dense": 0.6}), required=("postprandial",))
    assert close.passed, close.reason
    # Far passages, or a modifier of a name the passages do not cover, still refuse.
    far = assess(plan, _evidence(SYNTHETIC, {"dense": 0.45}), required=("postprandial",))
    assert not far.passed and "postprandial" in far.reason
    other = analyse("Does KX-977 lower postprandial zelbrin?", load_glossary(), idf=_weights)
    assert not assess(
        other, _evidence(SYNTHETIC, {"dense": 0.6}), required=("KX-977", "postprandial")
    ).passed


def test_a_missing_noun_is_no_modifier() -> None:
    # "quorvane" could be a disease or a drug: at a middling similarity it still refuses.
    plan = analyse("Does KX-512 treat quorvane in mice?", load_glossary(), idf=_weights)
    result = assess(plan, _evidence(SYNTHETIC, {"dense": 0.6}), required=("quorvane",))
    assert not result.passed and "quorvane" in result.reason


def test_general_words_missing_beside_a_covered_name_need_only_the_anchored_bar() -> None:
    weights = {"kx-512": 2.0, "enzyme": 1.0, "targeted": 1.0}
    plan = analyse(
        "Which enzyme is targeted by KX-512?",
        load_glossary(),
        idf=lambda w: weights.get(w.lower(), 1.0),
    )
    close = assess(plan, _evidence(SYNTHETIC, {"dense": 0.55}))
    assert close.passed, close.reason
    assert set(close.missing) == {"enzyme", "targeted"}
    assert not assess(plan, _evidence(SYNTHETIC, {"dense": 0.3})).passed


def test_a_short_form_is_found_spelt_out_in_a_passage() -> None:
    from curbside.answer.gate import spelt_out

    words = ["the", "fictional", "protein", "quartz", "exchange", "database"]
    assert spelt_out("pqe", words)
    assert not spelt_out("pqx", words)
    # Function words do not count as initials.
    assert not spelt_out("tfp", words)
    text = "The fictional protein quartz exchange database lists zelbrin partners."
    plan = analyse("List the main PQE databases.", load_glossary(), idf=lambda w: 1.0)
    assert assess(plan, _evidence(text), required=("PQE",)).passed
    # Written in lower case it is a word, not a short form.
    lower = analyse("List the main pqe databases.", load_glossary(), idf=lambda w: 1.0)
    assert not assess(lower, _evidence(text), required=("pqe",)).passed


def test_a_prefixed_acronym_is_found_by_its_head() -> None:
    text = "Zelbrin RNA is expressed in the liver of female mice."
    plan = analyse("In which tissues is the lincRNA Zelbrin expressed?", load_glossary())
    assert assess(plan, _evidence(text), required=("lincrna",)).passed
    bare = "Zelbrin is expressed in the liver of female mice."
    assert not assess(plan, _evidence(bare), required=("lincrna",)).passed


def test_a_genus_is_found_cut_to_its_initial() -> None:
    # A fictional microbe: biology writes "Zelbrinella quartzii", then "Z. quartzii".
    text = "Z. quartzii was found by PCR in the urine of children with infections."
    plan = analyse("Is Zelbrinella quartzii a cause of infections in children?", load_glossary())
    assert assess(plan, _evidence(text), required=("zelbrinella",)).passed
    other = "X. quartzii was found by PCR in the urine of children with infections."
    assert not assess(plan, _evidence(other), required=("zelbrinella",)).passed
