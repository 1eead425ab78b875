"""The four models of ``learned.v1`` and how their answers become positions.

- ``suggest``: which issues a segment is about, from its words alone (one yes-or-no per
  issue), so that issues no codebook word names can still be found;
- ``stance``: the coarse stance the segment states, or none;
- ``holder``: for each actor the segment names or points to, whether it holds that
  stance, must act on it, or neither;
- ``issue``: for each issue the segment may be about, whether the stance is on it.

A segment becomes claims when its stance, at least one holder and at least one issue each
pass their thresholds: one claim per issue, held by all its holders together.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from peacetrack.extract.learned.weights import NONE, LinearModel, load_models, save_models

NAMES = ("suggest", "stance", "holder", "issue")
HOLDER, OBLIGOR, YES = "holder", "obligor", "yes"


@dataclass(frozen=True)
class Decision:
    """What one segment states: a coarse stance, who holds it, who must act, on what."""

    stance: str
    confidence: float
    holders: tuple[str, ...]
    obligors: tuple[str, ...]
    issues: tuple[str, ...]


@dataclass
class Thresholds:
    """Smallest probabilities: of each stance, of holding it, of an issue being meant."""

    stance: dict[str, float]
    holder: float = 0.5
    issue: float = 0.5

    def as_dict(self) -> dict[str, Any]:
        return {"stance": self.stance, "holder": self.holder, "issue": self.issue}


def decide(
    stance: Mapping[str, float],
    holders: Mapping[str, Mapping[str, float]],
    issues: Mapping[str, float],
    limits: Thresholds,
) -> Decision | None:
    """The position a segment states, or None; probabilities by class, by actor, by issue."""
    options = {name: p for name, p in stance.items() if name != NONE}
    if not options:
        return None
    best = max(options, key=lambda name: options[name])
    if options[best] < limits.stance.get(best, 0.5):
        return None
    held = _passing({a: p.get(HOLDER, 0.0) for a, p in holders.items()}, limits.holder)
    meant = _passing(dict(issues), limits.issue)
    if not held or not meant:
        return None
    bound = tuple(
        a for a, p in holders.items() if a not in held and p.get(OBLIGOR, 0.0) >= limits.holder
    )
    return Decision(best, options[best], held, bound, meant)


@dataclass
class Models:
    """The four models, their thresholds and what is known of their training."""

    suggest: LinearModel
    stance: LinearModel
    holder: LinearModel
    issue: LinearModel
    limits: Thresholds
    header: dict[str, Any] = field(default_factory=dict)

    def save(self, path: Path) -> None:
        models = {name: getattr(self, name) for name in NAMES}
        save_models(path, models, {"limits": self.limits.as_dict(), **self.header})

    @classmethod
    def load(cls, path: Path) -> Models:
        models, header = load_models(path, NAMES)
        raw = header.pop("limits")
        limits = Thresholds(dict(raw["stance"]), float(raw["holder"]), float(raw["issue"]))
        header.pop("format", None)
        return cls(**models, limits=limits, header=header)


def _passing(probs: Mapping[str, float], threshold: float) -> tuple[str, ...]:
    """The options at or above ``threshold``; when none is, the likeliest one if it comes
    within half of it: a segment that clearly states a position is about something."""
    passing = tuple(k for k, p in probs.items() if p >= threshold)
    if passing or not probs:
        return passing
    best = max(probs, key=lambda k: probs[k])
    return (best,) if probs[best] >= threshold / 2 else ()
