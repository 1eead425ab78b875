"""Training ``learned.v1``: labelled views from examples, five regressions, and
thresholds and figures from validation that holds out whole conflicts.

Needs scikit-learn (``pip install 'peacetrack[train]'``); the file it writes is scored
with NumPy alone. Figures are computed the way ``peacetrack eval`` scores: the set of
(report, actor, coarse stance, issue) tuples, against every gold claim of the held-out
reports, including those no view could have found.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from peacetrack.errors import PeaceTrackError
from peacetrack.extract.learned.examples import Example
from peacetrack.extract.learned.features import Suggest
from peacetrack.extract.learned.lexicon import PIECES, issue_lexicon
from peacetrack.extract.learned.reader import Parts, Seen, read, ruled_in, seen, suggester
from peacetrack.extract.learned.trees import TreeModel, from_boosting
from peacetrack.extract.learned.tuples import (
    EVIDENCE,
    FEATURES,
    MONOTONE,
    RULED,
    Ruled,
    Said,
    Thresholds,
    evidence,
    rows,
)
from peacetrack.extract.learned.weights import HOLDER, NONE, OBLIGOR, YES, LinearModel

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

    from peacetrack.codebook import Codebook
    from peacetrack.extract.rules.extractor import RulesExtractor

#: A feature seen fewer times than this is left out of the model.
MIN_COUNT = 2
#: Inverse regularisation strength of the segment models: strong enough a pull to zero
#: that one conflict's words weigh little (0.5 held out better than 2.0 and 0.2).
STRENGTH = 0.5
#: The issue-suggesting model's: one regression per issue, each with few positives.
SUGGEST_STRENGTH = 2.0
#: The position model's trees: few and small, each leaf on many positions, so that they
#: learn how evidence reads in general rather than one conflict's reports (100 trees of
#: 15 leaves held out better than 200 of depth 3).
TREES = {"max_iter": 100, "learning_rate": 0.1, "max_leaf_nodes": 15}
#: Fewest positions in a leaf: 40 on the built-in corpus, a hundredth of the rows on a
#: small set (a store's few reviewed reports and a handful of others), down to 5, so that
#: what a reviewer said of a few reports can still be told apart from the rest.
LEAF, SMALL_LEAF, LEAF_SHARE = 40, 5, 100
#: Fewer positions than this are too few to learn what a report's shape says: the trees
#: then see only the evidence itself (``tuples.EVIDENCE``), else a few reports of three
#: sentences teach that short reports state nothing (the built-in corpus gives ~24,000).
FEW = 5000
#: The threshold of the positions the rules claim: kept unless the position model all but
#: rules them out. Held out on the written corpus the rules' positions are about half
#: right and a threshold chosen there (0.45) drops most of them; on real reports (the dev
#: corpus) they are mostly right, and every rise of this threshold from 0.05 lowered dev
#: precision as well as recall: the models' doubt about them does not carry over. Above
#: zero, so that a reviewer's rejection of a rules claim still takes it away.
RULES_KEPT = 0.05
#: Thresholds tried for a stance's positions.
GRID = tuple(round(0.05 + 0.025 * i, 3) for i in range(37))
Tuple = tuple[str, str, str, str]


@dataclass
class Rows:
    """One model's training rows: features, label, the conflict of the report."""

    rows: list[tuple[str, ...]] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)

    def extend(self, other: Rows) -> None:
        self.rows += other.rows
        self.labels += other.labels
        self.groups += other.groups
        self.weights += other.weights

    def add(self, row: tuple[str, ...], label: str, group: str, weight: float = 1.0) -> int:
        self.rows.append(row)
        self.labels.append(label)
        self.groups.append(group)
        self.weights.append(weight)
        return len(self.rows) - 1


@dataclass(frozen=True)
class ViewRows:
    """Where one view's rows are: its stance row, its actors' and its issues' rows."""

    example: int
    #: The segment's characters in the example's text.
    start: int
    end: int
    stance: int
    holders: tuple[tuple[str, int], ...]
    issues: tuple[tuple[str, int], ...]
    #: Where each actor and issue option came from, by key.
    sources: dict[str, str]


