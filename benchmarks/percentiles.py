"""The p95 every benchmark reports, computed one way.

Nearest rank: the smallest time that at least 95% of the requests took no longer than. With
three repeats that is the slowest of the three, never the middle one (an index of
``int(0.95 * (n - 1))`` gives the median at n = 3 and the fastest at n = 2).
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def p95(times: Sequence[float]) -> float:
    """The 95th percentile of ``times`` by nearest rank."""
    if not times:
        raise ValueError("no times to rank")
    ranked = sorted(times)
    return ranked[math.ceil(0.95 * len(ranked)) - 1]
