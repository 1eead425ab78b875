"""Claims, matrices, diffs and timelines written to files others can open.

Claims round-trip: ``read_claims_export`` gives back exactly the ``StoredClaim`` objects
that ``export_claims`` wrote (CSV, JSON Lines, JSON, Parquet), so an export can be edited
in a spreadsheet or notebook and read again. In CSV, list and object fields are JSON text
and an empty cell is "not given"; Parquet keeps them as typed lists and structs.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from itertools import islice
from pathlib import Path
from typing import Any, Literal

from peacetrack.codebook import default_codebook
from peacetrack.compare.diff import Diff
from peacetrack.compare.extras import require
from peacetrack.compare.matrix import Matrix
from peacetrack.compare.render import (
    csv_lines,
    json_array,
    json_line,
    md_lines,
    md_table,
    records_csv,
    records_json,
)
from peacetrack.errors import InputError
from peacetrack.files import atomic_path, write_text_atomic
from peacetrack.model import Attribution, Claim, Recognition
from peacetrack.source import PROVENANCE
from peacetrack.store import StoredClaim

ClaimFormat = Literal["csv", "jsonl", "json", "md", "parquet"]
ViewFormat = Literal["csv", "json", "md", "parquet"]

_INT = ("id", "document_id", "start", "end")
#: Records per Parquet row group when writing: a chunk's memory, not the export's.
PARQUET_ROWS = 10_000
#: Where a claim lies and what produced it: kept by exports, restored on import.
_PROVENANCE = ("evidence", *PROVENANCE)
_JSON = ("actors", "obligor", "territories", "conditions", "recognition_by")
COLUMNS = (
    "id", "document_id", "document_name", "status", "outlet", "published", "url",
    "actors", "stance", "issue", "conflict", "obligor", "territories", "conditions",
    "recognition_by", "recognition_type", "proposal", "proposal_name", "attribution_source",
    "attribution_anonymous", "evidence", "start", "end", "extractor", "model", "prompt_hash",
    "confidence",
)  # fmt: skip


def claim_record(stored: StoredClaim) -> dict[str, Any]:
    """A stored claim as one flat record (the columns of every claims export)."""
    claim = stored.claim
    conditions = claim.conditions
    return {
        "id": stored.id,
        "document_id": stored.document_id,
        "document_name": stored.document_name,
        "status": stored.status,
        "outlet": stored.outlet,
        "published": stored.published,
        "url": stored.url,
        "actors": list(claim.actors),
        "stance": claim.stance.value,
        "issue": claim.issue,
        "conflict": stored.conflict,
        "obligor": claim.obligor,
        "territories": claim.territories,
        "conditions": None if conditions is None else [c.model_dump() for c in conditions],
        "recognition_by": claim.recognition.by if claim.recognition else None,
        "recognition_type": claim.recognition.type if claim.recognition else None,
        "proposal": claim.proposal,
        "proposal_name": stored.proposal_name,
        "attribution_source": claim.attribution.source if claim.attribution else None,
        "attribution_anonymous": claim.attribution.anonymous if claim.attribution else None,
        "evidence": claim.evidence,
        "start": claim.start,
        "end": claim.end,
        "extractor": claim.extractor,
        "model": claim.model,
        "prompt_hash": claim.prompt_hash,
        "confidence": claim.confidence,
    }


def claim_from_record(record: dict[str, Any]) -> StoredClaim:
    """The inverse of ``claim_record``; the claim is validated like any input (its issue
    code against the codebook in force)."""
    recognition = None
    if record.get("recognition_type"):
        recognition = Recognition(by=record["recognition_by"], type=record["recognition_type"])
    attribution = None
    if record.get("attribution_anonymous") is not None:
        attribution = Attribution(
            source=record.get("attribution_source"), anonymous=record["attribution_anonymous"]
        )
    fields = ("actors", "stance", "issue", "obligor", "territories", "conditions", "proposal")
    claim = Claim.model_validate(
        {name: record.get(name) for name in fields}
        | {"recognition": recognition, "attribution": attribution}
        | {name: record.get(name) for name in _PROVENANCE},
        context=default_codebook().claim_context(),
    )
    published = record.get("published")
    return StoredClaim(
        id=int(record["id"]),
        document_id=int(record["document_id"]),
        document_name=record["document_name"],
        claim=claim,
        status=record["status"],
        outlet=record.get("outlet"),
        published=date.fromisoformat(published) if isinstance(published, str) else published,
        url=record.get("url"),
        proposal_name=record.get("proposal_name"),
        conflict=record.get("conflict") or None,
    )


def export_claims(claims: Iterable[StoredClaim], path: Path, fmt: ClaimFormat | None = None) -> int:
    """Write ``claims`` to ``path`` (format from ``fmt`` or the suffix) as they come, so an
    export of any size needs the memory of one chunk; returns the count."""
    fmt = fmt or _format_of(path, ("csv", "jsonl", "json", "md", "parquet"))
    counted = _Counted(claims)
    if fmt == "parquet":
        _write_parquet(map(claim_record, counted), path, _claims_schema())
    else:
        with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8", newline="") as out:
            out.writelines(claim_text(counted, fmt))
    return counted.count


def render_claims(claims: Iterable[StoredClaim], fmt: ClaimFormat) -> str:
    """Claims as csv, jsonl, json or Markdown text (Parquet is binary: use export_claims)."""
    return "".join(claim_text(claims, fmt))


def claim_text(claims: Iterable[StoredClaim], fmt: ClaimFormat) -> Iterator[str]:
    """``render_claims`` a piece at a time (a line, a record), as the claims are read."""
    records = map(claim_record, claims)
    if fmt == "jsonl":
        return (json_line(r) + "\n" for r in records)
    if fmt == "md":
        shown = ("id", "document_name", "published", "actors", "stance", "issue", "evidence")
        return md_lines(shown, ([_text(r[c]) for c in shown] for r in records))
    if fmt == "csv":
        return csv_lines(records, COLUMNS)
    if fmt == "json":
        return json_array(records)
    raise InputError(f"claims cannot be rendered as {fmt!r} text; write parquet to a file")


class _Counted(Iterator[StoredClaim]):
    """The claims passed through, counted on the way."""

    def __init__(self, claims: Iterable[StoredClaim]) -> None:
        self._claims = iter(claims)
        self.count = 0

    def __next__(self) -> StoredClaim:
        claim = next(self._claims)
        self.count += 1
        return claim


def read_claims_export(path: Path, fmt: ClaimFormat | None = None) -> list[StoredClaim]:
    """Read back a claims export written by ``export_claims``."""
    fmt = fmt or _format_of(path, ("csv", "jsonl", "json", "parquet"))
    if not path.is_file():
        raise InputError(f"{path}: no such file; give the path of a claims export")
    if fmt == "parquet":
        records = _read_parquet(path)
    elif fmt == "csv":
        with path.open(encoding="utf-8", newline="") as handle:
            records = [_from_csv(row) for row in csv.DictReader(handle)]
    elif fmt == "jsonl":
        text = path.read_text(encoding="utf-8").splitlines()
        records = [json.loads(line) for line in text if line.strip()]
    elif fmt == "json":
        records = json.loads(path.read_text(encoding="utf-8"))
    else:
        raise InputError(f"{path}: Markdown exports are for reading by people; export as csv")
    try:
        return [claim_from_record(r) for r in records]
    except (KeyError, ValueError) as exc:
        raise InputError(f"{path}: not a PeaceTrack claims export ({exc})") from None


def export_matrix(m: Matrix, path: Path, fmt: ViewFormat | None = None) -> int:
    """Write the matrix's cells (one record each); returns how many."""
    return _export_view(m.to_records(), path, fmt)


