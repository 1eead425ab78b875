"""Summarising the claims about one actor (or proposal) on one issue into a cell.

Reports about the same stance arrive over days and from many outlets, and they do not
always agree. A cell therefore groups its claims into *moments* (reports within a few days
of each other describe the same moment), takes the latest moment as the current stance,
marks a conflict when reports of that moment disagree, and marks a change when the stance
moved from one moment to the next. The arithmetic lives in ``peacetrack.moments``; this
module puts words and claims on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from peacetrack.compare.labels import actor_names, issue_label, place_name
from peacetrack.model import Claim, Condition, Stance
from peacetrack.source import CellFacts, StoredClaim

VERBS: dict[Stance, str] = {
    Stance.DEMAND: "demands",
    Stance.PROPOSE: "proposes",
    Stance.OFFER: "offers",
    Stance.ACCEPT: "accepts",
    Stance.REJECT: "rejects",
    Stance.AGREE: "agreed",
    Stance.NO_AGREEMENT: "no agreement",
    Stance.ABSENT: "not in it",
    Stance.CONCEDE: "concedes",
}


@dataclass(frozen=True)
class Cell:
    """What one actor or proposal holds on one issue, and how sure and how stable that is.

    ``count`` is the number of claims behind the cell; ``current`` are those that state
    the shown stance in the latest moment, oldest first. A cell does not carry all its
    claims: a cell of a large archive may stand on tens of thousands of them, so they are
    listed on demand (``store.cells.claims``).
    """

    stance: Stance
    summary: str
    sources: int
    first: date | None
    last: date | None
    conflict: bool
    changed: bool
    count: int
    current: tuple[StoredClaim, ...]


def worded(facts: CellFacts) -> Cell:
    """The cell a tally describes, given the claims behind its current stance."""
    found, current = facts
    return Cell(
        stance=found.stance,
        summary=describe(found.stance, [s.claim for s in current]),
        sources=found.sources,
        first=found.first,
        last=found.last,
        conflict=found.conflict,
        changed=found.changed,
        count=found.claims,
        current=current,
    )


def describe(stance: Stance, claims: Sequence[Claim]) -> str:
    """A few words: the stance, the issue, then the terms the claims carry.

    e.g. "demands: withdrawal from territory — by Ukraine: Donetsk, Luhansk; before general
    ceasefire". Claims are all on one issue; reports naming the same party (who acts or
    who recognises) are merged, so three partial reports read as one term.
    """
    terms: dict[str, tuple[list[str], list[str]]] = {}
    for claim in claims:
        places, order = terms.setdefault(_who(claim), ([], []))
        places += [p for p in map(place_name, claim.territories or ()) if p not in places]
        order += [o for o in map(_condition, claim.conditions or ()) if o not in order]
    texts = []
    for who, (places, order) in terms.items():
        head = ": ".join(p for p in (who, ", ".join(places)) if p)
        texts.append("; ".join(p for p in (head, *order) if p))
    head = VERBS[stance] + (f": {_lower_first(issue_label(claims[0].issue))}" if claims else "")
    details = " | ".join(t for t in texts if t)
    return f"{head} — {details}" if details else head


def _who(claim: Claim) -> str:
    """Who would recognise (for recognition) and who would have to act."""
    parts = []
    if claim.recognition is not None:
        kind = claim.recognition.type.replace("_", " ")
        parts.append(f"{kind} by {actor_names(claim.recognition.by)}")
    if claim.obligor:
        parts.append(f"by {actor_names(claim.obligor)}")
    return " ".join(parts)


def _condition(condition: Condition) -> str:
    return f"{condition.relation} {_lower_first(issue_label(condition.issue))}"


def _lower_first(label: str) -> str:
    """Lower-case a label's first letter unless it starts an acronym (NATO, WMD)."""
    if len(label) > 1 and label[1].islower():
        return label[0].lower() + label[1:]
    return label
