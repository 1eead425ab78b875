"""Summarising the claims about one actor (or proposal) on one issue into a cell.

Reports about the same stance arrive over days and from many outlets, and they do not
always agree. A cell therefore groups its claims into *moments* (reports within a few days
of each other describe the same moment), takes the latest moment as the current stance,
marks a conflict when reports of that moment disagree, and marks a change when the stance
moved from one moment to the next. The arithmetic lives in ``peacetrack.moments``; this
module puts words and claims on it; only positions with enough support
(``peacetrack.support``) decide a cell's stance and its markers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from peacetrack.compare.sentences import Terms
from peacetrack.compare.sentences import describe as sentence
from peacetrack.model import Stance
from peacetrack.source import CellFacts, Statement
from peacetrack.support import Support


@dataclass(frozen=True)
class Cell:
    """What one actor or proposal holds on one issue, and how sure and how stable that is.

    ``count`` is the number of claims behind the cell; ``current`` is what those stating
    the shown stance in the latest supported moment state, oldest first (their ids lead
    to the claims). ``support`` is how far
    that position is supported (``peacetrack.support``), ``backing`` the independent
    sources stating it, ``weaker`` the claims below the comparison's support floor, which
    the cell counts but does not stand on. A cell does not carry all its claims: a cell of
    a large archive may stand on tens of thousands of them, so they are listed on demand
    (``store.cells.claims``).
    """

    stance: Stance
    summary: str
    sources: int
    first: date | None
    last: date | None
    conflict: bool
    changed: bool
    count: int
    current: tuple[Statement, ...]
    support: Support
    backing: int
    weaker: int


def worded(facts: CellFacts) -> Cell:
    """The cell a tally describes, given the claims behind its current stance."""
    found, current = facts
    return Cell(
        stance=found.stance,
        summary=describe(found.stance, current),
        sources=found.sources,
        first=found.first,
        last=found.last,
        conflict=found.conflict,
        changed=found.changed,
        count=found.claims,
        current=current,
        support=found.support,
        backing=found.backing,
        weaker=found.weaker,
    )


def describe(stance: Stance, claims: Sequence[Terms]) -> str:
    """The cell's sentence (``compare.sentences``): "demands that Ukraine withdraw from
    Donetsk and Luhansk before any ceasefire". Claims are all on one issue; reports naming
    the same party are merged, so three partial reports read as one term."""
    return sentence(stance, claims)
