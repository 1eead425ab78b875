"""Turning inputs into shards: units of work small enough to retry, stable enough to resume.

A shard is a byte range of a JSONL/CSV corpus, a run of row groups of a Parquet file, or a
run of report files from a folder. Its id comes from where it is and what range it covers,
so a re-run over the same inputs with the same shard size finds the same ids in the
manifest. Planning reads corpora once to find row boundaries (far cheaper than extracting)
but never reads report files.

Inputs are local paths, http(s) URLs of single reports (fetched by the ingest readers) or
fsspec URLs (``s3://bucket/news.jsonl``, ``memory://corpus/``); fsspec URLs must be
reachable from every worker, so ``memory://`` only works in a local run (whose workers are
the driver itself, or processes forked from it that see its memory as it was then).
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

import fsspec  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from peacetrack.errors import InputError
from peacetrack.ingest import IngestOptions, Source, expand_sources
from peacetrack.ingest.base import EXTENSIONS
from peacetrack.ingest.metadata import SIDECAR, slug
from peacetrack.ingest.sources import is_url

#: Formats read row by row, so a large file can be split into several shards.
ROW_FORMATS = {".jsonl": "jsonl", ".csv": "csv", ".parquet": "parquet"}


@dataclass(frozen=True, eq=False)
class Shard:
    """One unit of work. Row shards: ``start``/``stop`` are byte offsets (JSONL, CSV) or row
    group indexes (Parquet), and ``lines_before`` is how many lines (rows for Parquet) come
    before ``start``, so default document names (``news-1234``) match a whole-file read.
    CSV shards re-read the header, ``header`` bytes holding ``header_lines`` lines.
    ``rows``: the documents it holds (rows, or report files), for sizing shards.
    """

    id: str
    label: str
    kind: Literal["rows", "files"]
    location: str
    format: str = "files"
    start: int = 0
    stop: int | None = None
    lines_before: int = 0
    header: int = 0
    header_lines: int = 0
    sources: tuple[Source, ...] = field(default=())
    rows: int = 0


@dataclass(frozen=True)
class ShardSize:
    """How shards are cut: ``documents`` rows or files at most, and for JSONL/CSV corpora
    at most ``bytes`` of input too (None: no byte limit), so a shard of long reports does not
    hold far more text, hence memory and time, than one of short ones. ``cuts``: per JSONL
    or CSV file, the byte offsets where a finished run's shards ended, cut there again so
    those shards keep their ids when rows were added to the file since."""

    documents: int
    bytes: int | None = None
    cuts: Mapping[str, frozenset[int]] = field(default_factory=dict, compare=False)

    def settings(self) -> dict[str, int]:
        """As recorded in the output folder: shard ids depend on both."""
        return {"shard_size": self.documents} | ({"shard_bytes": self.bytes} if self.bytes else {})


#: Automatic sizing: about this many shards for the whole input, so that the last ones
#: finish close together on any small cluster (a worker that runs out of shards idles for
#: about half a shard at the end) ...
TARGET_SHARDS = 32
#: ... but no fewer documents per shard than this, so the fixed cost of a shard (a task's
#: round trip, two Parquet files, a manifest line: about 15 ms) stays near 1% of its work,
#: and no more than this, so that a retry is cheap and progress moves.
MIN_SHARD_DOCUMENTS, MAX_SHARD_DOCUMENTS = 50, 1000
#: Input bytes per JSONL/CSV shard at most, whatever the count: a worker holds a shard's
#: documents and claims until it writes them.
MAX_SHARD_BYTES = 32 * 2**20


def size_for(inputs: Sequence[str | Path]) -> ShardSize:
    """Shard size for the work in ``inputs``: its documents over ``TARGET_SHARDS``, within
    the bounds above. Counting reads the corpora once more (as planning does), far cheaper
    than extracting them."""
    documents = sum(s.rows for s in plan_shards(inputs, ShardSize(2**62)))
    per_shard = -(-documents // TARGET_SHARDS)
    return ShardSize(max(MIN_SHARD_DOCUMENTS, min(MAX_SHARD_DOCUMENTS, per_shard)), MAX_SHARD_BYTES)


def is_fsspec_url(value: str) -> bool:
    return "://" in value and not is_url(value)


def open_binary(location: str) -> IO[bytes]:
    """A local path or fsspec URL opened for reading bytes (seekable)."""
    if is_fsspec_url(location):
        opened: IO[bytes] = fsspec.open(location, "rb").open()
        return opened
    return Path(location).open("rb")


def plan_shards(inputs: Sequence[str | Path], shard_size: int | ShardSize) -> list[Shard]:
    """Every input's shards, in input order; report files are grouped ``shard_size`` at a time."""
    if isinstance(shard_size, int):
        shard_size = ShardSize(shard_size)
    if shard_size.documents < 1:
        raise InputError(f"shard size must be at least 1, not {shard_size.documents}")
    shards: list[Shard] = []
    for given in inputs:
        text = str(given)
        if is_fsspec_url(text):
            shards.extend(_remote_shards(text, shard_size))
        elif is_url(text):
            shards.extend(_file_shards(text, [Source(text, kind="url")], shard_size))
        else:
            shards.extend(_local_shards(Path(text), shard_size))
    return shards


