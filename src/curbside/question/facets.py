"""Facets: the parts a complete answer to a broad question is expected to cover.

A clinician asking "what is the best approach for …" expects the whole picture —
who decides, first-line options, liver-directed and radionuclide options, targeted
and cytotoxic drugs, follow-up — and one asking about the purpose of a procedure
expects what it involves, why it works, who it suits, what it achieves, the
alternatives, its risks and aftercare. Each facet is a cue vocabulary over
statement text (and, more weakly, the heading it sits under) plus the words that
retrieve evidence for it. The vocabularies are general clinical language (drug
classes are recognised by their international nonproprietary name stems, such as
-tinib or -platin); nothing here names a particular question, drug or source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, overload

#: How a statement must relate to the procedure or drug the question names.
#: "family": it (or its source) names the same procedure family ("embolization" for
#: chemoembolization); "none": it need not, but must speak of the question's condition.
AnchorRule = Literal["family", "none"]


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


@dataclass(frozen=True)
class Facet:
    """One expected part of an answer."""

    name: str
    cues: re.Pattern[str]
    query: str
    anchor: AnchorRule = "family"

    def hits(self, text: str, heading: str = "") -> float:
        """Cue strength in a sentence: one per cue in its text, half for its heading."""
        strength = float(len(self.cues.findall(text)))
        if heading and self.cues.search(heading):
            strength += 0.5
        return strength


# --- disease management ("best approach", "how is … treated") ---------------------------

MULTIDISCIPLINARY = Facet(
    "Multidisciplinary care",
    _rx(
        r"\bmulti-?disciplinary|\binterdisciplinary|\btumou?r boards?\b|"
        r"\b(experienced|expert|specialist|specialized|referral) cent(re|er)s?\b|\bcare team\b"
    ),
    "multidisciplinary tumor board team experienced centre decision",
)
FIRST_LINE = Facet(
    "First-line systemic therapy",
    _rx(
        r"\bfirst[- ]line\b|\bfront[- ]line\b|\binitial (therapy|treatment|management)\b|"
        r"\bstandard (first|initial|therapy|treatment|of care)\b|\bmainstay\b|"
        r"\bantiproliferative\b|\blong-acting\b"
    ),
    "first-line antiproliferative systemic therapy",
)
LOCOREGIONAL = Facet(
    "Surgery and liver-directed therapy",
    _rx(
        r"\bresect|\bsurg(ery|ical)\b|\bablat|\bemboli[sz]|\bchemoemboli|\bradioemboli|"
        r"\bliver-directed\b|\blocoregional\b|\btransplant|\bcytoreduct|\bdebulk|"
        r"\bintra-?arterial\b|\btransarterial\b|\bSIRT\b|\bTAC?E\b|\bTARE\b|\bRFA\b"
    ),
    "resection surgery ablation embolization liver-directed locoregional",
)
RADIONUCLIDE = Facet(
    "Radionuclide therapy",
    _rx(
        r"\bradionuclide|\bradioligand|\bradiopharmaceutical|\bPRRT\b|\b\d{2,3}Lu\b|"
        r"\b\d{2,3}Lu-|\blutetium\b|\breceptor[- ]positive\b|\breceptor expression\b|"
        r"\btheranostic|\bSSTR\b"
    ),
    "peptide receptor radionuclide therapy receptor-positive",
    anchor="none",
)
TARGETED = Facet(
    "Targeted therapy",
    _rx(
        r"\btargeted\b|\bkinase inhibitors?\b|\bmTOR\b|\bTKIs?\b|\bangiogen|"
        r"\b\w+tinib\b|\b\w+limus\b|\b\w+ciclib\b|\b\w+parib\b|\b\w+zumab\b|\b\w+ximab\b"
    ),
    "targeted therapy kinase inhibitor mTOR progressive",
    anchor="none",
)
CHEMOTHERAPY = Facet(
    "Chemotherapy",
    _rx(
        r"\bchemotherap|\bcytotoxic\b|\balkylating\b|\b\w+platin\b|\b\w+rubicin\b|"
        r"\b\w+zocin\b|\b\w+zolomide\b|\b\w+citabine\b|\bfluorouracil\b|\b\w+mustine\b"
    ),
    "systemic chemotherapy regimens cytotoxic",
    anchor="none",
)
SYMPTOMS = Facet(
    "Symptom and hormone control",
    _rx(
        r"\bsyndrome\b|\bsymptom(s|atic)?\b|\bhormon|\bdiarrh|\bflushing\b|\bfunctioning\b|"
        r"\bsecret|\bcrisis\b"
    ),
    "symptom control hormonal syndrome functioning",
    anchor="none",
)
MONITORING = Facet(
    "Monitoring and follow-up",
    _rx(
        r"\bfollow-?up\b|\bmonitor|\bsurveillance\b|\brestag|"
        r"\bimaging every\b|\bevery \d+(\s?[-–]\s?\d+)? months\b|\bintervals?\b|"
        r"\b(tumou?r|biochemical) markers?\b|\bchromogranin\b|\blifelong\b"
    ),
    "follow-up monitoring surveillance imaging intervals markers",
    anchor="none",
)
OUTCOMES = Facet(
    "Outcomes",
    _rx(
        r"\bsurviv|\bprogression-free\b|\bresponse rates?\b|\bobjective response\b|"
        r"\bdisease control\b|\bhazard ratio\b|\bprognos"
    ),
    "survival outcomes response prognosis",
)

# --- a named procedure: purpose, indication, what to expect -------------------------------

TECHNIQUE = Facet(
    "What it involves",
    _rx(
        r"\bcatheter|\binject(s|ed|ion)?\b|\binfus|\bdeliver|\bemulsion\b|\blipiodol\b|"
        r"\bbeads?\b|\bparticles?\b|\bmicrospheres?\b|\b(super)?selective\b|\btechnique\b|"
        r"\bminimally invasive\b|\bangiogra|\bfluoroscop"
    ),
    "technique catheter injection particles minimally invasive",
)
RATIONALE = Facet(
    "Why it works",
    _rx(
        r"\bhypervascular|\bblood supply\b|\barterial supply\b|\bblood flow\b|"
        r"\bvasculari[sz]|\bperfus|\bischemi|\bischaemi|\bnecrosis\b|\bportal vein\b"
    ),
    "hypervascular arterial blood supply",
)
SELECTION = Facet(
    "Who is a candidate",
    _rx(
        r"\bunresectable\b|\bnot (be )?(resectable|candidates?|eligible|amenable)\b|"
        r"\bcannot be (resected|removed)\b|\bwhen surgery\b|\bsurgery (is not|cannot)\b|"
        r"\bliver[- ](dominant|only|predominant)\b|\bconfined to the liver\b|"
        r"\bcandidates?\b|\beligib|\bselect(ed|ion)\b|\bcontraindicat|\btumou?r burden\b|"
        r"\bperformance status\b|\bindicated\b|\bconsidered\b|"
        # Criteria are also phrased as conditions: "when complete resection is feasible".
        r"\bfeasib|\bresectable\b"
    ),
    "unresectable liver-dominant candidates selection indicated",
)
GOALS = Facet(
    "Goals and outcomes",
    _rx(
        r"\bsymptom(s|atic)? (control|relief|response|improvement)\b|\bcontrol(ling)? symptoms\b|"
        r"\btumou?r (control|response|growth|shrinkage|progression)\b|\bobjective response\b|"
        r"\bresponse rates?\b|\bdisease control\b|\bsurviv|\bpalliat|\bquality of life\b|"
        r"\beffective\b|\befficacy\b"
    ),
    "goals symptom control tumor response survival effective",
)
ALTERNATIVES = Facet(
    "Alternatives",
    _rx(
        r"\balternatives?\b|\bcomparable\b|\bversus\b|\bcompared\b|\binstead\b|"
        r"\bother options\b|\bsimilar\b|\bno (significant )?difference\b|\bsuperior\b|"
        r"\binferior\b|\bunproven\b"
    ),
    "alternatives comparable compared versus",
)
RISKS = Facet(
    "Risks and complications",
    _rx(
        r"\bcomplications?\b|\badverse\b|\btoxicit|\babscess|\bbiliary\b|\binjur(y|ies)\b|"
        r"\bdeaths?\b|\bmortality\b|\bmorbidity\b|\bsafe(ty)?\b|\brisks?\b|\bfailure\b|"
        r"\bcrisis\b"
    ),
    "complications risks adverse events safety",
)
AFTER_EFFECTS = Facet(
    "After the procedure",
    _rx(
        r"\bpost-?\w*(embolization|procedur\w*|operative) syndrome\b|\bPES\b|\bfever\b|"
        r"\bpain\b|\bnausea\b|\bvomiting\b|\bfatigue\b|\banalgesi|\bantiemetic|"
        r"\bliver (function )?tests?\b|\benzyme"
    ),
    "after procedure syndrome fever pain nausea",
)
HOSPITAL = Facet(
    "Hospital stay and recovery",
    _rx(
        r"\bhospital|\blength of stay\b|\bdischarg|\badmi(tted|ssion)\b|\boutpatient\b|"
        r"\bovernight\b|\brecover|\breadmi|\bwent home\b|\bgo home\b"
    ),
    "hospital stay length discharge recovery",
)
REPEAT = Facet(
    "Repeat treatment",
    _rx(
        r"\brepeat(ed|able)?\b|\bmore than one\b|\bmultiple (sessions|procedures|treatments|courses)\b|"
        r"\bfurther (sessions?|treatments?|procedures?)\b|\bre-?treat|\bstaged\b|"
        r"\bsecond (session|procedure)\b|\badditional (sessions?|procedures?)\b"
    ),
    "repeat sessions more than one procedure",
)
PREPARATION = Facet(
    "Preparation",
    _rx(
        r"\bprophyla|\bpremedicat|\bpre-?procedur|\bbefore (any |the |each )?"
        r"(procedure|surgery|intervention|embolization|treatment|invasive)|\bprevent"
    ),
    "before procedure prophylaxis prevent",
)

# --- comparisons ("A versus B") -------------------------------------------------------------

HEAD_TO_HEAD = Facet(
    "Head-to-head evidence",
    _rx(
        r"\bcompar|\bversus\b|\bvs\.?\b|\bsimilar\b|\bno (significant )?difference\b|"
        r"\bsuperior\b|\binferior\b|\bbetter\b|\bworse\b|\bthan\b|\bcomparable\b|\brandomi[sz]"
    ),
    "compared versus difference randomized",
)

MANAGEMENT_FACETS: tuple[Facet, ...] = (
    MULTIDISCIPLINARY,
    FIRST_LINE,
    LOCOREGIONAL,
    RADIONUCLIDE,
    TARGETED,
    CHEMOTHERAPY,
    SYMPTOMS,
    MONITORING,
    OUTCOMES,
)
PROCEDURE_FACETS: tuple[Facet, ...] = (
    TECHNIQUE,
    RATIONALE,
    SELECTION,
    GOALS,
    ALTERNATIVES,
    AFTER_EFFECTS,
    HOSPITAL,
    RISKS,
    REPEAT,
    PREPARATION,
)
#: The same facets, for someone asking what to expect: the aftermath first.
AFTERCARE_FACETS: tuple[Facet, ...] = (
    AFTER_EFFECTS,
    HOSPITAL,
    RISKS,
    TECHNIQUE,
    REPEAT,
    MONITORING,
    GOALS,
    PREPARATION,
)
COMPARISON_FACETS: tuple[Facet, ...] = (HEAD_TO_HEAD, GOALS, RISKS, SELECTION, ALTERNATIVES)


@overload
def home_facet(facets: tuple[Facet, ...], text: str, heading: str = "") -> str: ...


@overload
def home_facet(
    facets: tuple[Facet, ...], text: str, heading: str = "", *, strength: Literal[True]
) -> tuple[str, float]: ...


def home_facet(
    facets: tuple[Facet, ...], text: str, heading: str = "", *, strength: bool = False
) -> str | tuple[str, float]:
    """The facet a sentence speaks to most ("" for none).

    With ``strength``, also how many of that facet's cues it carries.
    """
    best, best_hits = _home(facets, text, heading)
    return (best, best_hits) if strength else best


@lru_cache(maxsize=16384)
def _home(facets: tuple[Facet, ...], text: str, heading: str) -> tuple[str, float]:
    best, best_rank = "", (0.0, 0.0)
    for facet in facets:
        hits = facet.hits(text, heading)
        # A heading alone is weak evidence: it must be backed by the sentence itself.
        if hits < 1.0:
            continue
        # Ties go to the facet named first in the sentence, where its subject usually is.
        first = facet.cues.search(text)
        rank = (hits, -(first.start() if first else len(text)))
        if rank > best_rank:
            best, best_rank = facet.name, rank
    return best, best_rank[0]


def facet_named(facets: tuple[Facet, ...], name: str) -> Facet | None:
    """The facet called ``name`` in ``facets``."""
    return next((f for f in facets if f.name == name), None)
