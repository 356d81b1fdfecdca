"""Topic labels for sentences and the topical focus of a question.

A sentence's topic comes from the section heading it sits under (e.g. an FDA
label's "Dosage and Administration") and from cue words in the sentence itself;
nothing is keyed to particular questions. The same cues, phrased as people ask,
tell which topics a question is about, so those blocks come first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_TOPIC = "Key considerations"


@dataclass(frozen=True)
class Topic:
    """A topic: its display name and the patterns that signal it."""

    name: str
    heading: re.Pattern[str]
    cues: re.Pattern[str]
    asks: re.Pattern[str]


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


#: Topics in display-priority order (ties resolve to the earlier one).
TOPICS: tuple[Topic, ...] = (
    Topic(
        "Dosage",
        _rx(r"dos(e|age|ing)|administration|posology|how supplied"),
        _rx(
            r"\b\d+(\.\d+)?\s?(mg|mcg|µg|g|mbq|gbq|mci|units?)\b|\bdos(e|es|age|ing)\b|"
            r"\bevery \d+ (weeks?|days?|hours?)\b|\b(once|twice|three times) (daily|a day|weekly)\b|"
            r"\badminister(ed)?\b|\binfusion\b|\bdose (reduction|modification)s?\b"
        ),
        _rx(
            r"\bdos(e|es|age|ing)\b|how much|how often|\bmg\b|schedule|administ|given|frequency|"
            r"\binject"
        ),
    ),
    Topic(
        "Safety",
        _rx(r"warning|precaution|adverse|toxicit|safety|contraindicat|complication|side effect"),
        _rx(
            r"\badverse\b|\btoxicit|\bside[- ]effects?\b|\bcomplications?\b|\brisks?\b|"
            r"\bcontraindicat|\bpost-?embolization syndrome\b|\bhepatotoxic|\bnephrotoxic|\bmyelo|\bhypoglyc|"
            r"\bhyperglyc|\bfatal|\bdeath|\binfection|\bbleeding|\bhemorrhag|\babscess|"
            r"\bembryo-?fetal|\bpregnan|\bwell tolerated\b|\bsafety\b|\bdiscontinu|"
            # "grade 3 (Ki-67 …)" is a tumour grade, not a toxicity grade.
            r"\bgrade [345]\b(?!\s*\(?(?:Ki-?67|G\d|NETs?\b|NECs?\b|neuroendocrine|tumou?rs?|carcinomas?|neoplasms?))"
        ),
        _rx(
            r"side[- ]effects?|adverse|safe(ty)?\b|risks?\b|toxic|complication|harm|danger|"
            r"warning|contraindicat|tolerat|pregnan"
        ),
    ),
    Topic(
        "Outcomes",
        _rx(r"result|efficacy|clinical stud|outcome|response|survival|finding"),
        _rx(
            r"\bsurvival\b|\bprogression-free\b|\bPFS\b|\bOS\b|\bresponse rates?\b|\bhazard ratio\b|"
            r"\bHR\b|\bmedian\b|\bimproved?\b|\bp\s?[<=]\s?0|\bobjective response\b|\befficacy\b|"
            r"\bdisease control\b|\bsymptom(atic)? (control|relief|response|improvement)\b"
        ),
        _rx(
            r"results?|outcomes?|efficacy|effective|works?\b|survival|response|benefit|trial|"
            r"evidence|how well|success|purpose|goal|aim\b|role|why|\bshow(ed|n)?\b|\bfind\b|"
            r"\bfound\b|\bdemonstrat"
        ),
    ),
    Topic(
        "Prognosis",
        _rx(r"prognos"),
        _rx(
            r"\bprognos|\bpredict|\bindependent(ly)? (factor|predictor|prognosticator)|"
            r"\b(poor|worse|better|favou?rable) (outcome|survival|prognosis)"
        ),
        _rx(r"prognos|outlook|life expectancy|how long .*live|survival chance|chance"),
    ),
    Topic(
        "Monitoring",
        _rx(r"monitor|follow-?up|surveillance|laboratory tests"),
        _rx(
            r"\bmonitor|\bfollow-?up\b|\bsurveillance\b|\bimaging every\b|\bevery \d+(-\d+)? months\b|"
            r"\bchromogranin\b|\bcheck(ed)?\b|\bmeasure(d)? (blood|serum)"
        ),
        _rx(r"monitor|follow-?up|surveillance|check|scan|test(s|ing)?\b|imaging"),
    ),
    Topic(
        "Indications",
        _rx(r"indication|usage"),
        _rx(r"\bis indicated\b|\bindicated for\b|\bapproved for\b|\bcandidates?\b|\beligib"),
        _rx(r"indicat|who should|eligib|candidate|approved|when (is|should)"),
    ),
    Topic(
        "Treatment options",
        _rx(r"treatment|therap|management|recommendation|options|approach"),
        _rx(
            r"\brecommend|\bshould be (considered|offered|used)\b|\boptions?\b|\bfirst-line\b|"
            r"\btreatment of choice\b|\balternatives?\b|\bcomparable\b|\bconsidered\b|"
            r"\bapproach\b|\bmultidisciplinary\b|\bliver-directed\b|\bsystemic\b"
        ),
        _rx(
            r"best (approach|treatment|option)|options?|alternatives?|instead|manage|approach|"
            r"which treatment|what treatment|compare|versus|\bvs\b|\bor\b"
        ),
    ),
    Topic(
        "How it works",
        _rx(r"mechanism|pharmacolog|description|technique|procedure"),
        _rx(
            r"\bmechanism\b|\bbinds? to\b|\bcatheter\b|\bembolic\b|\bhepatic artery\b|"
            r"\bblood supply\b|\bdelivers?\b|\bischemi"
        ),
        _rx(
            r"how does|how (is|are) .* (done|performed|given)|mechanism|"
            r"^\s*what (is|are) (an? |the )?[\w\-]+( [\w\-]+)?\s*\??\s*$|purpose|why|works?\b"
        ),
    ),
)

_BY_NAME = {topic.name: topic for topic in TOPICS}


def topic_names() -> tuple[str, ...]:
    """All topic names, default last."""
    return (*(t.name for t in TOPICS), DEFAULT_TOPIC)


def classify(sentence: str, heading: str) -> str:
    """The topic of one sentence given the heading it sits under."""
    best, best_score = DEFAULT_TOPIC, 0.0
    for topic in TOPICS:
        score = float(len(topic.cues.findall(sentence)))
        if heading and topic.heading.search(heading):
            score += 0.75  # cues in the sentence itself outweigh its heading
        if score > best_score:
            best, best_score = topic.name, score
    return best


def question_topics(question: str) -> tuple[str, ...]:
    """Topics a question asks about, most specific first (may be empty)."""
    # "How it works" and "Treatment options" are broad; list them after specific asks.
    specific = [t.name for t in TOPICS[:6] if t.asks.search(question)]
    broad = [t.name for t in TOPICS[6:] if t.asks.search(question)]
    return tuple(specific + broad)


def topic(name: str) -> Topic | None:
    """The topic called ``name`` (None for the default topic)."""
    return _BY_NAME.get(name)