def _local_shards(path: Path, shard_size: ShardSize) -> list[Shard]:
    if not path.exists():
        raise InputError(f"{path}: no such file or folder; check the path")
    path = path.resolve()
    if path.is_file() and path.suffix.lower() in ROW_FORMATS:
        return _row_shards(str(path), ROW_FORMATS[path.suffix.lower()], shard_size)
    shards: list[Shard] = []
    reports: list[Source] = []
    for source in expand_sources([path], IngestOptions()):
        suffix = source.path.suffix.lower()
        if suffix in ROW_FORMATS and path.is_dir():
            shards.extend(_row_shards(source.location, ROW_FORMATS[suffix], shard_size))
        elif not source.skip:
            reports.append(source)
    return shards + _file_shards(str(path), reports, shard_size)


def _remote_shards(url: str, shard_size: ShardSize) -> list[Shard]:
    fs, root = fsspec.core.url_to_fs(url)
    if not fs.exists(root):
        raise InputError(f"{url}: no such file or folder; check the URL")
    suffix = Path(root).suffix.lower()
    if fs.isdir(root):
        return _remote_folder_shards(url, fs, root, shard_size)
    if suffix in ROW_FORMATS:
        return _row_shards(url, ROW_FORMATS[suffix], shard_size)
    return _file_shards(url, [Source(url, format=EXTENSIONS.get(suffix))], shard_size)


def _remote_folder_shards(url: str, fs: Any, root: str, shard_size: ShardSize) -> list[Shard]:
    """Like a local folder: known file types only, hidden files and sidecars left out
    (sidecar metadata is not applied to remote files)."""
    shards: list[Shard] = []
    reports: list[Source] = []
    for name in sorted(fs.find(root)):
        item, base = fs.unstrip_protocol(name), Path(name).name
        suffix = Path(base).suffix.lower()
        if base.startswith(".") or base.lower() == SIDECAR:
            continue
        if suffix in ROW_FORMATS:
            shards.extend(_row_shards(item, ROW_FORMATS[suffix], shard_size))
        elif suffix in EXTENSIONS:
            reports.append(Source(item, format=EXTENSIONS[suffix]))
    return shards + _file_shards(url, reports, shard_size)


def _file_shards(where: str, reports: list[Source], shard_size: ShardSize) -> list[Shard]:
    shards = []
    for at in range(0, len(reports), shard_size.documents):
        group = tuple(reports[at : at + shard_size.documents])
        key = "|".join(s.location for s in group)
        label = f"{where} files {at + 1}-{at + len(group)}"
        if len(reports) == 1:
            label = group[0].location
        shard_id = _shard_id(where, key)
        shards.append(Shard(shard_id, label, "files", where, sources=group, rows=len(group)))
    return shards


def _row_shards(location: str, fmt: str, shard_size: ShardSize) -> list[Shard]:
    """Shards of ``shard_size`` rows; an unreadable file is one shard, so its error is reported
    by the worker like any other failed shard instead of stopping the whole plan."""
    try:
        with open_binary(location) as handle:
            if fmt == "parquet":
                return _parquet_shards(location, handle, shard_size)
            return _text_row_shards(location, fmt, handle, shard_size)
    except (OSError, ValueError, csv.Error) as exc:
        key = f"{fmt}|whole|{type(exc).__name__}"
        return [Shard(_shard_id(location, key), location, "rows", location, fmt)]


