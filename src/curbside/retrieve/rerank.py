"""Answer-mode reranking: evidence features and per-source diversification.

Relevance decides; evidence only breaks near-ties. Each feature adds at most a few
hundredths to a fused score in [0, ~1.2]: a guideline or label passage, a stronger
study design, a recent publication. Diversification then keeps one source from
filling the list: each further passage of an already-chosen source is discounted.
Benchmark mode uses none of this (BEIR passages have no tier, design or year).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from curbside.models import DESIGNS, Source

#: Bonus by evidence tier.
TIER_BONUS: dict[str, float] = {"guideline": 0.06, "label": 0.04, "research": 0.0}
#: Largest design bonus (for the strongest design after guideline/label); decreasing.
DESIGN_MAX = 0.04
#: Largest recency bonus (this year), fading linearly to 0 over ``RECENCY_YEARS``.
RECENCY_MAX = 0.03
RECENCY_YEARS = 15
#: Discount per passage already taken from the same source.
SAME_SOURCE_PENALTY = 0.08


@dataclass(frozen=True)
class Features:
    """The evidence components added to one passage's fused score."""

    tier: float
    design: float
    recency: float

    @property
    def total(self) -> float:
        """Sum of the components."""
        return self.tier + self.design + self.recency


def design_bonus(design: str | None) -> float:
    """Higher for designs earlier in :data:`curbside.models.DESIGNS` (none for unknown)."""
    if not design or design not in DESIGNS or design in ("other", "guideline", "label"):
        return 0.0
    ranked = [d for d in DESIGNS if d not in ("guideline", "label", "other")]
    position = ranked.index(design)
    return DESIGN_MAX * (1.0 - position / len(ranked))


def recency_bonus(year: int | None, today: date | None = None) -> float:
    """Linear bonus for recent publications; 0 for unknown or older years."""
    if year is None:
        return 0.0
    now = (today or date.today()).year
    age = max(0, now - year)
    return max(0.0, RECENCY_MAX * (1.0 - age / RECENCY_YEARS))


def features(source: Source | None, today: date | None = None) -> Features:
    """Evidence features of a passage's source (all 0 when the source is unknown)."""
    if source is None:
        return Features(0.0, 0.0, 0.0)
    return Features(
        TIER_BONUS.get(source.tier, 0.0),
        design_bonus(source.design),
        recency_bonus(source.year, today),
    )


def diversify(
    order: Sequence[str],
    scores: Mapping[str, float],
    source_of: Mapping[str, str],
    k: int,
    penalty: float = SAME_SOURCE_PENALTY,
) -> list[tuple[str, float]]:
    """Pick ``k`` ids greedily, discounting each by ``penalty`` × passages already
    taken from its source, so the list shows several sources when they are close.

    Returns (id, discounted score) pairs; the scores never increase down the list,
    so a caller that sorts by score keeps the diversified order.
    """
    taken: dict[str, int] = {}
    pool = list(order)
    chosen: list[tuple[str, float]] = []
    ceiling = float("inf")
    while pool and len(chosen) < k:

        def effective(i: int) -> float:
            return scores[pool[i]] - penalty * taken.get(source_of.get(pool[i], ""), 0)

        best_i = max(range(len(pool)), key=effective)
        value = min(effective(best_i), ceiling)
        ceiling = value
        pid = pool.pop(best_i)
        chosen.append((pid, value))
        sid = source_of.get(pid, "")
        taken[sid] = taken.get(sid, 0) + 1
    return chosen
