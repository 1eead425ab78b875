"""Batch extraction on Dask: whole archives in resumable shards, written as Parquet.

Needs the optional ``dask`` extra (``pip install 'peacetrack[dask]'``). ``run_batch`` runs
the shards, ``read_batch_claims`` reads the result as guideline records, ``load_batch``
puts it into a store.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from peacetrack.errors import MissingExtra

if TYPE_CHECKING:
    from peacetrack.batch.load import LoadSummary, load_batch, read_batch_claims
    from peacetrack.batch.runner import BatchSummary, run_batch

__all__ = [
    "BatchSummary",
    "LoadSummary",
    "load_batch",
    "read_batch_claims",
    "run_batch",
]

_HOMES = {
    "BatchSummary": "peacetrack.batch.runner",
    "run_batch": "peacetrack.batch.runner",
    "LoadSummary": "peacetrack.batch.load",
    "load_batch": "peacetrack.batch.load",
    "read_batch_claims": "peacetrack.batch.load",
}


def __getattr__(name: str) -> Any:
    """Import on first use, so a missing extra is one clear error, not an ImportError."""
    if name not in _HOMES:
        raise AttributeError(f"module 'peacetrack.batch' has no attribute {name!r}")
    from importlib import import_module

    try:
        module = import_module(_HOMES[name])
    except ImportError as exc:
        raise MissingExtra("dask", "batch extraction") from exc
    return getattr(module, name)
