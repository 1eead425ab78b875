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
        # The walk's own copies of the nodes, in NumPy's index type (no conversion at each
        # step), each node's entries twice: a row at node ``n`` sits at ``2 * n`` and goes
        # on to ``_next[2 * n + goes_left]``, which holds twice the child's number, so one
        # lookup finds where it goes and no step multiplies.
        self._feature = np.repeat(self.feature.astype(np.intp), 2)
        self._threshold = np.repeat(self.threshold, 2)
        self._next = 2 * np.column_stack([self.right, self.left]).ravel().astype(np.intp)
        self._value = np.repeat(self.value, 2)
        # The trees deepest first, so that the trees still walking at any step come first.
        depths = self._depths()
        self._order = np.argsort(-depths, kind="stable")
        self._unorder = np.argsort(self._order)
        #: How many trees still walk at each step.
        self._walking = [int((depths > step).sum()) for step in range(self.depth)]

    def _depths(self) -> npt.NDArray[np.intp]:
        """How many steps each tree takes to bring every row to a leaf."""
        depths = np.zeros(len(self.roots), dtype=np.intp)
        at, tree = self.roots.astype(np.intp), np.arange(len(self.roots))
        level = 0
        while len(at):
            inner = self.left[at] != at  # a leaf points to itself
            at = np.concatenate([self.left[at[inner]], self.right[at[inner]]]).astype(np.intp)
            tree = np.concatenate([tree[inner], tree[inner]])
            level += 1
            depths[tree] = level
        return depths

    def probabilities(self, rows: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Each row's probability of the second class then the first, in class order.

        All rows walk all trees together, one level per step, over flat arrays (tree by
        row, the deepest trees first): a tree is left once every row is at a leaf of it,
        and a report's few rows make small arrays, so each step makes as few NumPy calls
        as it can (``take``, cheaper than indexing)."""
        width = len(self.features)
        rows = np.asarray(rows, dtype=np.float64).reshape(-1, width)
        count, trees = len(rows), len(self.roots)
        at = np.repeat(2 * self.roots[self._order].astype(np.intp), count)
        values = rows.ravel()
        #: Where each (tree, row) pair's row starts in ``values``.
        start = np.tile(np.arange(count, dtype=np.intp) * width, trees)
        feature, threshold, after = self._feature, self._threshold, self._next
        for walking in self._walking:
            head = at[: walking * count]
            goes_left = values.take(start[: len(head)] + feature.take(head)) <= threshold.take(head)
            after.take(head + goes_left, out=head)
        # Back in the trees' own order, row by tree, so each row's values add up as before.
        leaves = at.reshape(trees, count)[self._unorder].T
        score = self.base + self._value.take(leaves).sum(axis=1)
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
