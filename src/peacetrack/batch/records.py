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
    """A shard's documents and claims, gathered column by column as they are extracted.

    No dict per row and no dump of a whole claim: a document's claims go into each column
    in one pass, reading one field of each (a nested one as JSON text, encoded once per
    distinct value: a shard repeats the same few actor lists and attributions). Only plain
    values stay (text, numbers, dates), not the claims and documents themselves: a shard
    keeps them until it is written, and objects that live that long cost the cycle
    collector. ``position`` orders a shard's documents and joins them to their claims,
    which repeat their document's name and content hash (computed once).
    """

    def __init__(self, extractor: str) -> None:
        self.extractor = extractor
        self.documents: dict[str, list[Any]] = {name: [] for name in DOCUMENT_SCHEMA.names}
        self.claims: dict[str, list[Any]] = {name: [] for name in CLAIM_SCHEMA.names}
        #: Per nested field, the JSON text of each value met so far.
        self._texts: dict[str, dict[object, str]] = {name: {} for name in NESTED_FIELDS}

    def __len__(self) -> int:
        return len(self.documents["position"])

    def add(self, document: Document, claims: Sequence[Claim]) -> None:
        """A document and its claims, appended to the columns."""
        position, content_hash = len(self), document.content_hash
        row = {name: getattr(document, name) for name in _METADATA} | {
            "position": position,
            "name": document.name,
            "content_hash": content_hash,
            "text": document.text,
            "extractor": self.extractor,
        }
        for name, value in row.items():
            self.documents[name].append(value)
        columns = self.claims
        for name, value in (("position", position), ("doc", document.name),
                            ("content_hash", content_hash)):  # fmt: skip
            columns[name].extend([value] * len(claims))
        for name in GUIDELINE_FIELDS:
            values = [getattr(c, name) for c in claims]
            if name in NESTED_FIELDS:
                columns[name].extend(_as_json_once(values, self._texts[name]))
            else:  # the stance, a StrEnum, as its value
                columns[name].extend(v.value if isinstance(v, Enum) else v for v in values)
        for name in _OWN_PROVENANCE:
            columns[name].extend([getattr(c, name) for c in claims])
        columns["extractor"].extend([c.extractor or self.extractor for c in claims])

    def tables(self) -> tuple[pa.Table, pa.Table]:
        """The documents' table and the claims' table."""
        return (
            pa.Table.from_pydict(self.documents, schema=DOCUMENT_SCHEMA),
            pa.Table.from_pydict(self.claims, schema=CLAIM_SCHEMA),
        )


#: Provenance columns taken from the claim as it is (a claim without an extractor of its
#: own gets the run's).
_OWN_PROVENANCE = tuple(name for name in PROVENANCE if name != "extractor")


def _as_json_once(values: list[Any], texts: dict[object, str]) -> list[str | None]:
    """Each value as JSON text (None stays None), encoding only values not in ``texts``."""
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
