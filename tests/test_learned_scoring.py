"""learned.v1's scoring machinery (issue #15): the faster ways of scoring give each model's
probabilities bit for bit as the plain ways do, so the claims do not change."""

from __future__ import annotations

import numpy as np

from peacetrack.extract.learned.reader import Segments, likely
from peacetrack.extract.learned.trees import TreeModel
from peacetrack.extract.learned.weights import LinearModel, Together


def _linear(
    rng: np.random.Generator, names: list[str], classes: int, multilabel: bool
) -> LinearModel:
    return LinearModel(
        names,
        rng.normal(size=(len(names), classes)).astype(np.float32),
        rng.normal(size=classes).astype(np.float32),
        [f"c{i}" for i in range(classes)],
        {},
        multilabel=multilabel,
    )


def test_models_scored_together_score_as_each_alone() -> None:
    # The suggestion and stance models share one lookup per name; each keeps its own
    # names (some only one model knows), classes and activation.
    rng = np.random.default_rng(5)
    names = [f"f{i}" for i in range(80)]
    first = _linear(rng, names[:60], 5, multilabel=True)
    second = _linear(rng, names[30:], 3, multilabel=False)
    rows = [list(rng.choice([*names, "unknown"], size=int(rng.integers(0, 50)))) for _ in range(40)]
    issues, stances = Together(first, second).probabilities(rows)
    assert np.array_equal(issues, first.probabilities(rows))
    assert np.array_equal(stances, second.probabilities(rows))


def test_segments_keep_the_stances_of_the_rows_they_suggested_for() -> None:
    rng = np.random.default_rng(6)
    names = [f"f{i}" for i in range(30)]
    suggest = _linear(rng, names, 4, multilabel=True)
    stance = _linear(rng, names, 3, multilabel=False)
    rows = [list(rng.choice(names, size=8)) for _ in range(5)]
    segments = Segments(Together(suggest, stance))
    chances = segments.suggest(rows)
    assert chances == likely(suggest.classes, suggest.probabilities(rows))
    assert np.array_equal(segments.stances([tuple(r) for r in rows]), stance.probabilities(rows))
    # Rows that are not the ones suggested for (other names) are scored afresh.
    other = [["f1", "f2"], *rows[1:]]
    assert np.array_equal(segments.stances(other), stance.probabilities(other))


def test_the_floor_keeps_each_rows_likely_classes_in_class_order() -> None:
    probs = np.array([[0.5, 0.01, 0.03], [0.0, 0.2, 0.02]], dtype=np.float32)
    assert likely(["a", "b", "c"], probs) == [
        {"a": float(np.float32(0.5)), "c": float(np.float32(0.03))},
        {"b": float(np.float32(0.2))},
    ]


def _walked(model: TreeModel, row: np.ndarray) -> float:
    """One row's probability, each tree walked node by node until a leaf."""
    leaves = []
    for root in model.roots:
        node = int(root)
        while model.left[node] != node:
            goes_left = row[model.feature[node]] <= model.threshold[node]
            node = int(model.left[node] if goes_left else model.right[node])
        leaves.append(node)
    score = model.base + model.value[np.array(leaves)].sum()
    return float(1.0 / (1.0 + np.exp(-score)))


def test_trees_of_different_depths_score_as_walked_one_by_one() -> None:
    # Trees leave the walk once every row is at one of their leaves, the deepest first;
    # a tree that is one leaf never walks.
    # Leaf values whose sum depends on the order they are added in (1.0 is lost beside
    # 2**53, not beside -2**53), so the trees' own order must be kept when adding them up.
    big = 2.0**53
    chain = [  # nodes of a tree of depth 3 leaning right, one of depth 1 and a lone leaf
        (0, 0.5, 1, 2, 0.0), (0, 0.0, 1, 1, -big), (1, 0.5, 3, 4, 0.0), (0, 0.0, 3, 3, 2 - big),
        (2, 0.5, 5, 6, 0.0), (0, 0.0, 5, 5, -2 - big), (0, 0.0, 6, 6, 4 - big),
        (2, 0.3, 8, 9, 0.0), (0, 0.0, 8, 8, 1.0), (0, 0.0, 9, 9, 3.0),
        (0, 0.0, 10, 10, big),
    ]  # fmt: skip
    feature, threshold, left, right, value = (
        np.array(column) for column in zip(*chain, strict=True)
    )
    model = TreeModel(
        ["a", "b", "c"],
        feature=feature.astype(np.int32),
        threshold=threshold.astype(np.float64),
        left=left.astype(np.int32),
        right=right.astype(np.int32),
        value=value.astype(np.float64),
        roots=np.array([7, 10, 0], dtype=np.int32),  # not deepest first
        base=0.1,
        depth=3,
        classes=["none", "yes"],
    )
    table = np.random.default_rng(8).random((50, 3))
    yes = model.probabilities(table)[:, 1]
    assert [float(p) for p in yes] == [_walked(model, row) for row in table]
    assert model.probabilities(table[:0]).shape == (0, 2)
