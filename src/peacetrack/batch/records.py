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


#: JSON text of a nested field, as ``json.dumps(value, ensure_ascii=False)`` writes it, with
#: one encoder for every value instead of a new one per call.
_as_json = json.JSONEncoder(ensure_ascii=False).encode


class ShardRows:
    """A shard's documents and claims, gathered column by column as they are extracted.

    No dict per row on the way: a claim's guideline fields are dumped once and appended to
    their columns, and a document's own columns (``position``, which orders a shard's
    documents and joins them to their claims, its name and content hash) are repeated for
    its claims as they come. ``tables`` turns the columns into the two Arrow tables.
    """

    def __init__(self, extractor: str) -> None:
        self.extractor = extractor
        self.documents: dict[str, list[Any]] = {name: [] for name in DOCUMENT_SCHEMA.names}
        self.claims: dict[str, list[Any]] = {name: [] for name in CLAIM_SCHEMA.names}

    def __len__(self) -> int:
        return len(self.documents["position"])

    def add(self, document: Document, claims: Sequence[Claim]) -> None:
        """A document and its claims, appended to the columns."""
        position = len(self)
        row = {name: getattr(document, name) for name in _METADATA} | {
            "position": position,
            "name": document.name,
            "content_hash": document.content_hash,
            "text": document.text,
            "extractor": self.extractor,
        }
        for name, value in row.items():
            self.documents[name].append(value)
        for name, value in (("position", position), ("doc", document.name),
                            ("content_hash", document.content_hash)):  # fmt: skip
            self.claims[name].extend([value] * len(claims))
        for claim in claims:
            self._add_claim(claim)

    def _add_claim(self, claim: Claim) -> None:
        columns, data = self.claims, claim.model_dump(mode="json", include=_GUIDELINE_SET)
        for name in GUIDELINE_FIELDS:
            value = data[name]
            nested = value is not None and name in NESTED_FIELDS
            columns[name].append(_as_json(value) if nested else value)
        for name in PROVENANCE:
            columns[name].append(getattr(claim, name))
        columns["extractor"][-1] = claim.extractor or self.extractor  # its own, or the run's

    def tables(self) -> tuple[pa.Table, pa.Table]:
        """The documents' table and the claims' table."""
        return (
            pa.Table.from_pydict(self.documents, schema=DOCUMENT_SCHEMA),
            pa.Table.from_pydict(self.claims, schema=CLAIM_SCHEMA),
        )


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
