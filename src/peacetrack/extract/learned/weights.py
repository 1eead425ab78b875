"""A linear model over string features, kept in a file that cannot run code when loaded.

The file is a NumPy ``.npz`` archive read with ``allow_pickle=False``: feature names,
a weight matrix, biases, class names and a JSON header (thresholds, training figures,
where the model came from). Scoring needs only NumPy, which spaCy already brings; training
(``peacetrack.extract.learned.training``) needs scikit-learn.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from peacetrack.errors import InputError

#: The class that means "no position here".
NONE = "none"
FORMAT = "peacetrack-linear/1"


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

    def probabilities(self, rows: Sequence[Sequence[str]]) -> npt.NDArray[np.float32]:
        """Class probabilities for each row of feature names (unknown names are ignored)."""
        index = self._index
        out = np.tile(self.bias, (len(rows), 1))
        for r, row in enumerate(rows):
            known = [index[f] for f in row if f in index]
            if known:
                out[r] += self.weights[known].sum(axis=0)
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


def save_models(path: Path, models: Mapping[str, LinearModel], header: Mapping[str, Any]) -> None:
    """Write named models and a JSON header to one compressed file of arrays."""
    arrays: dict[str, npt.NDArray[Any]] = {
        "header": np.array(json.dumps({"format": FORMAT, **header}, sort_keys=True))
    }
    for name, model in models.items():
        arrays.update(model.arrays(name))
    write: Any = np.savez_compressed  # its stubs take the keyword arrays for options
    with path.open("wb") as handle:
        write(handle, **arrays)


def load_models(path: Path, names: Sequence[str]) -> tuple[dict[str, LinearModel], dict[str, Any]]:
    """The named models and the header of a file written by ``save_models``; any other
    file is refused with its name and how to make a good one."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            data = {key: archive[key] for key in archive.files}
        header: dict[str, Any] = json.loads(str(data["header"]))
        if header.get("format") != FORMAT:
            raise ValueError(f"format {header.get('format')!r}, expected {FORMAT}")
        return {name: LinearModel.from_arrays(data, name) for name in names}, header
    except (OSError, EOFError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise InputError(
            f"{path}: not a PeaceTrack model file ({exc}); write one with `peacetrack train`"
        ) from None
