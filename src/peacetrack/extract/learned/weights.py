"""A linear model over string features, kept in a file that cannot run code when loaded.

The file is a NumPy ``.npz`` archive read with ``allow_pickle=False``: feature names,
a weight matrix, biases, class names and a JSON header (thresholds, training figures,
where the model came from). Scoring needs only NumPy, which spaCy already brings; training
(``peacetrack.extract.learned.training``) needs scikit-learn.
"""

from __future__ import annotations

import itertools
import json
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from peacetrack.errors import InputError
from peacetrack.extract.learned.trees import KIND, TreeModel

#: The classes the models answer with: "no position here" (every model), the stance's
#: holder and the actor bound to act on it (``holder``), "the stance is on this issue"
#: (``issue``) and "the report states this position" (``position``).
NONE = "none"
HOLDER, OBLIGOR, YES = "holder", "obligor", "yes"
#: The file format: version 2 holds the position model as trees (``trees``); version 3
#: adds the threshold of the positions the rules claim (``Thresholds.ruled``), whose
#: position model learned from them too. A file of an older version is refused with the
#: way to a new one.
FORMAT = "peacetrack-linear/3"
#: Rows summed in one block, so that a training set's rows never need much memory at once.
BLOCK = 256


@dataclass
class LinearModel:
    """Softmax regression: one weight row per known feature, one column per class."""

    features: list[str]
    weights: npt.NDArray[np.float32]
    bias: npt.NDArray[np.float32]
    classes: list[str]
    #: Smallest probability of its best class for a candidate to become a claim, by class.
    thresholds: dict[str, float]
    #: One yes-or-no decision per class (sigmoid), not one class among all (softmax).
    multilabel: bool = False
    #: Free-form facts about the model: its corpus, held-out figures, settings.
    header: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._index = {name: i for i, name in enumerate(self.features)}
        #: The weights with a row of zeros below them, which unknown names and the padding
        #: of short rows point to. The weights are read-only from here on, since scoring
        #: uses this copy: a changed model is a new one (``dataclasses.replace``).
        zeros = np.zeros((1, len(self.classes)), dtype=self.weights.dtype)
        self._padded = np.vstack([self.weights, zeros])
        self.weights = self._padded[:-1]
        self.weights.flags.writeable = False

    def probabilities(self, rows: Sequence[Sequence[str]]) -> npt.NDArray[np.float32]:
        """Class probabilities for each row of feature names (unknown names are ignored).

        All rows are scored at once: each row's weights are summed in its own order, one
        after another, so a row scores exactly the same alone or among others."""
        return self.activated(_sums(self._index, self._padded, rows))

    def activated(self, sums: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """The probabilities of rows whose weights add up to ``sums``, one row each."""
        # In the bias's precision, single from a file, double straight from training.
        out = np.empty((len(sums), len(self.classes)), dtype=self.bias.dtype)
        out[:] = self.bias + sums
        if self.multilabel:
            return np.asarray(1.0 / (1.0 + np.exp(-out)), dtype=np.float32)
        out -= out.max(axis=1, keepdims=True)
        np.exp(out, out=out)
        out /= out.sum(axis=1, keepdims=True)
        return out

    def arrays(self, prefix: str) -> dict[str, npt.NDArray[Any]]:
        """The model as named arrays, for a file that holds several models."""
        settings = {"thresholds": self.thresholds, "multilabel": self.multilabel, **self.header}
        return {
            f"{prefix}/features": np.array(self.features, dtype=np.str_),
            f"{prefix}/weights": self.weights.astype(np.float32),
            f"{prefix}/bias": self.bias.astype(np.float32),
            f"{prefix}/classes": np.array(self.classes, dtype=np.str_),
            f"{prefix}/settings": np.array(json.dumps(settings, sort_keys=True)),
        }

    @classmethod
    def from_arrays(cls, data: Mapping[str, npt.NDArray[Any]], prefix: str) -> LinearModel:
        settings = json.loads(str(data[f"{prefix}/settings"]))
        return cls(
            features=[str(f) for f in data[f"{prefix}/features"]],
            weights=data[f"{prefix}/weights"].astype(np.float32),
            bias=data[f"{prefix}/bias"].astype(np.float32),
            classes=[str(c) for c in data[f"{prefix}/classes"]],
            thresholds={k: float(v) for k, v in settings.pop("thresholds").items()},
            multilabel=bool(settings.pop("multilabel")),
            header=settings,
        )


def _sums(
    index: Mapping[str, int], padded: npt.NDArray[np.float32], rows: Sequence[Sequence[str]]
) -> npt.NDArray[np.float32]:
    """The sum of each row's weights (``padded``: a weight row per name of ``index``, and a
    row of zeros last), ``BLOCK`` rows at a time."""
    out = np.empty((len(rows), padded.shape[1]), dtype=padded.dtype)
    for at in range(0, len(rows), BLOCK):
        out[at : at + BLOCK] = _block_sums(index, padded, rows[at : at + BLOCK])
    return out


def _block_sums(
    index: Mapping[str, int], padded: npt.NDArray[np.float32], rows: Sequence[Sequence[str]]
) -> npt.NDArray[np.float32]:
    """The sum of each row's weights: a (width, rows, classes) block of weights (a name's
    row, or zeros past a row's end) added up along its first axis, which NumPy does one
    step of the width at a time for all rows together."""
    unknown = len(padded) - 1
    lengths = np.fromiter(map(len, rows), dtype=np.intp, count=len(rows))
    width = int(lengths.max(initial=0))
    at = np.full((width, len(rows)), unknown, dtype=np.intp)
    names = itertools.chain.from_iterable(rows)
    # Straight into an array: NumPy converting a list of the numbers costs more.
    flat = np.fromiter(
        map(index.get, names, itertools.repeat(unknown)), dtype=np.intp, count=int(lengths.sum())
    )
    at.T[np.arange(width) < lengths[:, None]] = flat
    # ``take`` gathers the same rows as ``padded[at]`` for fewer instructions.
    summed: npt.NDArray[np.float32] = padded.take(at, axis=0).sum(axis=0)
    return summed


class Together:
    """Linear models that read the same rows (the issue-suggestion and the stance model
    both read a segment's shared features), scored with one lookup per name for all.

    Their weights sit side by side in one table over all their names (zeros where a model
    lacks one): each column is still summed in each row's order, and a column's sum does
    not depend on the columns beside it, so each model's probabilities are bit for bit
    its own."""

    def __init__(self, *models: LinearModel) -> None:
        dtypes = {m.weights.dtype for m in models}
        if len(dtypes) != 1:
            raise ValueError(f"models scored together need one precision, not {dtypes}")
        self.models = models
        names = dict.fromkeys(itertools.chain.from_iterable(m.features for m in models))
        self._index = {name: i for i, name in enumerate(names)}
        widths = np.cumsum([0, *(len(m.classes) for m in models)]).tolist()
        self._columns = list(itertools.pairwise(widths))
        self._padded = np.zeros((len(names) + 1, widths[-1]), dtype=dtypes.pop())
        for model, (first, last) in zip(models, self._columns, strict=True):
            rows = [self._index[name] for name in model.features]
            self._padded[rows, first:last] = model.weights

    def probabilities(self, rows: Sequence[Sequence[str]]) -> list[npt.NDArray[np.float32]]:
        """Each model's class probabilities for the rows, in the order of the models."""
        sums = _sums(self._index, self._padded, rows)
        return [
            model.activated(sums[:, first:last])
            for model, (first, last) in zip(self.models, self._columns, strict=True)
        ]


#: A model a file may hold.
AnyModel = LinearModel | TreeModel


def save_models(path: Path, models: Mapping[str, AnyModel], header: Mapping[str, Any]) -> None:
    """Write named models and a JSON header to one compressed file of arrays."""
    arrays: dict[str, npt.NDArray[Any]] = {
        "header": np.array(json.dumps({"format": FORMAT, **header}, sort_keys=True))
    }
    for name, model in models.items():
        arrays.update(model.arrays(name))
    write: Any = np.savez_compressed  # its stubs take the keyword arrays for options
    with path.open("wb") as handle:
        write(handle, **arrays)


def load_models(path: Path, names: Sequence[str]) -> tuple[dict[str, AnyModel], dict[str, Any]]:
    """The named models and the header of a file written by ``save_models``; any other
    file is refused with its name and how to make a good one."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            data = {key: archive[key] for key in archive.files}
        header: dict[str, Any] = json.loads(str(data["header"]))
        if header.get("format") != FORMAT:
            raise ValueError(f"format {header.get('format')!r}, expected {FORMAT}")
        return {name: _model(data, name) for name in names}, header
    except (OSError, EOFError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise InputError(
            f"{path}: not a PeaceTrack model file ({exc}); write one with `peacetrack train`"
        ) from None


def _model(data: Mapping[str, npt.NDArray[Any]], prefix: str) -> AnyModel:
    """The model stored under ``prefix``, linear or trees as its settings say."""
    settings = json.loads(str(data[f"{prefix}/settings"]))
    if settings.get("kind") == KIND:
        return TreeModel.from_arrays(data, prefix)
    return LinearModel.from_arrays(data, prefix)
