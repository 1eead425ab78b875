"""``peacetrack train``: from examples to a model file, with held-out figures.

Validation holds out whole conflicts: the examples are dealt into folds by conflict, each
fold is scored by models trained on the others, and the thresholds are chosen on those
out-of-fold scores, so the figures printed are what to expect on a war the model has not
seen. The models written are then trained on everything.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from peacetrack import __version__
from peacetrack.errors import InputError
from peacetrack.extract.learned import training as t
from peacetrack.extract.learned.examples import Example
from peacetrack.extract.learned.models import Models, Thresholds
from peacetrack.extract.learned.reader import Parts, rules_reader, suggester

if TYPE_CHECKING:
    from peacetrack.codebook import Codebook

#: Fewest conflicts for validation that holds whole conflicts out.
MIN_CONFLICTS = 2
BUILTIN_CORPUS = Path(__file__).parent / "corpus"


@dataclass(frozen=True)
class Trained:
    """A trained model and what validation said of it."""

    models: Models
    held_out: t.Figures
    folds: list[set[str]]
    examples: int
    claims: int

    def summary(self) -> str:
        conflicts = sum(len(f) for f in self.folds)
        return (
            f"{self.examples} reports, {self.claims} claims, {conflicts} conflicts in "
            f"{len(self.folds)} folds\nheld-out conflicts: {self.held_out.line()}"
        )


@dataclass(frozen=True)
class Validation:
    """What validation by conflict found: the reports as read, the rows of every model,
    each position with its probability from models trained without its conflict, the
    thresholds chosen on those and the figures they give."""

    readings: list[Parts]
    suggest_rows: t.Rows
    folds: list[set[str]]
    data: t.Dataset
    found: t.Positions
    chances: npt.NDArray[np.float64]
    limits: Thresholds
    figures: t.Figures


def validate(
    examples: Sequence[Example],
    codebook: Codebook,
    *,
    folds: int = 5,
    min_precision: float = 0.6,
    log: Callable[[str], None] = lambda _: None,
) -> Validation:
    """Score every conflict of ``examples`` with models trained without it, and choose
    the thresholds on those scores."""
    groups = {e.group for e in examples}
    if len(groups) < MIN_CONFLICTS:
        raise InputError(
            f"training needs reports on at least {MIN_CONFLICTS} conflicts, to hold one out "
            f"while learning from the others; got {len(groups)}: keep the built-in corpus "
            "(leave out --no-builtin) or add gold folders of other conflicts (a store's "
            "reports count by the conflict each is assigned to)"
        )
    rules = rules_reader(codebook)
    log(f"reading {len(examples)} reports")
    readings = t.read_all(examples, rules)
    suggest_rows = t.suggest_rows(examples, readings)
    suggest_rows.extend(t.codebook_rows(codebook))
    dealt = t.group_folds((e.group for e in examples), folds)
    per = t.cross_suggest(examples, suggest_rows, dealt)
    data = t.build_dataset(examples, readings, lambda i: per[i])
    probs = t.held_out(data, dealt, log)
    found = t.positions(data, probs)
    chances = t.held_out_positions(found, dealt)
    limits = t.choose_thresholds(found, chances, min_precision)
    figures = t.score(found, chances, limits)
    return Validation(readings, suggest_rows, dealt, data, found, chances, limits, figures)


def train(
    examples: Sequence[Example],
    codebook: Codebook,
    *,
    folds: int = 5,
    min_precision: float = 0.6,
    log: Callable[[str], None] = lambda _: None,
) -> Trained:
    """Train the five models on ``examples`` and validate them by conflict."""
    checked = validate(examples, codebook, folds=folds, min_precision=min_precision, log=log)
    log("training on everything")
    rows = checked.suggest_rows
    suggest = t.fit_suggest(rows, range(len(rows.rows)))
    # The final models see the issues the final issue model suggests, as they will when
    # extracting; validation above saw those of models trained without each conflict.
    whole = suggester(suggest)
    final = t.build_dataset(examples, checked.readings, lambda _: whole)
    every = {
        kind: t.fit(getattr(final, kind), range(len(getattr(final, kind).rows)))
        for kind in ("stance", "holder", "issue")
    }
    header = {
        "peacetrack": __version__,
        "trained": dt.date.today().isoformat(),
        "reports": len(examples),
        "conflicts": sorted({e.group for e in examples}),
        "held_out": checked.figures.as_dict(),
        "min_precision": min_precision,
    }
    # The position model learns from the held-out probabilities: they are what the final
    # segment models will give on a war they have not seen.
    found = checked.found
    position = t.fit_positions(found, range(len(found.keys)))
    models = Models(
        suggest, every["stance"], every["holder"], every["issue"], position, checked.limits, header
    )
    claims = sum(len(e.claims) for e in examples)
    return Trained(models, checked.figures, checked.folds, len(examples), claims)