@dataclass
class Dataset:
    """Every view of every example, as rows for the stance, holder and issue models."""

    stance: Rows = field(default_factory=Rows)
    holder: Rows = field(default_factory=Rows)
    issue: Rows = field(default_factory=Rows)
    views: list[ViewRows] = field(default_factory=list)
    gold: list[set[Tuple]] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)
    #: The positions of the rules' own claims in each example.
    ruled: list[Ruled] = field(default_factory=list)
    #: Each example's parties to its agreements, likeliest first (``reader.Viewed``).
    parties: list[tuple[str, ...]] = field(default_factory=list)


@dataclass(frozen=True)
class Figures:
    precision: float
    recall: float
    f1: float
    gold: int
    predicted: int

    def line(self) -> str:
        return (
            f"P {self.precision:.3f}  R {self.recall:.3f}  F1 {self.f1:.3f}  "
            f"({self.predicted} predicted, {self.gold} gold tuples)"
        )

    def as_dict(self) -> dict[str, float]:
        return {"p": round(self.precision, 4), "r": round(self.recall, 4), "f1": round(self.f1, 4)}


@dataclass
class Truth:
    """The gold positions whose evidence lies in one segment."""

    stances: Counter[str] = field(default_factory=Counter)
    holders: set[str] = field(default_factory=set)
    obligors: set[str] = field(default_factory=set)
    issues: set[str] = field(default_factory=set)


def read_all(examples: Sequence[Example], rules: RulesExtractor) -> list[Parts]:
    return [read(rules, example.text) for example in examples]


def suggest_rows(examples: Sequence[Example], readings: Sequence[Parts]) -> Rows:
    """The issue-suggesting model's rows: each view's features, labelled with the gold
    issues of its segment joined by ``|`` (a segment may be about several)."""
    data = Rows()
    for example, parts in zip(examples, readings, strict=True):
        marks = gold_marks(example)
        for hit in seen(parts, issue_lexicon(), None).hits:
            if _unsure(example, hit.start, hit.end):
                continue
            truth = _truth(marks, hit.start, hit.end)
            data.add(
                hit.view.features, "|".join(sorted(truth.issues)), example.group, example.weight
            )
    return data


def codebook_rows(codebook: Codebook, copies: int = 2) -> Rows:
    """Rows for the issue-suggesting model from the codebook itself: each issue's label,
    definition, what it includes and its cues, as if a segment said them. They teach the
    words of issues that no training report happens to mention."""
    lexicon = issue_lexicon()
    data = Rows()
    for code, issue in codebook.issues.items():
        text = " ".join([issue.label, issue.definition, issue.include, *issue.cues]).lower()
        words = PIECES.findall(text)
        kept = [w for w in words if w.isalnum()]
        row = [f"w:{w}" for w in dict.fromkeys(kept)]
        row += [f"lex:{i}" for i in lexicon.matches(words)]
        for _ in range(copies):
            data.add(tuple(row), code, "codebook")
    return data


def build_dataset(
    examples: Sequence[Example], readings: Sequence[Parts], suggest: Callable[[int], Suggest]
) -> Dataset:
    """Read and label every example's views; ``suggest(i)`` is the issue-suggesting
    model for example ``i`` (one trained without its conflict, when validating)."""
    data = Dataset()
    for index, (example, parts) in enumerate(zip(examples, readings, strict=True)):
        data.names.append(example.name)
        data.gold.append(gold_tuples(example.name, example.claims))
        data.groups.append(example.group)
        data.weights.append(example.weight)
        viewed = seen(parts, issue_lexicon(), suggest(index))
        hits = [hit for hit in viewed.hits if not _unsure(example, hit.start, hit.end)]
        data.ruled.append(ruled_in(parts, hits))
        data.parties.append(viewed.parties_of(hits))
        marks = gold_marks(example)
        for hit in hits:
            _add_view(data, index, example, hit, _truth(marks, hit.start, hit.end))
    return data


def _add_view(data: Dataset, index: int, example: Example, hit: Seen, truth: Truth) -> None:
    """One view's rows for the stance, holder and issue models, labelled by ``truth``."""
    group, weight = example.group, example.weight
    view = hit.view
    top = truth.stances.most_common(1)[0][0] if truth.stances else NONE
    stance = data.stance.add(view.features, top, group, weight)
    holders = tuple(
        (o.key, data.holder.add(o.features, _role(o.key, truth), group, weight))
        for o in view.actors
    )
    issues = tuple(
        (o.key, data.issue.add(o.features, _said(o.key, truth), group, weight)) for o in view.issues
    )
    whence = {o.key: o.source for o in (*view.actors, *view.issues)}
    data.views.append(ViewRows(index, hit.start, hit.end, stance, holders, issues, whence))