def export_diff(d: Diff, path: Path, fmt: ViewFormat | None = None) -> int:
    """Write the diff (one record per issue); returns how many."""
    return _export_view(d.to_records(), path, fmt)


def claims_to_pandas(claims: Sequence[StoredClaim]) -> Any:
    """Claims as a pandas DataFrame, one column per export column (needs ``parquet``)."""
    pandas = require("pandas", "parquet", "claims as a data frame")
    return pandas.DataFrame.from_records([claim_record(s) for s in claims], columns=COLUMNS)


def _export_view(records: list[dict[str, Any]], path: Path, fmt: ViewFormat | None) -> int:
    fmt = fmt or _format_of(path, ("csv", "json", "md", "parquet"))
    if fmt == "parquet":
        _write_parquet(records, path, None)
    elif fmt == "md":
        header = list(records[0]) if records else []
        write_text_atomic(path, md_table(header, [[_text(v) for v in r.values()] for r in records]))
    else:
        _write_views(records, path, fmt, tuple(records[0]) if records else ())
    return len(records)


def _write_views(
    records: list[dict[str, Any]], path: Path, fmt: str, columns: Sequence[str]
) -> None:
    body = records_csv(records, columns) if fmt == "csv" else records_json(records)
    write_text_atomic(path, body)