def _parquet_shards(location: str, handle: IO[bytes], shard_size: ShardSize) -> list[Shard]:
    """Whole row groups per shard: Parquet reads by row group, so splitting one saves nothing."""
    meta = pq.ParquetFile(handle).metadata
    shards: list[Shard] = []
    first, rows, before = 0, 0, 0
    for group in range(meta.num_row_groups):
        rows += meta.row_group(group).num_rows
        if rows >= shard_size.documents or group == meta.num_row_groups - 1:
            shards.append(_row_shard(location, "parquet", (first, group + 1), before, rows))
            first, before, rows = group + 1, before + rows, 0
    return shards


def _text_row_shards(
    location: str, fmt: str, handle: IO[bytes], shard_size: ShardSize
) -> list[Shard]:
    lines = _Lines(handle)
    header = (0, 0)
    if fmt == "csv":
        reader = csv.DictReader(lines)
        _ = reader.fieldnames
        header = (lines.offset, reader.line_num)
        rows = _csv_record_ends(reader, lines)
    else:
        rows = ((lines.offset, lines.count) for line in lines if line.strip())
    shards: list[Shard] = []
    (start, before), count = header, 0
    limit = shard_size.bytes or 2**62
    cuts = shard_size.cuts.get(location, frozenset())
    for offset, lines_read in rows:
        count += 1
        full = count >= shard_size.documents or offset - start >= limit or offset in cuts
        if full and lines.at_boundary:
            shards.append(_row_shard(location, fmt, (start, offset), before, count, header))
            start, before, count = offset, lines_read, 0
    if count or not shards:
        # Ends where the file ends now, not "at the end": rows appended later make shards of
        # their own on the next run, and this one keeps its id (done, so skipped).
        shards.append(_row_shard(location, fmt, (start, lines.offset), before, count, header))
    return shards


def _csv_record_ends(reader: csv.DictReader[str], lines: _Lines) -> Iterator[tuple[int, int]]:
    """After each CSV record: the byte offset and line count where the next one begins.

    Only records the reader did not reach by skipping blank lines are offered as cut points:
    after such a skip ``DictReader.line_num`` lags behind, and the ingest reader's row numbers
    (hence default document names) depend on that lag, which a fresh reader could not repeat.
    """
    for _ in reader:
        if reader.line_num == reader.reader.line_num:
            yield lines.offset, lines.count


def _row_shard(
    location: str,
    fmt: str,
    span: tuple[int, int | None],
    before: int,
    rows: int,
    header: tuple[int, int] = (0, 0),
) -> Shard:
    start, stop = span
    unit = "row groups" if fmt == "parquet" else "bytes"
    label = f"{location} {unit} {start}-{'end' if stop is None else stop} ({rows} rows)"
    shard_id = _shard_id(location, f"{fmt}|{start}|{stop}")
    return Shard(shard_id, label, "rows", location, fmt, start, stop, before, *header, rows=rows)


def _shard_id(location: str, key: str) -> str:
    """Readable and filesystem-safe: the input's name, then a digest of where and what range."""
    digest = hashlib.sha1(f"{location}|{key}".encode()).hexdigest()[:12]
    name = slug(Path(location.rstrip("/")).name, limit=40) or "input"
    return f"{name}-{digest}"


class _Lines:
    """Text lines of a binary file, split as ``open(newline="")`` would, with byte offsets.

    ``offset`` and ``count`` describe the position after the last line handed out;
    ``at_boundary`` says whether that position is a line start in the underlying bytes too
    (a file with bare CR line ends is one byte line holding many text lines).
    """

    def __init__(self, handle: IO[bytes]) -> None:
        self._handle = handle
        self.offset = 0
        self.count = 0
        self.at_boundary = True

    def __iter__(self) -> Iterator[str]:
        for raw in self._handle:
            text = raw.decode("utf-8-sig" if self.offset == 0 else "utf-8")
            parts = list(io.StringIO(text, newline=""))
            for index, part in enumerate(parts):
                self.count += 1
                self.at_boundary = index == len(parts) - 1
                if self.at_boundary:
                    self.offset += len(raw)
                yield part