def _unsure(example: Example, start: int, end: int) -> bool:
    """Whether a segment holds a claim nobody checked: it is neither a position nor not."""
    return any(lo < end and start < hi for lo, hi in example.unsure)


def gold_tuples(name: str, claims: Iterable[Any]) -> set[Tuple]:
    return {(name, a, c.stance.coarse, c.issue) for c in claims for a in c.actors}


def _said(issue: str, truth: Truth) -> str:
    return YES if issue in truth.issues else NONE


def _role(actor: str, truth: Truth) -> str:
    if actor in truth.holders:
        return HOLDER
    return OBLIGOR if actor in truth.obligors else NONE


def gold_marks(example: Example) -> list[tuple[list[int], Any]]:
    """Each gold claim with the characters a segment holding its evidence must contain:
    where the evidence starts and where each further sentence in it starts."""
    out: list[tuple[list[int], Any]] = []
    text = example.text
    for claim in example.claims:
        start = claim.start if claim.start is not None else text.find(claim.evidence)
        if start < 0:
            continue
        end = claim.end if claim.end is not None else start + len(claim.evidence)
        points = [start] + [
            i + 1 for i in range(start + 1, end - 2) if text[i - 1] in ".!?\n" and text[i] == " "
        ]
        out.append((points, claim))
    return out


def _truth(marks: list[tuple[list[int], Any]], start: int, end: int) -> Truth:
    truth = Truth()
    for points, claim in marks:
        if any(start <= p < end for p in points):
            truth.stances[claim.stance.coarse] += 1
            truth.holders.update(claim.actors)
            truth.obligors.update(claim.obligor or ())
            truth.issues.add(claim.issue)
    return truth


def fit(data: Rows, rows: Sequence[int], strength: float | None = None) -> LinearModel:
    """A softmax regression on the given rows."""
    chosen = [data.rows[i] for i in rows]
    labels = [data.labels[i] for i in rows]
    if len(set(labels)) < 2:
        raise PeaceTrackError("the training set has no labelled position: nothing to learn")
    features = _vocabulary(chosen)
    model = _sklearn().LogisticRegression(C=strength or STRENGTH, max_iter=3000)
    model.fit(_matrix(chosen, features), labels, sample_weight=[data.weights[i] for i in rows])
    classes = [str(c) for c in model.classes_]
    coef = np.asarray(model.coef_, dtype=np.float32)
    bias = np.asarray(model.intercept_, dtype=np.float32)
    if len(classes) == 2:  # scikit-learn keeps one column for two classes
        coef = np.vstack([-coef[0] / 2, coef[0] / 2])
        bias = np.array([-bias[0] / 2, bias[0] / 2], dtype=np.float32)
    order = sorted(features, key=features.__getitem__)
    return LinearModel(order, coef.T.copy(), bias, classes, {})


def fit_suggest(data: Rows, rows: Sequence[int], strength: float = SUGGEST_STRENGTH) -> LinearModel:
    """One yes-or-no regression per issue (labels are ``|``-joined issue sets)."""
    sets = [set(filter(None, data.labels[r].split("|"))) for r in rows]
    chosen = [data.rows[i] for i in rows]
    features = _vocabulary(chosen)
    matrix = _matrix(chosen, features)
    names = sorted(set().union(*sets)) if sets else []
    weights = np.zeros((len(features), len(names)), dtype=np.float32)
    bias = np.full(len(names), -10.0, dtype=np.float32)
    for k, name in enumerate(names):
        target = [name in s for s in sets]
        if sum(target) < 2:
            continue
        model = _sklearn().LogisticRegression(C=strength, max_iter=3000, class_weight="balanced")
        model.fit(matrix, target, sample_weight=[data.weights[r] for r in rows])
        weights[:, k] = model.coef_[0]
        bias[k] = model.intercept_[0]
    order = sorted(features, key=features.__getitem__)
    return LinearModel(order, weights, bias, names, {}, multilabel=True)


