"""Positions of a whole report: the level at which ``learned.v1`` decides.

The metric, and a reader, count a report's positions as a set of (actor, coarse stance,
issue); one clear sentence suffices for each. So the segment models' answers are not
thresholded segment by segment: every (actor, stance, issue) a segment could state gets the
product of its three probabilities there, the report's evidence for it is gathered over
all its segments (the best one, and all of them together, as a noisy-or), and a last
model, boosted trees trained on those figures from conflicts held out, says how likely
the position is. It sees each position beside its rivals in the report (the actor's
other stances on the issue, its other issues, other actors' same position), since a
reporter states one position of an actor on an issue and the segment models spread
their belief over several. The rules' own claims in the report are evidence too, so the
model starts from what the rules get right. Each position kept is then stated with the
segment that gave it most.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from peacetrack.extract.learned.trees import TreeModel
from peacetrack.extract.learned.weights import HOLDER, NONE, OBLIGOR, YES
from peacetrack.model import Claim

#: A position of a report: actor, coarse stance, issue.
Position = tuple[str, str, str]
#: Smallest product of the three probabilities worth keeping as evidence.
FLOOR = 0.01
#: A segment's product at which it counts as stating the position at all.
COUNTED = 0.05
STANCES = ("put_forward", "accept", "reject", "agree", "no_agreement", "absent", "concede")
GROUPS = ("GEN", "PROC", "CF", "TER", "SEC", "GOV", "HUM", "JUS", "ECO", "IMP")
ACTOR_SOURCES = ("named", "before", "pair", "lead", "deal", "sides", "agree")
ISSUE_SOURCES = ("word", "cue", "rule", "model", "lex", "before", "default")
#: The position model's figures, in the order of its rows. The evidence ones come first:
#: training keeps the model from falling as they rise (``MONOTONE``).
FEATURES = (
    *("best", "either", "count", "sum"),
    *("stance", "holder", "issue", "no_stance", "obligor", "top", "issue_rank"),
    *("actors_here", "issues_here", "where", "segments"),
    *("stance_max", "holder_max", "issue_max"),
    *("rival_stance", "rival_issue", "rival_actor", "share_of_actor", "party"),
    *(f"a:{s}" for s in ACTOR_SOURCES),
    *(f"i:{s}" for s in ISSUE_SOURCES),
    *(f"st={s}" for s in STANCES),
    *(f"grp={g}" for g in GROUPS),
    *("r:same", "r:actor_stance", "r:actor_issue", "r:stance_issue", "r:actor"),
)
#: The column that says whether the rules claim the position.
RULED = FEATURES.index("r:same")
#: Features the position's probability may only rise with.
MONOTONE = frozenset({"best", "either"})
#: The evidence itself: what a position model learned from few reports weighs alone.
EVIDENCE = frozenset({"best", "either", "count", "stance", "holder", "issue", "top"})


@dataclass(frozen=True)
class Said:
    """The segment models' answers on one segment: probabilities by stance, by actor
    (holder, obligor, none) and by issue."""

    stance: Mapping[str, float]
    holders: Mapping[str, Mapping[str, float]]
    issues: Mapping[str, float]
    #: Where each actor and each issue option came from (``Option.source``), by key.
    sources: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Evidence:
    """What a report's segments say for one position."""

    best: float = 0.0
    #: The index (among the report's segments given) of the best one.
    segment: int = -1
    either: float = 0.0
    count: int = 0
    total: float = 0.0
    #: The best segment's figures: the stance's, the actor's as holder and as obligor,
    #: the issue's and no stance's probability; whether the stance is its likeliest, the
    #: issue's rank among its issues, how many actors and issues it offers.
    parts: tuple[float, ...] = ()
    #: Where the actor and the issue came from in the best segment.
    whence: tuple[str, str] = ("", "")

    def add(self, index: int, p: float, look: _Look, key: Position) -> None:
        """One more segment's product ``p`` for the position ``key``; the segment's figures
        (``look``) are read only when it is the best so far, as few are."""
        self.either = 1 - (1 - self.either) * (1 - p)
        self.count += p >= COUNTED
        self.total += p
        if p > self.best:
            self.best, self.segment = p, index
            self.parts, self.whence = look.parts(*key), look.whence(key[0], key[2])


@dataclass
class Report:
    """Every position some segment of a report could state, with its evidence, and the
    highest probability any segment gives each stance, actor (as holder) and issue."""

    found: dict[Position, Evidence] = field(default_factory=dict)
    segments: int = 0
    stance: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    holder: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    issue: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    #: Each of the report's parties to its agreements, by its rank among them.
    parties: dict[str, int] = field(default_factory=dict)


