"""Is a word the name of a drug or a disease? Told by its form, for names no vocabulary lists.

Drug names follow the USAN/INN stem conventions: the ending says the class ("-mab" a
monoclonal antibody, "-tinib" a kinase inhibitor, "-xaban" a factor Xa inhibitor,
"-statin", "-pril", "-sartan", …). Disease names end in "-oma", "-itis", "cancer",
"carcinoma", "sarcoma", "leukemia". A vignette's words the library never uses are usually
details of the patient ("bilobar", "year-old"); a word of these forms is not a detail but
what the question is about, and the library not naming it means it cannot answer.
"""

from __future__ import annotations

import re

#: Common USAN/INN stems that end a drug name (longest first where they overlap).
_DRUG_STEM = re.compile(
    r"(?:mab|tinib|ciclib|parib|lisib|rafenib|zomib|nib|xaban|gatran|parin|statin|pril|sartan|"
    r"olol|dipine|prazole|conazole|azole|cycline|mycin|micin|floxacin|cillin|penem|cef\w+|"
    r"vir|platin|taxel|rubicin|tecan|mustine|trexate|gliptin|gliflozin|glutide|formin|"
    r"triptan|setron|tidine|lukast|terol|coxib|zepam|zolam|oxetine|triptyline|peridol|apine|"
    r"fentanil|kinra|cept|leukin|ercept|afil|farin|dronate|lutamide|semide|thiazide|sone|olone)$"
)
#: Endings of a disease name; "cancer", "carcinoma", "leukemia" as whole words or endings.
_DISEASE_FORM = re.compile(
    r"(?:\w{2,}oma|\w{3,}itis|cancer|carcinoma|sarcoma|leuka?emia|lymphoma|melanoma)s?$"
)
#: Words of those forms that name neither.
_NOT_NAMES = frozenset(
    {"stoma", "stroma", "diploma", "aroma", "soma", "coma", "sigma", "trauma", "plasma"}
    | {"proviral", "approvir", "concept", "accept", "except", "intercept", "percept"}
)
#: Shorter words are too often something else ("april", "viral").
_MIN_LENGTH = 6


def looks_like_drug(word: str) -> bool:
    """True when ``word`` has the form of a drug's generic name ("pembrolizumab")."""
    low = word.lower()
    return len(low) >= _MIN_LENGTH and low not in _NOT_NAMES and bool(_DRUG_STEM.search(low))


def looks_like_disease(word: str) -> bool:
    """True when ``word`` has the form of a disease's name ("melanoma", "pancreatitis")."""
    low = word.lower()
    return len(low) >= _MIN_LENGTH and low not in _NOT_NAMES and bool(_DISEASE_FORM.search(low))


def looks_like_name(word: str) -> bool:
    """True for a drug or disease name by form (see the module docstring)."""
    return looks_like_drug(word) or looks_like_disease(word)
