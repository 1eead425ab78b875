"""The output folder: partitioned Parquet files, the manifest of finished shards, settings.

Layout::

    OUT/_batch.json                              settings the shard ids depend on
    OUT/_manifest.jsonl                          one line per finished shard
    OUT/documents/shard=<id>/part.parquet
    OUT/claims/shard=<id>/part.parquet

A shard's files are written under a unique temporary name and renamed into place, so a
worker killed mid-write leaves no half file, and a task Dask runs twice (after a worker
death) leaves one copy. The manifest is the commit record: a shard counts as done only when
its line is there and both files exist. Lines are appended with a single ``write`` on an
``O_APPEND`` descriptor, so concurrent or interrupted runs never interleave half lines.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from peacetrack.errors import InputError
from peacetrack.files import write_text_atomic

MANIFEST = "_manifest.jsonl"
SETTINGS = "_batch.json"
TABLES = ("documents", "claims")
PART = "part.parquet"


@dataclass(frozen=True)
class ShardRecord:
    """A manifest line: what a finished shard held."""

    shard: str
    label: str
    documents: int
    claims: int
    failures: int
    seconds: float
    #: Where the shard read: its input and span (byte offsets of JSONL and CSV rows), so a
    #: later run over a grown file cuts its shards at the same places (``ShardSize.cuts``).
    location: str = ""
    start: int = 0
    stop: int | None = None


def part_path(out: Path, table: str, shard: str) -> Path:
    return out / table / f"shard={shard}" / PART


def write_part(out: Path, table_name: str, shard: str, data: pa.Table) -> None:
    path = part_path(out, table_name, shard)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{PART}.{uuid.uuid4().hex}.tmp")
    try:
        pq.write_table(data, tmp)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def clear_temporaries(out: Path, shard: str) -> None:
    """Remove what killed writers left behind, before the shard runs again."""
    for table_name in TABLES:
        for stale in part_path(out, table_name, shard).parent.glob(f".{PART}.*.tmp"):
            stale.unlink(missing_ok=True)


def read_part(out: Path, table_name: str, shard: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = pq.read_table(part_path(out, table_name, shard)).to_pylist()
    return rows


def append_manifest(out: Path, record: ShardRecord) -> None:
    line = (json.dumps(asdict(record), ensure_ascii=False) + "\n").encode("utf-8")
    fd = os.open(out / MANIFEST, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)


def finished_shards(out: Path) -> dict[str, ShardRecord]:
    """Shards in the manifest whose files are all there; a torn last line is ignored."""
    path = out / MANIFEST
    if not path.exists():
        return {}
    done: dict[str, ShardRecord] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = ShardRecord(**json.loads(line))
        except (ValueError, TypeError):
            continue
        if all(part_path(out, t, record.shard).exists() for t in TABLES):
            done[record.shard] = record
    return done


def finished_cuts(done: Mapping[str, ShardRecord]) -> dict[str, frozenset[int]]:
    """Per input, the offsets where the finished shards of JSONL and CSV rows ended."""
    cuts: dict[str, set[int]] = {}
    for record in done.values():
        if record.location and record.stop is not None:
            cuts.setdefault(record.location, set()).add(record.stop)
    return {location: frozenset(offsets) for location, offsets in cuts.items()}


def check_settings(out: Path, settings: dict[str, Any]) -> None:
    """Refuse to mix runs whose shards would differ: their outputs would overlap."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / SETTINGS
    if path.exists():
        before = json.loads(path.read_text(encoding="utf-8"))
        if before != settings:
            raise InputError(
                f"{out} holds a batch run with {before}, not {settings}; "
                "re-run with the same settings to resume, or give a new --out folder"
            )
        return
    write_text_atomic(path, json.dumps(settings, sort_keys=True))


def read_settings(out: Path) -> dict[str, Any]:
    path = out / SETTINGS
    if not path.exists():
        raise InputError(f"{out}: not a batch output folder (no {SETTINGS}); run peacetrack batch")
    settings: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return settings
