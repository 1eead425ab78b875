"""The Parquet form of documents and claims: fixed schemas and the conversions both ways.

Schemas are explicit so that a shard with no claims still writes a typed, readable file,
and so that every shard's files read together as one dataset; the shard id is not a
column but the Hive-style folder name (``shard=<id>``), which dataset readers (pyarrow,
pandas, DuckDB, Spark) turn into a ``shard`` column. Nested guideline fields (lists,
objects) are JSON text: readable by any Parquet tool without a nested-type reader, and
they round-trip exactly through the pydantic models.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]

from peacetrack.codebook import default_codebook
from peacetrack.model import GUIDELINE_FIELDS, Claim, Document
from peacetrack.source import PROVENANCE

#: Guideline fields holding lists or objects, stored as JSON text.
NESTED_FIELDS = ("actors", "obligor", "territories", "conditions", "recognition", "attribution")

DOCUMENT_SCHEMA = pa.schema(
    [
        ("position", pa.int32()),
        ("name", pa.string()),
        ("content_hash", pa.string()),
        ("text", pa.string()),
        ("title", pa.string()),
        ("url", pa.string()),
        ("outlet", pa.string()),
        ("author", pa.string()),
        ("published", pa.date32()),
        ("language", pa.string()),
        ("source", pa.string()),
        ("extractor", pa.string()),
    ]
)

CLAIM_SCHEMA = pa.schema(
    [
        ("position", pa.int32()),
        ("doc", pa.string()),
        ("content_hash", pa.string()),
        *((name, pa.string()) for name in GUIDELINE_FIELDS),
        ("start", pa.int64()),
        ("end", pa.int64()),
        ("extractor", pa.string()),
        ("model", pa.string()),
        ("prompt_hash", pa.string()),
        ("confidence", pa.float64()),
    ]
)

_GUIDELINE_SET = set(GUIDELINE_FIELDS)

_METADATA = ("title", "url", "outlet", "author", "published", "language", "source")


def document_row(position: int, document: Document, extractor: str) -> dict[str, Any]:
    """``position`` orders a shard's documents and joins them to their claims."""
    row: dict[str, Any] = {name: getattr(document, name) for name in _METADATA}
    return row | {
        "position": position,
        "name": document.name,
        "content_hash": document.content_hash,
        "text": document.text,
        "extractor": extractor,
    }


def claim_rows(
    position: int, document: Document, claims: Sequence[Claim], extractor: str
) -> list[dict[str, Any]]:
    """A document's claims as rows; the document's columns are worked out once for all of
    them (its content hash is a SHA-256 of the whole text, not a per-claim cost)."""
    shared = {"position": position, "doc": document.name, "content_hash": document.content_hash}
    return [_claim_row(claim, extractor) | shared for claim in claims]


def _claim_row(claim: Claim, extractor: str) -> dict[str, Any]:
    data = claim.model_dump(mode="json", include=_GUIDELINE_SET)
    row: dict[str, Any] = {
        name: json.dumps(data[name], ensure_ascii=False)
        if name in NESTED_FIELDS and data[name] is not None
        else data[name]
        for name in GUIDELINE_FIELDS
    }
    row.update((name, getattr(claim, name)) for name in PROVENANCE)
    row["extractor"] = claim.extractor or extractor
    return row


def document_from_row(row: dict[str, Any]) -> Document:
    return Document(name=row["name"], text=row["text"], **{k: row[k] for k in _METADATA})


def claim_from_row(row: dict[str, Any]) -> Claim:
    data = {
        name: json.loads(row[name])
        if name in NESTED_FIELDS and row[name] is not None
        else row[name]
        for name in GUIDELINE_FIELDS
    }
    # Provenance columns added later are absent from older outputs.
    located = {name: row.get(name) for name in PROVENANCE}
    given = {k: v for k, v in data.items() if v is not None} | located
    # Workers extracted under the driver's codebook, which is the one in force here too.
    return Claim.model_validate(given, context=default_codebook().claim_context())


def table(rows: list[dict[str, Any]], schema: pa.Schema) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=schema)