def evidence(
    said: Sequence[Said], ruled: Ruled | None = None, parties: Sequence[str] = ()
) -> Report:
    """Every position some segment could state, with its evidence over the report, whose
    parties to its agreements are ``parties``, likeliest first (``reader.Viewed``).

    A stance whose product with an actor's probability and the segment's likeliest issue
    stays under ``FLOOR`` is passed over for that actor: no issue can lift it there. A
    position the rules claim is a candidate however little the segment models give it,
    with their figures on the segment the rules read it in (``Ruled.at``): the rules read
    many a sentence the models do not, and the position model decides."""
    out = Report(segments=len(said))
    out.parties = {actor: rank for rank, actor in enumerate(parties)}
    found = out.found
    for index, seg in enumerate(said):
        stances = {k: v for k, v in seg.stance.items() if k != NONE}
        if not stances:
            continue
        _maxima(out, seg, stances)
        look = _Look(seg)
        likeliest = max(seg.issues.values(), default=0.0)
        issues = list(seg.issues.items())
        for actor, roles in seg.holders.items():
            h = roles.get(HOLDER, 0.0)
            held = [(stance, s * h) for stance, s in stances.items() if s * h * likeliest >= FLOOR]
            if not held:
                continue
            # Rounding keeps products in order: an issue under the floor with the
            # strongest stance is under it with every stance, so it is passed over.
            top = max(sh for _, sh in held)
            for issue, i in [(issue, i) for issue, i in issues if top * i >= FLOOR]:
                for stance, sh in held:
                    p = sh * i
                    if p < FLOOR:
                        continue
                    key = (actor, stance, issue)
                    evident = found.get(key)
                    if evident is None:
                        evident = found[key] = Evidence()
                    evident.add(index, p, look, key)
    for key, index in ruled.at.items() if ruled is not None else ():
        if key not in out.found:
            out.found[key] = _unseen(said[index], index, key)
    return out


class _Look:
    """One segment's answers as the position model reads them for each of its positions."""

    def __init__(self, seg: Said) -> None:
        self.seg = seg
        self.shape = (float(len(seg.holders)), float(len(seg.issues)))

    @cached_property
    def best(self) -> str:
        """The likeliest stance but none: worked out when a position of the segment is
        its best so far, which many segments never give."""
        stances = {k: v for k, v in self.seg.stance.items() if k != NONE}
        return max(stances, key=stances.__getitem__) if stances else NONE

    @cached_property
    def rank(self) -> dict[str, float]:
        """Each issue's rank by its probability (``best``'s laziness, the same reason)."""
        issues = self.seg.issues
        ranked = sorted(issues, key=lambda i: -issues[i])
        return {issue: float(r) for r, issue in enumerate(ranked)}

    def parts(self, actor: str, stance: str, issue: str) -> tuple[float, ...]:
        """The stance's, the actor's (holder, obligor) and the issue's probabilities, no
        stance's, whether the stance is the likeliest, the issue's rank, the shape."""
        seg = self.seg
        roles = seg.holders.get(actor, {})
        return (
            seg.stance.get(stance, 0.0),
            roles.get(HOLDER, 0.0),
            seg.issues.get(issue, 0.0),
            seg.stance.get(NONE, 0.0),
            roles.get(OBLIGOR, 0.0),
            float(stance == self.best),
            self.rank.get(issue, float(len(self.rank))),
            *self.shape,
        )

    def whence(self, actor: str, issue: str) -> tuple[str, str]:
        return (self.seg.sources.get(actor, ""), self.seg.sources.get(issue, ""))


def _unseen(seg: Said, index: int, key: Position) -> Evidence:
    """The evidence of a position the rules claim in a segment where the models' product
    stays under the floor (or the actor or the issue is no option of theirs)."""
    actor, stance, issue = key
    look = _Look(seg)
    parts = look.parts(actor, stance, issue)
    found = Evidence(segment=index, parts=parts, whence=look.whence(actor, issue))
    found.add(index, parts[0] * parts[1] * parts[2], look, key)
    return found


def _maxima(out: Report, seg: Said, stances: Mapping[str, float]) -> None:
    """The report's highest probability of each stance, holder and issue, raised by one
    segment's (a comparison, not a call of ``max``, for each of them)."""
    _raise(out.stance, stances.items())
    _raise(out.holder, ((actor, roles.get(HOLDER, 0.0)) for actor, roles in seg.holders.items()))
    _raise(out.issue, seg.issues.items())


