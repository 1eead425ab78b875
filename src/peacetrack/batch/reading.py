"""Reading one shard into documents, through the ingest readers so batch and ingest agree.

Report files go to ``read_source`` as they are (remote ones are copied to a temporary folder
first, keeping their file name, which is the document name). Corpus rows go to the ingest
JSONL/CSV readers; Parquet rows are handed to the JSONL reader as JSON objects, so every
format maps columns to document fields the same way.

A row shard is a slice of its file, but the ingest readers number rows from the start of
what they are given, and default document names (``news-1234``) and failure locations carry
that number. The slice is therefore read under a placeholder origin and stem, and the
numbers are shifted back by the lines that come before the slice.
"""

from __future__ import annotations

import io
import json
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pyarrow.parquet as pq  # type: ignore[import-untyped]

from peacetrack.batch.shards import Shard, is_fsspec_url, open_binary
from peacetrack.errors import InputError
from peacetrack.ingest import Failure, IngestOptions, Source, read_source
from peacetrack.ingest.formats.corpus import read_csv, read_jsonl
from peacetrack.ingest.formats.text import UTF8, looks_binary, sniff_encoding
from peacetrack.model import Document

Items = Iterator[Document | Failure]
RowReader = Callable[[Iterable[str], str, str, IngestOptions], Items]


def read_shard(shard: Shard, options: IngestOptions | None = None) -> Items:
    """The documents of a shard, with unreadable rows or files as failures in line.

    Raises InputError when the shard as a whole cannot be read (a corrupt Parquet file, a
    corpus that is not UTF-8): that is the shard's failure, retried and then reported.
    """
    options = options or IngestOptions()
    if shard.kind == "files":
        for source in shard.sources:
            yield from _read_report(source, options)
    elif shard.format == "parquet":
        yield from _read_parquet(shard, options)
    else:
        yield from _read_text_rows(shard, options)


def _read_report(source: Source, options: IngestOptions) -> Items:
    if not is_fsspec_url(source.location):
        yield from read_source(source, options)
        return
    folder = Path(tempfile.mkdtemp(prefix="peacetrack-batch-"))
    try:
        local = folder / Path(source.location).name
        with open_binary(source.location) as remote, local.open("wb") as copy:
            shutil.copyfileobj(remote, copy)
        copied = Source(str(local), format=source.format, metadata=source.metadata)
        for item in read_source(copied, options):
            yield _relocated(item, str(local), source.location)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _relocated(item: Document | Failure, local: str, remote: str) -> Document | Failure:
    if isinstance(item, Failure):
        return Failure(item.input.replace(local, remote), item.reason.replace(local, remote))
    return item.model_copy(update={"source": remote})


def _read_text_rows(shard: Shard, options: IngestOptions) -> Items:
    with open_binary(shard.location) as handle:
        head = handle.read(8192)
        if looks_binary(head):
            raise InputError(f"{shard.location}: binary content, not a {shard.format} corpus")
        if sniff_encoding(head) != UTF8:  # shards are byte ranges cut at b"\n": UTF-8 only
            raise InputError(
                f"{shard.location}: UTF-16 text; batch reads corpora in UTF-8 only: "
                "convert it, e.g. iconv -f UTF-16 -t UTF-8"
            )
        handle.seek(0)
        header = handle.read(shard.header)
        handle.seek(shard.start)
        body = handle.read(-1 if shard.stop is None else shard.stop - shard.start)
    try:
        text = header.decode("utf-8-sig") + body.decode(
            "utf-8-sig" if shard.start == 0 else "utf-8"
        )
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{shard.location}: not UTF-8 ({exc.reason}) in {shard.label}; "
            "convert it, e.g. iconv -f ENCODING -t UTF-8"
        ) from None
    lines = list(io.StringIO(text, newline=""))
    reader: RowReader = read_csv if shard.format == "csv" else read_jsonl
    yield from _renumbered(reader, lines, shard, options, shard.lines_before - shard.header_lines)


def _read_parquet(shard: Shard, options: IngestOptions) -> Items:
    try:
        with open_binary(shard.location) as handle:
            parquet = pq.ParquetFile(handle)
            stop = parquet.metadata.num_row_groups if shard.stop is None else shard.stop
            rows = parquet.read_row_groups(range(shard.start, stop)).to_pylist()
    except (OSError, ValueError) as exc:
        raise InputError(
            f"{shard.location}: not a readable Parquet file ({exc}); check or re-export it"
        ) from None
    lines = [json.dumps(row, default=str, ensure_ascii=False) + "\n" for row in rows]
    yield from _renumbered(read_jsonl, lines, shard, options, shard.lines_before)


def _renumbered(
    reader: RowReader, lines: list[str], shard: Shard, options: IngestOptions, shift: int
) -> Items:
    """Read under a placeholder origin and stem, then put the real ones back, shifted."""
    mark = f"batch{uuid.uuid4().hex}"
    stem = Path(shard.location.rstrip("/")).stem
    try:
        for item in reader(lines, mark, mark, options):
            yield _restore(item, mark, shard.location, stem, shift)
    except InputError as exc:
        raise InputError(str(exc).replace(mark, shard.location)) from None


def _restore(
    item: Document | Failure, mark: str, origin: str, stem: str, shift: int
) -> Document | Failure:
    def fix(value: str, sep: str, base: str) -> str:
        prefix = f"{mark}{sep}"
        if value.startswith(prefix) and value[len(prefix) :].isdigit():
            return f"{base}{sep}{int(value[len(prefix) :]) + shift}"
        return value

    if isinstance(item, Failure):
        return Failure(fix(item.input, ":", origin), item.reason.replace(mark, origin))
    update = {"name": fix(item.name, "-", stem), "source": fix(item.source or "", ":", origin)}
    return item.model_copy(update=update)
