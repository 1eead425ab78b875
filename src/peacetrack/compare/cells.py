"""Summarising the claims about one actor (or proposal) on one issue into a cell.

Reports about the same stance arrive over days and from many outlets, and they do not
always agree. A cell therefore groups its claims into *moments* (reports within a few days
of each other describe the same moment), takes the latest moment as the current stance,
marks a conflict when reports of that moment disagree, and marks a change when the stance
moved from one moment to the next.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import combinations, pairwise

from peacetrack.compare.labels import actor_names, issue_label, place_name
from peacetrack.compare.select import SourceIndex, chronological
from peacetrack.model import Claim, Condition, Stance
from peacetrack.store import StoredClaim

#: Reports this close together describe the same moment of the negotiation.
SAME_MOMENT = timedelta(days=7)

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

Moment = tuple[StoredClaim, ...]


@dataclass(frozen=True)
class Cell:
    """What one actor or proposal holds on one issue, and how sure and how stable that is.

    ``claims`` are all claims behind the cell, oldest first; ``current`` those that state
    the shown stance in the latest moment.
    """

    stance: Stance
    summary: str
    sources: int
    first: date | None
    last: date | None
    conflict: bool
    changed: bool
    claims: tuple[StoredClaim, ...]
    current: tuple[StoredClaim, ...]


def moments(claims: Sequence[StoredClaim], window: timedelta = SAME_MOMENT) -> list[Moment]:
    """Chronological groups of claims, each spanning at most ``window`` from its first report."""
    groups: list[list[StoredClaim]] = []
    for stored in chronological(claims):
        if groups and _same_moment(groups[-1][0].published, stored.published, window):
            groups[-1].append(stored)
        else:
            groups.append([stored])
    return [tuple(group) for group in groups]


def _same_moment(start: date | None, day: date | None, window: timedelta) -> bool:
    if start is None or day is None:
        return start is None and day is None
    return day - start <= window


def prevailing(moment: Moment, sources: SourceIndex) -> Moment:
    """The claims of the stance class most independent sources report in ``moment``.

    Ties go to the class reported last, the freshest word on the matter.
    """
    by_class: dict[str, list[StoredClaim]] = {}
    for stored in moment:
        by_class.setdefault(stored.claim.stance.coarse, []).append(stored)
    order = {stance: i for i, stance in enumerate(s.claim.stance.coarse for s in moment)}
    best = max(by_class, key=lambda c: (sources.count(by_class[c]), order[c]))
    return tuple(by_class[best])


#: Stance classes that cannot both be true of one party, issue and moment. Others coexist:
#: a party can demand a term the sides then fail to agree on.
OPPOSED = {
    frozenset(pair)
    for pair in (
        ("accept", "reject"),
        ("agree", "no_agreement"),
        ("agree", "reject"),
        ("put_forward", "absent"),
        ("put_forward", "reject"),
        ("put_forward", "concede"),
    )
}


def is_conflicted(moment: Moment, sources: SourceIndex) -> bool:
    """Independent reports of the same moment contradict each other (accepted vs rejected).

    One report stating both is nuance ("accepted parts, rejected others"), not a conflict.
    """
    reporters: dict[str, set[int]] = {}
    for stored in moment:
        reporters.setdefault(stored.claim.stance.coarse, set()).add(
            sources.source_of(stored.document_id)
        )
    return any(
        frozenset((a, b)) in OPPOSED and len(reporters[a] | reporters[b]) > 1
        for a, b in combinations(reporters, 2)
    )


def span(claims: Sequence[StoredClaim]) -> tuple[date | None, date | None]:
    """First and last publication date among ``claims`` (None when none is dated)."""
    dates = [s.published for s in claims if s.published is not None]
    return min(dates, default=None), max(dates, default=None)


def summarise(
    claims: Sequence[StoredClaim], sources: SourceIndex, window: timedelta = SAME_MOMENT
) -> Cell:
    """The cell for ``claims`` (all about one actor or proposal on one issue)."""
    if not claims:
        raise ValueError("a cell needs at least one claim")
    steps = moments(claims, window)
    current = prevailing(steps[-1], sources)
    classes = [prevailing(m, sources)[-1].claim.stance.coarse for m in steps]
    ordered = tuple(c for m in steps for c in m)
    first, last = span(ordered)
    return Cell(
        stance=current[-1].claim.stance,
        summary=describe(current[-1].claim.stance, [s.claim for s in current]),
        sources=sources.count(ordered),
        first=first,
        last=last,
        conflict=is_conflicted(steps[-1], sources),
        changed=any(a != b for a, b in pairwise(classes)),
        claims=ordered,
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