def _raise(top: dict[str, float], found: Iterable[tuple[str, float]]) -> None:
    """Each name's value in ``top`` (a ``defaultdict``, 0 for a new name) raised to its
    value in ``found`` where that is higher, as ``max`` would."""
    for name, p in found:
        if p > top[name]:
            top[name] = p


def rows(report: Report, ruled: Ruled) -> tuple[list[Position], npt.NDArray[np.float64]]:
    """The report's positions and the position model's row for each (``FEATURES``)."""
    keys = list(report.found)
    rival = {
        "stance": _rivals(report, lambda k: (k[0], k[2])),
        "issue": _rivals(report, lambda k: (k[0], k[1])),
        "actor": _rivals(report, lambda k: (k[1], k[2])),
    }
    strongest: dict[str, float] = defaultdict(float)
    for (actor, _, _), found in report.found.items():
        strongest[actor] = max(strongest[actor], found.best)
    table: list[list[float]] = []
    for key in keys:
        actor, stance, issue = key
        found = report.found[key]
        where = found.segment / max(report.segments, 1)
        figures = [found.best, found.either, float(found.count), found.total, *found.parts]
        figures += [where, float(report.segments)]
        figures += [report.stance[stance], report.holder[actor], report.issue[issue]]
        figures += [rival[kind](key) for kind in ("stance", "issue", "actor")]
        figures.append(found.best / strongest[actor] if strongest[actor] else 0.0)
        figures.append(_party(report.parties.get(actor)))
        figures += _ACTOR_SOURCE.get(found.whence[0], _NO_ACTOR_SOURCE)
        figures += _ISSUE_SOURCE.get(found.whence[1], _NO_ISSUE_SOURCE)
        figures += _STANCE.get(stance, _NO_STANCE)
        figures += _GROUP.get(issue.split(".")[0], _NO_GROUP)
        figures += ruled.near(key)
        table.append(figures)
    # Straight into an array: NumPy converting nested lists costs more.
    flat = np.fromiter(
        itertools.chain.from_iterable(table), dtype=np.float64, count=len(keys) * len(FEATURES)
    )
    return keys, flat.reshape(len(keys), len(FEATURES))


def _party(rank: int | None) -> float:
    """An actor's column for being one of the report's parties to its agreements: 1 for
    the likeliest, less for each after, 0 for an actor that is none: an agreement's terms
    are ``agree`` for every party, however few segments name it."""
    return 0.0 if rank is None else 1.0 / (1 + rank)


def _one_hot(names: Sequence[str]) -> dict[str, tuple[float, ...]]:
    """Each name's row of 1.0 in its own column and 0.0 in the others', made once."""
    return {name: tuple(float(name == other) for other in names) for name in names}


#: The one-hot columns of ``rows``, by value, and the zeros of a value not among them.
_ACTOR_SOURCE, _NO_ACTOR_SOURCE = _one_hot(ACTOR_SOURCES), (0.0,) * len(ACTOR_SOURCES)
_ISSUE_SOURCE, _NO_ISSUE_SOURCE = _one_hot(ISSUE_SOURCES), (0.0,) * len(ISSUE_SOURCES)
_STANCE, _NO_STANCE = _one_hot(STANCES), (0.0,) * len(STANCES)
_GROUP, _NO_GROUP = _one_hot(GROUPS), (0.0,) * len(GROUPS)


def _rivals(
    report: Report, group: Callable[[Position], tuple[str, str]]
) -> Callable[[Position], float]:
    """For each position, the best evidence of another position of its group (the same
    actor and issue, say): the highest of the group, or the second when it is the highest."""
    tops: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for key, found in report.found.items():
        pair = tops[group(key)]
        if found.best > pair[0]:
            pair[:] = [found.best, pair[0]]
        elif found.best > pair[1]:
            pair[1] = found.best

    def rival(key: Position) -> float:
        first, second = tops[group(key)]
        return second if report.found[key].best >= first else first

    return rival


