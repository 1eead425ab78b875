"""Gradient-boosted trees over numbers, kept as plain arrays and evaluated with NumPy.

The position model weighs a few dozen figures of a report's evidence for one (actor,
stance, issue), and what one figure means depends on the others (a middling product is
good evidence when no other stance of the actor on the issue comes near it, poor when
one does); a sum of weights cannot say that, trees can. scikit-learn fits them
(``training``); the file holds each node's feature, threshold, children and value as
arrays, so loading it runs no code, like the linear models' (``weights``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

#: What a tree model's settings say it is, so that a file's models load as what they are.
KIND = "trees"


@dataclass
class TreeModel:
    """A yes-or-no model: the sigmoid of a base score plus one leaf value from each tree.

    Nodes of all trees are numbered together; a row goes left at a node when its value of
    the node's feature is at most the node's threshold. Leaves point to themselves, so
    every row may take as many steps as the deepest tree without checking where it is."""

    features: list[str]
    #: Per node: the feature it splits on (0 for a leaf), its threshold, its children.
    feature: npt.NDArray[np.int32]
    threshold: npt.NDArray[np.float64]
    left: npt.NDArray[np.int32]
    right: npt.NDArray[np.int32]
    #: Per node: what a row ending there adds (0 but at leaves).
    value: npt.NDArray[np.float64]
    #: The first node of each tree.
    roots: npt.NDArray[np.int32]
    base: float
    depth: int
    classes: list[str]
    header: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        #: Each node's children side by side, the right one first: a row at node ``n``
        #: goes to ``_children[2 * n + goes_left]``, one lookup instead of two and a choice.
        self._children = np.column_stack([self.right, self.left]).ravel()

    def probabilities(self, rows: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Each row's probability of the second class then the first, in class order.

        All rows walk all trees together, one level per step, over flat arrays (row by
        tree): a report's few rows make small arrays, so the steps cost in NumPy calls,
        and each step makes as few as it can (``take``, cheaper than indexing)."""
        width = len(self.features)
        rows = np.asarray(rows, dtype=np.float64).reshape(-1, width)
        count, trees = len(rows), len(self.roots)
        at = np.tile(self.roots, count)
        values = rows.ravel()
        #: Where each (row, tree) pair's row starts in ``values``.
        start = np.repeat(np.arange(count) * width, trees)
        feature, threshold, children = self.feature, self.threshold, self._children
        for _ in range(self.depth):
            goes_left = values.take(start + feature.take(at)) <= threshold.take(at)
            at = children.take(2 * at + goes_left)
        score = self.base + self.value.take(at.reshape(count, trees)).sum(axis=1)
        yes = 1.0 / (1.0 + np.exp(-score))
        return np.column_stack([1.0 - yes, yes])

    def arrays(self, prefix: str) -> dict[str, npt.NDArray[Any]]:
        """The model as named arrays, for a file that holds several models."""
        settings = {"kind": KIND, "base": self.base, "depth": self.depth, **self.header}
        return {
            f"{prefix}/features": np.array(self.features, dtype=np.str_),
            f"{prefix}/classes": np.array(self.classes, dtype=np.str_),
            f"{prefix}/feature": self.feature.astype(np.int32),
            f"{prefix}/threshold": self.threshold.astype(np.float64),
            f"{prefix}/left": self.left.astype(np.int32),
            f"{prefix}/right": self.right.astype(np.int32),
            f"{prefix}/value": self.value.astype(np.float64),
            f"{prefix}/roots": self.roots.astype(np.int32),
            f"{prefix}/settings": np.array(json.dumps(settings, sort_keys=True)),
        }

    @classmethod
    def from_arrays(cls, data: Mapping[str, npt.NDArray[Any]], prefix: str) -> TreeModel:
        settings = json.loads(str(data[f"{prefix}/settings"]))
        settings.pop("kind")
        return cls(
            features=[str(f) for f in data[f"{prefix}/features"]],
            feature=data[f"{prefix}/feature"].astype(np.int32),
            threshold=data[f"{prefix}/threshold"].astype(np.float64),
            left=data[f"{prefix}/left"].astype(np.int32),
            right=data[f"{prefix}/right"].astype(np.int32),
            value=data[f"{prefix}/value"].astype(np.float64),
            roots=data[f"{prefix}/roots"].astype(np.int32),
            base=float(settings.pop("base")),
            depth=int(settings.pop("depth")),
            classes=[str(c) for c in data[f"{prefix}/classes"]],
            header=settings,
        )


def from_boosting(model: Any, features: Sequence[str], classes: Sequence[str]) -> TreeModel:
    """The trees of a fitted two-class ``HistGradientBoostingClassifier`` as arrays.

    Its trees are read from where scikit-learn keeps them (``_predictors``, each a table
    of nodes, and ``_baseline_prediction``); a test checks that the arrays give the
    probabilities scikit-learn gives."""
    tables = [trees[0].nodes for trees in model._predictors]
    sizes = [len(table) for table in tables]
    starts = np.cumsum([0, *sizes[:-1]]).astype(np.int32)
    nodes = np.concatenate(tables) if tables else np.zeros(0, dtype=[("is_leaf", "u1")])
    offset = np.repeat(starts, sizes)
    leaf = nodes["is_leaf"].astype(bool)
    own = np.arange(len(nodes), dtype=np.int32)
    left = np.where(leaf, own, nodes["left"] + offset).astype(np.int32)
    right = np.where(leaf, own, nodes["right"] + offset).astype(np.int32)
    depth = int(nodes["depth"].max(initial=0))
    return TreeModel(
        features=list(features),
        feature=np.where(leaf, 0, nodes["feature_idx"]).astype(np.int32),
        threshold=np.where(leaf, 0.0, nodes["num_threshold"]).astype(np.float64),
        left=left,
        right=right,
        value=np.where(leaf, nodes["value"], 0.0).astype(np.float64),
        roots=starts,
        base=float(np.ravel(model._baseline_prediction)[0]),
        depth=depth,
        classes=list(classes),
    )