def _format_of(path: Path, allowed: Sequence[str]) -> Any:
    fmt = path.suffix.lstrip(".").lower()
    if fmt not in allowed:
        raise InputError(
            f"{path}: cannot tell the format from the suffix; use one of "
            + ", ".join(f".{a}" for a in allowed)
        )
    return fmt


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _from_csv(row: dict[str, str]) -> dict[str, Any]:
    """CSV cells back to typed values: empty is None, JSON columns parsed, numbers read."""
    record: dict[str, Any] = {}
    for name, text in row.items():
        if text == "":
            record[name] = None
        elif name in _JSON:
            record[name] = json.loads(text)
        elif name in _INT:
            record[name] = int(text)
        elif name == "attribution_anonymous":
            record[name] = text.lower() == "true"
        elif name == "confidence":
            record[name] = float(text)
        else:
            record[name] = text
    return record


def _pyarrow() -> Any:
    """pyarrow with its parquet module loaded (``pa.parquet`` is not imported by default)."""
    require("pyarrow.parquet", "parquet", "Parquet files")
    return require("pyarrow", "parquet", "Parquet files")


def _claims_schema() -> Any:
    pa = _pyarrow()
    text, strings = pa.string(), pa.list_(pa.string())
    condition = pa.struct([("relation", text), ("issue", text)])
    types = {name: text for name in COLUMNS} | {
        "id": pa.int64(),
        "document_id": pa.int64(),
        "published": pa.date32(),
        "actors": strings,
        "obligor": strings,
        "territories": strings,
        "conditions": pa.list_(condition),
        "recognition_by": strings,
        "attribution_anonymous": pa.bool_(),
        "start": pa.int64(),
        "end": pa.int64(),
        "confidence": pa.float64(),
    }
    return pa.schema([(name, types[name]) for name in COLUMNS])


def _write_parquet(records: Iterable[dict[str, Any]], path: Path, schema: Any) -> None:
    """Row groups of ``PARQUET_ROWS`` records as they come; without a ``schema``, the
    first group's is used."""
    pa = _pyarrow()
    rows = iter(records)
    groups = iter(lambda: list(islice(rows, PARQUET_ROWS)), [])
    first = pa.Table.from_pylist(next(groups, []), schema=schema)
    with atomic_path(path) as tmp, pa.parquet.ParquetWriter(tmp, first.schema) as writer:
        writer.write_table(first)
        for group in groups:
            writer.write_table(pa.Table.from_pylist(group, schema=first.schema))


def _read_parquet(path: Path) -> list[dict[str, Any]]:
    pa = _pyarrow()
    rows: list[dict[str, Any]] = pa.parquet.read_table(path).to_pylist()
    return rows
