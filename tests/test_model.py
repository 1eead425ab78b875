"""The domain model mirrors the guideline: its JSONL round-trips, bad fields are clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

import peacetrack as pt
from peacetrack.codebook import load_codebook
from peacetrack.errors import InputError
from peacetrack.model import (
    Claim,
    Document,
    DocumentClaims,
    Stance,
    content_hash,
    normalise_text,
    parse_claims_jsonl,
    read_claims_jsonl,
    write_claims_jsonl,
)

SHARED = Path(__file__).resolve().parents[2] / "shared"
BUILTIN = {"codebook": load_codebook()}
UNKNOWN_ISSUE = r"unknown issue 'XX\.NOPE'; known issues are listed by `peacetrack codebook issues`"

FULL_CLAIM = {
    "actors": ["RUS"],
    "stance": "demand",
    "issue": "TER.WITHDRAW",
    "obligor": ["UKR"],
    "territories": ["UA-14", "UA-09"],
    "conditions": [{"relation": "before", "issue": "CF.GENERAL"}],
    "proposal": "Moscow's terms at the second round",
    "attribution": {"source": "two people briefed on the talks", "anonymous": True},
    "evidence": "Moscow wants Kyiv to leave Donetsk and Luhansk before any truce.",
}


def without_nulls(claim: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in claim.items() if v is not None}


def test_full_claim_round_trips() -> None:
    claim = Claim.model_validate(FULL_CLAIM)
    assert claim.to_guideline() == FULL_CLAIM
    assert claim.coarse_stance == "put_forward"


def test_recognition_claim() -> None:
    data = {
        "actors": ["USA"],
        "stance": "propose",
        "issue": "TER.RECOGNITION",
        "territories": ["UA-43"],
        "recognition": {"by": ["USA"], "type": "de_jure"},
        "evidence": "Washington's draft offered to recognise Crimea as Russian in law.",
    }
    assert Claim.model_validate(data).to_guideline() == data


def test_extra_fields_never_leak_into_guideline_json() -> None:
    text = "Kyiv rejected the demand outright."
    claim = Claim(
        actors=["UKR"], stance=Stance.REJECT, issue="TER.WITHDRAW", evidence=text
    ).located_in(text)
    claim = claim.model_copy(update={"extractor": "rules.v1"})
    assert (claim.start, claim.end) == (0, len(text))
    assert set(claim.to_guideline()) == {"actors", "stance", "issue", "evidence"}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("stance", "insist", "stance"),
        ("issue", "XX.NOPE", "unknown issue"),
        ("issue", "ceasefire", "GROUP.NAME"),
        ("actors", ["Russia"], "actor id"),
        ("actors", [], "at least 1"),
        ("territories", ["Donetsk"], "territory"),
        ("conditions", [{"relation": "during", "issue": "CF.GENERAL"}], "before"),
        ("evidence", "", "at least 1"),
        ("surprise", 1, "Extra inputs"),
    ],
)
def test_bad_fields_are_clear_errors(field: str, value: object, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Claim.model_validate({**FULL_CLAIM, field: value}, context=BUILTIN)


def test_issue_membership_is_checked_only_against_a_codebook_handed_in() -> None:
    """A claim is valid without a codebook loaded: only the code's form is checked, so a
    claim stored or exported under another codebook stays readable."""
    unknown = {**FULL_CLAIM, "conditions": None, "issue": "XX.NOPE"}
    assert Claim.model_validate(unknown).issue == "XX.NOPE"
    with pytest.raises(ValidationError, match=UNKNOWN_ISSUE):
        Claim.model_validate(unknown, context=BUILTIN)
    condition = {**FULL_CLAIM, "conditions": [{"relation": "after", "issue": "XX.NOPE"}]}
    with pytest.raises(ValidationError, match=r"conditions\.0\.issue"):
        Claim.model_validate(condition, context=BUILTIN)
    with pytest.raises(ValidationError, match=r"GROUP\.NAME"):
        Claim.model_validate({**FULL_CLAIM, "issue": "ceasefire"})


def test_reading_guideline_jsonl_checks_issues_against_the_codebook(tmp_path: Path) -> None:
    """``pt.read_claims_jsonl`` is an edge: the codebook in force by default."""
    path = tmp_path / "gold.jsonl"
    line = {"doc": "a.txt", "claims": [{**FULL_CLAIM, "issue": "XX.NOPE"}]}
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"gold\.jsonl:1: claims\.0\.issue: .*" + UNKNOWN_ISSUE):
        pt.read_claims_jsonl(path)
    with pytest.raises(InputError, match=UNKNOWN_ISSUE):
        read_claims_jsonl(path, BUILTIN["codebook"])
    assert read_claims_jsonl(path)[0].claims[0].issue == "XX.NOPE"


def test_recognition_only_on_recognition_issue() -> None:
    data = {**FULL_CLAIM, "recognition": {"by": ["INTL"], "type": "de_jure"}}
    with pytest.raises(ValidationError, match=r"only allowed on TER\.RECOGNITION"):
        Claim.model_validate(data)


def test_evidence_must_be_in_the_document() -> None:
    claim = Claim.model_validate(FULL_CLAIM)
    with pytest.raises(ValueError, match="not verbatim"):
        claim.located_in("A different report altogether.")


def test_jsonl_errors_name_file_and_line() -> None:
    good = json.dumps({"doc": "a.txt", "claims": [FULL_CLAIM]})
    bad = json.dumps({"doc": "b.txt", "claims": [{**FULL_CLAIM, "stance": "maybe"}]})
    with pytest.raises(InputError, match=r"mine\.jsonl:3: claims\.0\.stance"):
        list(parse_claims_jsonl([good, "", bad], "mine.jsonl"))


def test_jsonl_file_round_trip(tmp_path: Path) -> None:
    records = [
        DocumentClaims(doc="folder/a.txt", claims=[Claim.model_validate(FULL_CLAIM)]),
        DocumentClaims(doc="b.txt", claims=[]),
    ]
    path = tmp_path / "pred.jsonl"
    assert write_claims_jsonl(records, path) == 2
    assert read_claims_jsonl(path) == [records[0].model_copy(update={"doc": "a.txt"}), records[1]]
    assert not (tmp_path / "pred.jsonl.part").exists()


@pytest.mark.shared
@pytest.mark.skipif(not (SHARED / "corpus/dev/gold.jsonl").exists(), reason="../shared absent")
def test_dev_gold_round_trips_through_the_model() -> None:
    lines = (SHARED / "corpus/dev/gold.jsonl").read_text(encoding="utf-8").splitlines()
    records = list(parse_claims_jsonl(lines, "gold.jsonl"))
    assert len(records) == len(lines)
    for line, record in zip(lines, records, strict=True):
        original = json.loads(line)
        again = json.loads(record.to_json())
        assert again["doc"] == original["doc"]
        assert again["claims"] == [without_nulls(c) for c in original["claims"]]


def test_document_hash_ignores_spacing() -> None:
    a = Document(name="a.txt", text="Talks  resumed\nin Istanbul.")
    b = Document(name="b.txt", text="Talks resumed in Istanbul.")
    assert a.content_hash == b.content_hash == content_hash("Talks resumed in Istanbul.")


def test_normalise_text() -> None:
    assert normalise_text("  Cafe\u0301\r\nline\rend \n") == "Café\nline\nend"