@dataclass(frozen=True)
class Ruled:
    """The positions of the rules' claims in a report, and the pairs and actors in them,
    so that each position of the report is compared with them in a few lookups; and for
    each position, the view (index among the report's) of the segment they claim it in,
    where it has one."""

    positions: frozenset[Position]
    actor_stance: frozenset[tuple[str, str]]
    actor_issue: frozenset[tuple[str, str]]
    stance_issue: frozenset[tuple[str, str]]
    actors: frozenset[str]
    at: Mapping[Position, int] = field(default_factory=dict)

    @classmethod
    def of(cls, positions: Iterable[Position], at: Mapping[Position, int] | None = None) -> Ruled:
        held = frozenset(positions)
        return cls(
            held,
            frozenset((a, s) for a, s, _ in held),
            frozenset((a, i) for a, _, i in held),
            frozenset((s, i) for _, s, i in held),
            frozenset(a for a, _, _ in held),
            dict(at or {}),
        )

    def near(self, position: Position) -> list[float]:
        """Whether the rules claimed the position, and whether they claimed one that
        shares its actor and stance, its actor and issue, its stance and issue, its actor."""
        actor, stance, issue = position
        return [
            float(position in self.positions),
            float((actor, stance) in self.actor_stance),
            float((actor, issue) in self.actor_issue),
            float((stance, issue) in self.stance_issue),
            float(actor in self.actors),
        ]


def ruled_positions(
    claims: Iterable[tuple[Claim, int | None]],
) -> Ruled:
    """The positions of the rules' claims, each claim with the view of its segment (none
    when its segment is no view)."""
    positions: list[Position] = []
    at: dict[Position, int] = {}
    for claim, view in claims:
        for actor in claim.actors:
            key = (actor, claim.stance.coarse, claim.issue)
            positions.append(key)
            if view is not None:
                at.setdefault(key, view)
    return Ruled.of(positions, at)


@dataclass
class Thresholds:
    """Smallest probability of a position, by its coarse stance, for it to be claimed,
    and of one the rules claim (``ruled``; none: its stance's); and of an actor's being
    bound by a claim it does not hold."""

    stance: dict[str, float]
    obligor: float = 0.5
    ruled: float | None = None

    def of(self, stance: str, ruled: bool = False) -> float:
        if ruled and self.ruled is not None:
            return self.ruled
        return self.stance.get(stance, 0.5)

    def as_dict(self) -> dict[str, Any]:
        return {"stance": self.stance, "obligor": self.obligor, "ruled": self.ruled}


@dataclass(frozen=True)
class Kept:
    """A position the report states, the segment that says it best, and how likely."""

    position: Position
    segment: int
    confidence: float


def keep(
    said: Sequence[Said],
    ruled: Ruled,
    parties: Sequence[str],
    model: TreeModel,
    limits: Thresholds,
) -> list[Kept]:
    """The positions of a report (its segments' answers, the rules' positions and its
    parties to its agreements, ``evidence``) whose probability passes their threshold:
    their stance's, or the one for positions the rules claim."""
    report = evidence(said, ruled, parties)
    if not report.found:
        return []
    keys, table = rows(report, ruled)
    yes = model.probabilities(table)[:, model.classes.index(YES)]
    return [
        Kept(key, report.found[key].segment, float(p))
        for key, p in zip(keys, yes.tolist(), strict=True)
        if p >= limits.of(key[1], key in ruled.positions)
    ]


@dataclass(frozen=True)
class Decision:
    """What one segment states: a coarse stance, who holds it, who must act, on what."""

    stance: str
    confidence: float
    holders: tuple[str, ...]
    obligors: tuple[str, ...]
    issues: tuple[str, ...]


def decisions(
    said: Sequence[Said], kept: Iterable[Kept], limits: Thresholds
) -> dict[int, list[Decision]]:
    """The kept positions as what each segment states: one decision per stance and issue,
    held by every actor kept for it there, binding the actors the segment binds."""
    grouped: dict[tuple[int, str, str], list[Kept]] = {}
    for k in kept:
        grouped.setdefault((k.segment, k.position[1], k.position[2]), []).append(k)
    out: dict[int, list[Decision]] = {}
    for (segment, stance, issue), group in grouped.items():
        holders = tuple(k.position[0] for k in group)
        bound = obligors(said[segment], holders, limits.obligor)
        confidence = max(k.confidence for k in group)
        out.setdefault(segment, []).append(Decision(stance, confidence, holders, bound, (issue,)))
    return out


def obligors(seg: Said, holders: Iterable[str], threshold: float) -> tuple[str, ...]:
    """The actors a segment binds to act without holding its position."""
    held = set(holders)
    return tuple(
        a for a, p in seg.holders.items() if a not in held and p.get(OBLIGOR, 0.0) >= threshold
    )
