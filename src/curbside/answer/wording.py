"""Words the reader sees that more than one part of curbside prints, written once."""

from __future__ import annotations

#: Section titles by evidence tier, in reading order.
SECTION_TITLES: dict[str, str] = {
    "guideline": "From the Guidelines",
    "label": "From the FDA Drug Label",
    "research": "From the Research",
}
