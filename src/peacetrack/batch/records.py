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
from enum import Enum
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]
from pydantic import BaseModel

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

_METADATA = ("title", "url", "outlet", "author", "published", "language", "source")


def _nested_default(value: object) -> Any:
    """A model inside a nested field, as ``model_dump(mode="json")`` writes it."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


#: JSON text of a nested field, as ``json.dumps(claim.model_dump(mode="json")[field],
#: ensure_ascii=False)`` writes it, without dumping the whole claim first: one encoder for
#: every value, which dumps only the models it meets (a condition, an attribution).
_as_json = json.JSONEncoder(ensure_ascii=False, default=_nested_default).encode


class ShardRows:
    """A shard's documents and claims, kept as they are extracted and turned into columns
    once, at the end.

    No dict per row and no dump of a whole claim: each column is one pass over the kept
    documents or claims, reading one field of each (a list of strings or a model becomes
    JSON text). ``position`` orders a shard's documents and joins them to their claims; a
    claim repeats its document's name and content hash, computed once per document.
    """

    def __init__(self, extractor: str) -> None:
        self.extractor = extractor
        self._documents: list[Document] = []
        self._hashes: list[str] = []
        self._claims: list[Claim] = []
        #: Position of each claim's document.
        self._owners: list[int] = []

    def __len__(self) -> int:
        return len(self._documents)

    def add(self, document: Document, claims: Sequence[Claim]) -> None:
        """A document and its claims, kept for ``tables``."""
        self._owners.extend([len(self._documents)] * len(claims))
        self._documents.append(document)
        self._hashes.append(document.content_hash)
        self._claims.extend(claims)

    def tables(self) -> tuple[pa.Table, pa.Table]:
        """The documents' table and the claims' table."""
        documents, claims, owners = self._documents, self._claims, self._owners
        document_columns: dict[str, list[Any]] = {
            "position": list(range(len(documents))),
            "name": [d.name for d in documents],
            "content_hash": self._hashes,
            "text": [d.text for d in documents],
            **{name: [getattr(d, name) for d in documents] for name in _METADATA},
            "extractor": [self.extractor] * len(documents),
        }
        names, hashes = document_columns["name"], self._hashes
        claim_columns: dict[str, list[Any]] = {
            "position": owners,
            "doc": [names[at] for at in owners],
            "content_hash": [hashes[at] for at in owners],
            **{name: _column(claims, name) for name in GUIDELINE_FIELDS},
            **{name: [getattr(c, name) for c in claims] for name in PROVENANCE},
            "extractor": [c.extractor or self.extractor for c in claims],  # its own, or the run's
        }
        return (
            pa.Table.from_pydict(document_columns, schema=DOCUMENT_SCHEMA),
            pa.Table.from_pydict(claim_columns, schema=CLAIM_SCHEMA),
        )


def _column(claims: Sequence[Claim], name: str) -> list[Any]:
    """One guideline field of every claim, as ``model_dump(mode="json")`` gives it, nested
    fields as JSON text."""
    values = [getattr(c, name) for c in claims]
    if name in NESTED_FIELDS:
        return _json_column(values)
    return [v.value if isinstance(v, Enum) else v for v in values]


def _json_column(values: list[Any]) -> list[str | None]:
    """Each value as JSON text, encoded once per distinct value: a shard's claims repeat the
    same few actor lists and attributions, and encoding one costs ten times a look-up."""
    texts: dict[object, str] = {}
    column: list[str | None] = []
    for value in values:
        if value is None:
            column.append(None)
            continue
        key = tuple(value) if isinstance(value, list) else value
        try:
            text = texts.get(key) or texts.setdefault(key, _as_json(value))
        except TypeError:  # a model holding a list (a recognition) cannot be a key
            text = _as_json(value)
        column.append(text)
    return column


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
