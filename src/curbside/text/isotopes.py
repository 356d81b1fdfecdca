"""Radioisotopes used in nuclear medicine, for one canonical index term per isotope.

Only element/mass pairs listed here are recognised, so ordinary text such as
"in 2019" or "I 2" never turns into an isotope. The table lists physical facts
(element symbols and mass numbers of isotopes in clinical or research use).
"""

from __future__ import annotations

#: Element symbol → (element name, mass numbers as written, ``m`` = metastable).
_TABLE: dict[str, tuple[str, tuple[str, ...]]] = {
    "Lu": ("lutetium", ("177",)),
    "Y": ("yttrium", ("90", "86")),
    "Ga": ("gallium", ("68", "67")),
    "In": ("indium", ("111",)),
    "Tc": ("technetium", ("99m", "99")),
    "F": ("fluorine", ("18",)),
    "I": ("iodine", ("123", "124", "125", "131")),
    "C": ("carbon", ("11", "13", "14")),
    "Cu": ("copper", ("64", "67")),
    "Ac": ("actinium", ("225",)),
    "Ra": ("radium", ("223",)),
    "Sm": ("samarium", ("153",)),
    "Sr": ("strontium", ("89",)),
    "Tl": ("thallium", ("201",)),
    "Xe": ("xenon", ("133",)),
    "Rb": ("rubidium", ("82",)),
    "N": ("nitrogen", ("13",)),
    "O": ("oxygen", ("15",)),
    "Zr": ("zirconium", ("89",)),
    "Bi": ("bismuth", ("213",)),
    "Pb": ("lead", ("212",)),
    "Tb": ("terbium", ("161",)),
    "Ho": ("holmium", ("166",)),
    "Re": ("rhenium", ("186", "188")),
    "P": ("phosphorus", ("32",)),
    "Co": ("cobalt", ("57", "60")),
    "Cs": ("cesium", ("137",)),
    "Ir": ("iridium", ("192",)),
    "Mo": ("molybdenum", ("99",)),
    "Ge": ("germanium", ("68",)),
    "Sc": ("scandium", ("44", "47")),
    "At": ("astatine", ("211",)),
    "Er": ("erbium", ("169",)),
}

#: Symbols as written (case matters: "In" is indium, "in" is a preposition).
ISOTOPES: frozenset[str] = frozenset(_TABLE)
#: Lower-case element names → symbol ("lutetium" → "Lu").
ELEMENT_NAMES: dict[str, str] = {name: sym for sym, (name, _) in _TABLE.items()}
ELEMENT_NAMES["caesium"] = "Cs"
ELEMENT_NAMES["radioiodine"] = "I"
_LOWER_SYMBOLS = {sym.lower(): sym for sym in _TABLE if len(sym) == 2}


def isotope_term(element: str, mass: str) -> str | None:
    """Canonical term (``lu177``, ``tc99m``) for an element spelling and a mass number.

    ``element`` is a symbol in its written case or a name in any case; two-letter
    symbols are also accepted in lower case ("lu-177"), except ``in``/``at``, which
    are common words.
    """
    symbol = element if element in _TABLE else ELEMENT_NAMES.get(element.lower())
    if symbol is None and element.lower() not in ("in", "at"):
        symbol = _LOWER_SYMBOLS.get(element.lower()) if element.islower() else None
    if symbol is None:
        return None
    mass = mass.lower()
    if mass in _TABLE[symbol][1]:
        return f"{symbol.lower()}{mass}"
    return None


def isotope_names() -> dict[str, tuple[str, ...]]:
    """Canonical term → its common spellings (used to describe query expansions)."""
    out: dict[str, tuple[str, ...]] = {}
    for sym, (name, masses) in _TABLE.items():
        for mass in masses:
            out[f"{sym.lower()}{mass}"] = (f"{sym}-{mass}", f"{mass}{sym}", f"{name}-{mass}")
    return out
