"""JSONL and CSV corpora: one report per row, with its metadata in the other columns.

Rows are read as a stream, so a corpus may be far larger than memory; the size cap applies
to each row's text rather than to the file.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Iterator, Mapping

from peacetrack.errors import InputError
from peacetrack.ingest.base import COLUMNS, Failure, IngestOptions
from peacetrack.ingest.formats import make_document
from peacetrack.ingest.metadata import meta_from_row, pick
from peacetrack.model import Document

csv.field_size_limit(sys.maxsize)


def read_jsonl(
    lines: Iterable[str], origin: str, stem: str, options: IngestOptions
) -> Iterator[Document | Failure]:
    checked = False
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Failure(f"{origin}:{number}", f"not JSON ({exc})")
            continue
        if not isinstance(row, dict):
            yield Failure(f"{origin}:{number}", f"not a JSON object but {type(row).__name__}")
            continue
        if not checked:
            _require_text_column(row.keys(), origin, options)
            checked = True
        yield _row_document(row, number, origin, stem, options)


def read_csv(
    handle: Iterable[str], origin: str, stem: str, options: IngestOptions
) -> Iterator[Document | Failure]:
    reader = csv.DictReader(handle)
    _require_text_column(reader.fieldnames or [], origin, options)
    while True:
        number = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Failure(f"{origin}:{number}", f"bad CSV ({exc})")
            continue
        yield _row_document(row, number, origin, stem, options)


def _require_text_column(columns: Iterable[str], origin: str, options: IngestOptions) -> None:
    """A corpus without the text column fails once, not once per row."""
    wanted = [options.column_map["text"]] if "text" in options.column_map else []
    wanted += list(COLUMNS["text"])
    present = {str(c).strip().lower() for c in columns if c is not None}
    if present & {w.lower() for w in wanted}:
        return
    if {"doc", "claims"} <= present:
        raise InputError(f"{origin}: a claims file (doc, claims), not a corpus of reports")
    raise InputError(
        f"{origin}: no text column (looked for {', '.join(wanted)}); "
        "name yours with a column map, e.g. text=article_body"
    )


def _row_document(
    row: Mapping[str, object], number: int, origin: str, stem: str, options: IngestOptions
) -> Document | Failure:
    where = f"{origin}:{number}"
    text = pick(row, "text", options.column_map) or ""
    size = len(text.encode("utf-8"))
    if size > options.max_bytes:
        cap = f"{options.max_bytes:,}-byte cap"
        return Failure(where, f"text is {size:,} bytes, over the {cap} (raise it with --max-mb)")
    name = pick(row, "name", options.column_map) or f"{stem}-{number}"
    return make_document(name, text, meta_from_row(row, options.column_map), where)