def _vocabulary(rows: Sequence[Sequence[str]]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        for name in set(row):
            counts[name] += 1
    kept = sorted(name for name, n in counts.items() if n >= MIN_COUNT)
    return {name: i for i, name in enumerate(kept)}


def _matrix(rows: Sequence[Sequence[str]], features: dict[str, int]) -> csr_matrix:
    from scipy.sparse import csr_matrix

    indices: list[int] = []
    pointers = [0]
    for row in rows:
        indices.extend(sorted({features[f] for f in row if f in features}))
        pointers.append(len(indices))
    values = np.ones(len(indices), dtype=np.float32)
    return csr_matrix((values, indices, pointers), shape=(len(rows), len(features)))


def group_folds(groups: Iterable[str], folds: int) -> list[set[str]]:
    """Conflicts dealt into folds, largest first, each to the fold with fewest reports."""
    sizes = Counter(groups)
    count = max(2, min(folds, len(sizes)))
    out: list[set[str]] = [set() for _ in range(count)]
    load = [0] * count
    for group, size in sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0])):
        target = load.index(min(load))
        out[target].add(group)
        load[target] += size
    return [fold for fold in out if fold]


def cross_suggest(
    examples: Sequence[Example], rows: Rows, folds: list[set[str]]
) -> dict[int, Suggest]:
    """For each example, an issue-suggesting model trained without its conflict."""
    out: dict[int, Suggest] = {}
    for fold in folds:
        train = [i for i, g in enumerate(rows.groups) if g not in fold]
        suggest = suggester(fit_suggest(rows, train))
        out.update({i: suggest for i, e in enumerate(examples) if e.group in fold})
    return out


@dataclass
class Probabilities:
    """Each row's class probabilities from one model per kind, by class name."""

    stance: list[dict[str, float]]
    holder: list[dict[str, float]]
    issue: list[dict[str, float]]


def held_out(data: Dataset, folds: list[set[str]], log: Callable[[str], None]) -> Probabilities:
    """Out-of-fold probabilities: each conflict is scored by models trained without it."""
    out = Probabilities(
        [{} for _ in data.stance.rows],
        [{} for _ in data.holder.rows],
        [{} for _ in data.issue.rows],
    )
    for k, fold in enumerate(folds):
        for kind in ("stance", "holder", "issue"):
            rows: Rows = getattr(data, kind)
            train = [i for i, g in enumerate(rows.groups) if g not in fold]
            test = [i for i, g in enumerate(rows.groups) if g in fold]
            if not test:
                continue
            model = fit(rows, train)
            probs = model.probabilities([rows.rows[i] for i in test])
            target = getattr(out, kind)
            for i, row in zip(test, probs, strict=True):
                target[i] = dict(zip(model.classes, map(float, row), strict=True))
        log(f"fold {k + 1}/{len(folds)}: held out {', '.join(sorted(fold))}")
    return out


@dataclass
class Positions:
    """Every position some segment of an example could state, as the position model's
    rows (``tuples.FEATURES``), labelled by whether the example's gold holds it."""

    keys: list[Tuple]
    table: npt.NDArray[np.float64]
    labels: npt.NDArray[np.bool_]
    groups: list[str]
    weights: npt.NDArray[np.float64]
    #: Gold tuples, each counted with its report's weight.
    gold: float

    def stances(self) -> list[str]:
        return [key[2] for key in self.keys]


def positions(data: Dataset, probs: Probabilities) -> Positions:
    """The candidate positions of each example from the segment models' probabilities."""
    said: list[list[Said]] = [[] for _ in data.names]
    for view in data.views:
        said[view.example].append(
            Said(
                probs.stance[view.stance],
                {a: probs.holder[r] for a, r in view.holders},
                {i: probs.issue[r].get(YES, 0.0) for i, r in view.issues},
                view.sources,
            )
        )
    keys: list[Tuple] = []
    tables, groups, weights = [], [], []
    for index, name in enumerate(data.names):
        ruled = data.ruled[index]
        found, table = rows(evidence(said[index], ruled, data.parties[index]), ruled)
        keys += [(name, *position) for position in found]
        tables.append(table)
        groups += [data.groups[index]] * len(found)
        weights += [data.weights[index]] * len(found)
    truth = set().union(*data.gold) if data.gold else set()
    labels = np.array([key in truth for key in keys], dtype=np.bool_)
    table = np.vstack(tables) if tables else np.zeros((0, len(FEATURES)))
    total = sum(len(g) * w for g, w in zip(data.gold, data.weights, strict=True))
    return Positions(keys, table, labels, groups, np.array(weights), total)


