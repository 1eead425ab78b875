"""JSONL and CSV corpora: one report per row, with its metadata in the other columns.

Rows are read as a stream, so a corpus may be far larger than memory; the size cap applies
to each row rather than to the file, and a row is cut off as soon as it is over, so one
endless line or one unclosed quote never has to fit in memory.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Iterator, Mapping
from typing import TextIO

from peacetrack.errors import InputError
from peacetrack.ingest.base import COLUMNS, Failure, IngestOptions
from peacetrack.ingest.formats import make_document
from peacetrack.ingest.metadata import meta_from_row, pick, pick_value
from peacetrack.model import Document

csv.field_size_limit(sys.maxsize)

#: Room in a raw row for the columns besides the text.
_ROW_SLACK = 65_536
_JSON_KINDS = {bool: "true or false", int: "a number", float: "a number", list: "a list"}


def row_limit(options: IngestOptions) -> int:
    """The most characters one raw row may have: JSON may spell a byte of text in six."""
    return 6 * options.max_bytes + _ROW_SLACK


def capped_lines(handle: TextIO, limit: int) -> Iterator[str]:
    """The lines of ``handle``; one longer than ``limit`` is cut to ``limit + 1`` characters.

    The rest of a cut line is read in chunks and dropped, so a multi-gigabyte line costs no
    more memory than the cap; the reader sees the cut line is too long and says so.
    """
    while line := handle.readline(limit + 1):
        if len(line) > limit and not line.endswith(("\n", "\r")):
            while (rest := handle.readline(limit + 1)) and not rest.endswith(("\n", "\r")):
                pass
        yield line


def read_jsonl(
    lines: Iterable[str], origin: str, stem: str, options: IngestOptions
) -> Iterator[Document | Failure]:
    checked = False
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        row = _json_row(line, options)
        if isinstance(row, str):
            yield Failure(f"{origin}:{number}", row)
            continue
        if not checked:
            _require_text_column(row.keys(), origin, options)
            checked = True
        yield _row_document(row, number, origin, stem, options)


def _json_row(line: str, options: IngestOptions) -> dict[str, object] | str:
    """The JSON object on ``line``, or why there is none."""
    if len(line.rstrip("\r\n")) > row_limit(options):
        return (
            f"row is over {row_limit(options):,} characters, more than the "
            f"{options.max_bytes:,}-byte cap allows (raise it with --max-mb)"
        )
    try:
        row = json.loads(line)
    except RecursionError:
        return "not JSON that can be read (nested too deeply)"
    except ValueError as exc:  # JSONDecodeError, and integers too long to convert
        return f"not JSON ({exc})"
    if not isinstance(row, dict):
        return f"not a JSON object but {type(row).__name__}"
    return row


def read_csv(
    handle: Iterable[str], origin: str, stem: str, options: IngestOptions
) -> Iterator[Document | Failure]:
    lines = _RecordLines(handle, row_limit(options))
    reader = csv.DictReader(lines)
    try:
        _require_text_column(reader.fieldnames or [], origin, options)
        while True:
            number = reader.line_num + 1
            lines.start_record(number)
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield Failure(f"{origin}:{number}", f"bad CSV ({exc})")
                continue
            if lines.ran_out:
                yield Failure(f"{origin}:{number}", _unclosed_quote(number, reader.line_num))
                continue
            yield _row_document(row, number, origin, stem, options)
    except _RowTooLong:
        raise InputError(
            f"{origin}: the row starting on line {lines.first} is over "
            f"{row_limit(options):,} characters, more than the {options.max_bytes:,}-byte cap "
            "allows, or a quote opened there is never closed; the rows before it were read, "
            "none after (close the quote, or raise the cap with --max-mb)"
        ) from None
    except csv.Error as exc:  # only the header line can get here
        raise InputError(f"{origin}: bad CSV header ({exc}); check the first line") from None


def _unclosed_quote(first: int, last: int) -> str:
    return (
        f"a quote in the row starting on this line is never closed, so lines {first}-{last} "
        'were read as one row; close the quote, and double any quote inside a quoted field ("")'
    )


class _RowTooLong(Exception):
    """A CSV record grew past the row limit while the csv module was reading it."""


class _RecordLines:
    """The lines of a CSV file as its reader takes them, watched one record at a time.

    The csv module never says that a file ended inside a quoted field: it returns all that
    followed the quote as one field. It asks for another line within a record only while a
    quote is open, so running out of lines then is that case (``ran_out``). Counting each
    record's characters stops an unclosed quote from pulling a whole file into memory.
    """

    def __init__(self, lines: Iterable[str], limit: int) -> None:
        self._lines = iter(lines)
        self._limit = limit
        self.first = 1
        self.size = 0
        self.taken = 0
        self.ran_out = False

    def __iter__(self) -> _RecordLines:
        return self

    def __next__(self) -> str:
        try:
            line = next(self._lines)
        except StopIteration:
            self.ran_out = self.taken > 0
            raise
        self.taken += 1
        self.size += len(line)
        if self.size > self._limit:
            raise _RowTooLong
        return line

    def start_record(self, line_number: int) -> None:
        self.first = line_number
        self.size = self.taken = 0
        self.ran_out = False


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
    text = pick_value(row, "text", options.column_map) or ""
    if not isinstance(text, str):
        kind = _JSON_KINDS.get(type(text), "an object")
        return Failure(where, f'"text" is {kind}, not a string; put the report text in quotes')
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > options.max_bytes:
        cap = f"{options.max_bytes:,}-byte cap"
        return Failure(where, f"text is {size:,} bytes, over the {cap} (raise it with --max-mb)")
    name = pick(row, "name", options.column_map) or f"{stem}-{number}"
    return make_document(name, text, meta_from_row(row, options.column_map), where)
