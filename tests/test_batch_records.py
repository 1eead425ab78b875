"""The Parquet form of a shard's claims: every guideline field as a claim dump gives it."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("pyarrow")

from peacetrack.batch.records import NESTED_FIELDS, ShardRows, claim_from_row
from peacetrack.model import GUIDELINE_FIELDS, Claim, Document

TEXT = "Russia and Ukraine agreed to a truce after the exchange, a negotiator said."


def claims() -> list[Claim]:
    """Claims with every nested field, some repeated (their JSON is encoded once)."""
    said = {"source": "a negotiator", "anonymous": False}
    base = {"actors": ["RUS", "UKR"], "stance": "agree", "evidence": TEXT}
    base |= {"start": 0, "end": len(TEXT)}
    return [
        Claim.model_validate(base | {"issue": "CF.GENERAL", "attribution": said}),
        Claim.model_validate(
            base
            | {
                "issue": "CF.GENERAL",
                "attribution": said,
                "obligor": ["RUS"],
                "territories": ["UA-43"],
                "conditions": [{"relation": "after", "issue": "HUM.DETAINEES"}],
                "proposal": "the truce",
                "extractor": "other.v1",
            }
        ),
        Claim.model_validate(
            base | {"issue": "TER.RECOGNITION", "recognition": {"by": ["RUS"], "type": "de_jure"}}
        ),
    ]


def test_claim_columns_are_the_claims_dump() -> None:
    kept = claims()
    rows = ShardRows("rules.v1")
    rows.add(Document(name="first", text=TEXT), kept[:2])
    rows.add(Document(name="second", text=TEXT), kept[2:])
    documents, table = rows.tables()
    assert documents.column("position").to_pylist() == [0, 1]
    written = table.to_pylist()
    assert [r["position"] for r in written] == [0, 0, 1]
    assert [r["doc"] for r in written] == ["first", "first", "second"]
    assert [r["extractor"] for r in written] == ["rules.v1", "other.v1", "rules.v1"]
    for claim, row in zip(kept, written, strict=True):
        dump = claim.model_dump(mode="json")
        for name in GUIDELINE_FIELDS:
            value = dump[name]
            nested = name in NESTED_FIELDS and value is not None
            assert row[name] == (json.dumps(value, ensure_ascii=False) if nested else value)
        assert claim_from_row(row) == claim.model_copy(update={"extractor": row["extractor"]})
