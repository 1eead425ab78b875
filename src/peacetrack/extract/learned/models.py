"""The five models of ``learned.v1``, kept together in one file with their thresholds.

- ``suggest``: which issues a segment is about, from its words alone (one yes-or-no per
  issue), so that issues no codebook word names can still be found;
- ``stance``: the coarse stance the segment states, or none;
- ``holder``: for each actor the segment names or points to, whether it holds that
  stance, must act on it, or neither;
- ``issue``: for each issue the segment may be about, whether the stance is on it;
- ``position``: for each (actor, coarse stance, issue) of a report, how likely the report
  states it, from the evidence of all its segments (``peacetrack.extract.learned.tuples``);
  boosted trees, where the other four are linear.

A position becomes a claim when its probability passes its stance's threshold
(``tuples.Thresholds``); it is stated with the segment that gave it most, together with
the other positions kept there (``tuples.keep`` and ``tuples.decisions``). This module
reads ``tuples`` (the figures the position model must have been trained on), never the
other way round.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from peacetrack.errors import InputError
from peacetrack.extract.learned.trees import TreeModel
from peacetrack.extract.learned.tuples import FEATURES, Thresholds
from peacetrack.extract.learned.weights import LinearModel, load_models, save_models

NAMES = ("suggest", "stance", "holder", "issue", "position")


@dataclass
class Models:
    """The five models, their thresholds and what is known of their training."""

    suggest: LinearModel
    stance: LinearModel
    holder: LinearModel
    issue: LinearModel
    position: TreeModel
    limits: Thresholds
    header: dict[str, Any] = field(default_factory=dict)

    def save(self, path: Path) -> None:
        models = {name: getattr(self, name) for name in NAMES}
        save_models(path, models, {"limits": self.limits.as_dict(), **self.header})

    @classmethod
    def load(cls, path: Path) -> Models:
        models, header = load_models(path, NAMES)
        raw = header.pop("limits")
        ruled = raw.get("ruled")
        limits = Thresholds(
            dict(raw["stance"]), float(raw["obligor"]), None if ruled is None else float(ruled)
        )
        header.pop("format", None)
        position = models["position"]
        linear = [models[name] for name in NAMES[:-1]]
        if not isinstance(position, TreeModel):
            raise InputError(f"{path}: an older kind of model; write one with `peacetrack train`")
        _check_figures(path, position)
        suggest, stance, holder, issue = (_linear(path, m) for m in linear)
        return cls(suggest, stance, holder, issue, position, limits, header)


def _check_figures(path: Path, position: TreeModel) -> None:
    """Refuse a position model trained on other figures than this version computes (a
    file written by an older ``peacetrack train``): its trees would read the wrong
    columns, so every report would fail or, worse, be scored on the wrong evidence."""
    if tuple(position.features) != FEATURES:
        raise InputError(
            f"{path}: trained by another version of learned.v1 (its position model reads "
            f"{len(position.features)} figures, this version computes {len(FEATURES)}); "
            "train it again with `peacetrack train`"
        )


def _linear(path: Path, model: LinearModel | TreeModel) -> LinearModel:
    if not isinstance(model, LinearModel):
        raise InputError(f"{path}: an unknown kind of model; write one with `peacetrack train`")
    return model
