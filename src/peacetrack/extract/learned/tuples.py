"""Positions of a whole report: the level at which ``learned.v1`` decides.

The metric, and a reader, count a report's positions as a set of (actor, coarse stance,
issue); one clear sentence suffices for each. So the segment models' answers are not
thresholded segment by segment: every (actor, stance, issue) a segment could state gets the
product of its three probabilities there, the report's evidence for it is gathered over
all its segments (the best one, and all of them together, as a noisy-or), and a last small
model, trained on those figures from conflicts held out, says how likely the position is.
The rules' own claims in the report are evidence too, so the model starts from what the
rules get right. Each position kept is then stated with the segment that gave it most.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from peacetrack.extract.learned.models import HOLDER, OBLIGOR, YES, Decision, Thresholds
from peacetrack.extract.learned.weights import NONE, LinearModel
from peacetrack.model import Claim

#: A position of a report: actor, coarse stance, issue.
Position = tuple[str, str, str]
#: Smallest product of the three probabilities worth keeping as evidence.
FLOOR = 0.01
#: Steps at which the evidence features switch on ("at least 0.2"): each position's
#: probability rises with its evidence, in steps the last model weighs.
STEPS = (0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
#: The names of the stepped features, whose weights training keeps from falling.
STEPPED = ("best>=", "either>=")
BEST = tuple(f"{STEPPED[0]}{step}" for step in STEPS)
EITHER = tuple(f"{STEPPED[1]}{step}" for step in STEPS)


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
    #: Whether the stance is the likeliest one in the best segment.
    top: bool = False
    #: Where the actor and the issue came from in the best segment.
    whence: tuple[str, str] = ("", "")

    def add(self, index: int, p: float, top: bool, whence: tuple[str, str]) -> None:
        self.either = 1 - (1 - self.either) * (1 - p)
        self.count += p >= STEPS[0]
        if p > self.best:
            self.best, self.segment, self.top, self.whence = p, index, top, whence


def evidence(said: Sequence[Said]) -> dict[Position, Evidence]:
    """Every position some segment could state, with its evidence over the report.

    A stance whose product with an actor's probability and the segment's likeliest issue
    stays under ``FLOOR`` is passed over for that actor: no issue can lift it there."""
    out: dict[Position, Evidence] = {}
    for index, seg in enumerate(said):
        stances = {k: v for k, v in seg.stance.items() if k != NONE}
        if not stances:
            continue
        best = max(stances, key=stances.__getitem__)
        likeliest = max(seg.issues.values(), default=0.0)
        for actor, roles in seg.holders.items():
            h = roles.get(HOLDER, 0.0)
            held = [(stance, s * h) for stance, s in stances.items() if s * h * likeliest >= FLOOR]
            if not held:
                continue
            for issue, i in seg.issues.items():
                for stance, sh in held:
                    p = sh * i
                    if p >= FLOOR:
                        whence = (seg.sources.get(actor, ""), seg.sources.get(issue, ""))
                        out.setdefault((actor, stance, issue), Evidence()).add(
                            index, p, stance == best, whence
                        )
    return out


def features(position: Position, found: Evidence, ruled: Ruled) -> tuple[str, ...]:
    """The last model's view of one position: its evidence in steps, its stance, and
    whether the rules claimed it (or a neighbour of it) in the report. Few features, each
    seen often, so that a model trained on a few reviewed reports stays sensible."""
    _, stance, issue = position
    feats = [f"st={stance}", f"grp={issue.split('.')[0]}", f"n={min(found.count, 3)}"]
    feats += [name for step, name in zip(STEPS, BEST, strict=True) if found.best >= step]
    feats += [name for step, name in zip(STEPS, EITHER, strict=True) if found.either >= step]
    if found.top:
        feats.append("top")
    actor_from, issue_from = found.whence
    feats += [f"a:{actor_from}", f"i:{issue_from}", f"a:{actor_from}:i:{issue_from}"]
    feats += ruled.near(position)
    return tuple(feats)


@dataclass(frozen=True)
class Ruled:
    """The positions of the rules' claims in a report, and the pairs and actors in them,
    so that each position of the report is compared with them in a few lookups."""

    positions: frozenset[Position]
    actor_stance: frozenset[tuple[str, str]]
    actor_issue: frozenset[tuple[str, str]]
    stance_issue: frozenset[tuple[str, str]]
    actors: frozenset[str]

    @classmethod
    def of(cls, positions: Iterable[Position]) -> Ruled:
        held = frozenset(positions)
        return cls(
            held,
            frozenset((a, s) for a, s, _ in held),
            frozenset((a, i) for a, _, i in held),
            frozenset((s, i) for _, s, i in held),
            frozenset(a for a, _, _ in held),
        )

    def near(self, position: Position) -> list[str]:
        """Whether the rules claimed the position, or one that shares two of its parts
        (or its actor) with it."""
        actor, stance, issue = position
        if position in self.positions:
            return ["r:same", f"r:same:{stance}"]
        out = []
        if (actor, stance) in self.actor_stance:
            out.append("r:actor_stance")
        if (actor, issue) in self.actor_issue:
            out.append("r:actor_issue")
        if (stance, issue) in self.stance_issue:
            out.append("r:stance_issue")
        if not out and actor in self.actors:
            out.append("r:actor")
        return out or ["r:none"]


def ruled_positions(claims: Iterable[Claim]) -> Ruled:
    """The positions of the rules' claims."""
    return Ruled.of(
        (actor, claim.stance.coarse, claim.issue) for claim in claims for actor in claim.actors
    )


@dataclass(frozen=True)
class Kept:
    """A position the report states, the segment that says it best, and how likely."""

    position: Position
    segment: int
    confidence: float


def keep(said: Sequence[Said], ruled: Ruled, model: LinearModel, limits: Thresholds) -> list[Kept]:
    """The positions of a report whose probability passes their stance's threshold."""
    found = evidence(said)
    if not found:
        return []
    keys = list(found)
    probs = model.probabilities([features(k, found[k], ruled) for k in keys])
    yes = model.classes.index(YES)
    return [
        Kept(key, found[key].segment, float(row[yes]))
        for key, row in zip(keys, probs, strict=True)
        if row[yes] >= limits.of(key[1])
    ]


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