def fit_positions(found: Positions, rows: Iterable[int]) -> TreeModel:
    """The position model, made to rise with the evidence: more evidence never lowers a
    position's probability, however few reports it learned from (fitted freely, a few
    reviewed reports make it trust middling evidence more than strong)."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    chosen = np.fromiter(rows, dtype=np.intp)
    labels = found.labels[chosen]
    if labels.all() or not labels.any():
        raise PeaceTrackError("the training set has no labelled position: nothing to learn")
    table, rising = found.table[chosen], MONOTONE
    if len(chosen) < FEW:
        table = np.where([name in EVIDENCE for name in FEATURES], table, 0.0)
        rising = EVIDENCE
    leaf = max(SMALL_LEAF, min(LEAF, len(chosen) // LEAF_SHARE))
    model = HistGradientBoostingClassifier(
        **TREES,
        min_samples_leaf=leaf,
        early_stopping=False,
        monotonic_cst=[int(name in rising) for name in FEATURES],
        random_state=0,
    )
    model.fit(table, labels, sample_weight=found.weights[chosen])
    return from_boosting(model, FEATURES, [NONE, YES])


def held_out_positions(found: Positions, folds: list[set[str]]) -> npt.NDArray[np.float64]:
    """Each position's probability from a position model trained without its conflict."""
    out = np.zeros(len(found.keys))
    groups = np.array(found.groups)
    for fold in folds:
        test = np.isin(groups, sorted(fold))
        if not test.any():
            continue
        model = fit_positions(found, np.flatnonzero(~test))
        out[test] = model.probabilities(found.table[test])[:, model.classes.index(YES)]
    return out


def score(found: Positions, probs: npt.NDArray[np.float64], limits: Thresholds) -> Figures:
    """Figures of the positions kept by ``limits``, against every gold tuple; each tuple
    counts with its report's weight (a reviewed report's more than a built-in one's)."""
    kept = probs >= cuts(found, limits)
    weights = found.weights
    hit = float(weights[kept & found.labels].sum())
    predicted = float(weights[kept].sum())
    p = hit / predicted if predicted else 0.0
    r = hit / found.gold if found.gold else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return Figures(p, r, f1, round(found.gold), int(kept.sum()))


def cuts(found: Positions, limits: Thresholds) -> npt.NDArray[np.float64]:
    """Each position's threshold: its stance's, or the one for positions the rules claim."""
    ruled = (found.table[:, RULED] > 0).tolist()
    return np.array([limits.of(s, r) for s, r in zip(found.stances(), ruled, strict=True)])


def choose_thresholds(
    found: Positions, probs: npt.NDArray[np.float64], min_precision: float
) -> Thresholds:
    """A threshold per stance with the best F1 at or above ``min_precision`` (the rules'
    positions at ``RULES_KEPT``), each stance's moved in turn over ``GRID`` (three
    passes); the search starts both from 0.5 and from the best single threshold for all
    stances, and the better end wins, since one stance at a time can stop short of the
    best."""
    stances = sorted(set(found.stances()))

    def value(limits: Thresholds) -> tuple[bool, float]:
        """Thresholds that keep the precision asked for win; among them the best F1, and
        while none does, the best precision."""
        figures = score(found, probs, limits)
        meets = figures.precision >= min_precision
        return meets, figures.f1 if meets else figures.precision

    def same(threshold: float) -> Thresholds:
        return Thresholds({stance: threshold for stance in stances}, ruled=RULES_KEPT)

    ends = []
    for start in (0.5, max(GRID, key=lambda t: value(same(t)))):
        limits = same(start)
        for _ in range(3):
            for stance in stances:
                limits.stance[stance] = max(
                    GRID,
                    key=lambda t: value(Thresholds({**limits.stance, stance: t}, ruled=RULES_KEPT)),
                )
        ends.append(limits)
    return max(ends, key=value)


def _sklearn() -> Any:
    try:
        import sklearn.linear_model
    except ImportError:
        raise PeaceTrackError(
            "training needs scikit-learn: pip install 'peacetrack[train]'"
        ) from None
    return sklearn.linear_model
