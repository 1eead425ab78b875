"""Scoring and evaluation: our figures, and agreement with the corpus's reference scorer."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from peacetrack.errors import InputError
from peacetrack.extract.evaluate import evaluate, load_gold
from peacetrack.extract.rules import RulesExtractor
from peacetrack.extract.scoring import claim_tuples, format_errors, score, set_f1
from peacetrack.model import Claim, Document

SHARED = Path(__file__).resolve().parents[2] / "shared" / "corpus"

GOLD = {
    "a.txt": [
        {
            "actors": ["RUS"],
            "stance": "demand",
            "issue": "TER.WITHDRAW",
            "evidence": "x",
            "obligor": ["UKR"],
            "attribution": {"source": "an official", "anonymous": True},
        },
        {"actors": ["RUS", "UKR"], "stance": "agree", "issue": "HUM.DETAINEES", "evidence": "y"},
    ]
}
PRED = {
    "a.txt": [
        {
            "actors": ["RUS"],
            "stance": "propose",
            "issue": "TER.WITHDRAW",
            "evidence": "x",
            "obligor": ["UKR"],
        },
        {"actors": ["UKR"], "stance": "agree", "issue": "HUM.DETAINEES", "evidence": "y z"},
        {"actors": ["USA"], "stance": "reject", "issue": "CF.GENERAL", "evidence": "w"},
    ]
}


def test_joint_claim_gives_one_tuple_per_actor() -> None:
    assert len(claim_tuples("a.txt", GOLD["a.txt"][1])) == 2


def test_primary_uses_coarse_stance_and_strict_the_fine_one() -> None:
    s = score(GOLD, PRED, texts={"a.txt": "x y"})
    assert (s.primary.tp, s.primary.n_pred, s.primary.n_gold) == (2, 3, 3)
    assert s.strict.tp == 1
    assert s.evidence_verbatim == pytest.approx(1 / 3)
    assert s.by_stance["put_forward"].tp == 1
    assert s.fields["obligor"] == (1.0, 1)
    assert s.fields["attribution_anonymous"] == (0.0, 1)


def test_error_lists_name_the_tuples_and_their_evidence() -> None:
    s = score(GOLD, PRED)
    assert [e.tuple for e in s.missed] == [("a.txt", "RUS", "agree", "HUM.DETAINEES")]
    assert [e.tuple for e in s.spurious] == [("a.txt", "USA", "reject", "CF.GENERAL")]
    text = format_errors(s)
    assert "missed (in gold, not predicted): 1" in text and "USA: w" in text


def test_set_f1_of_two_empty_sets_is_one() -> None:
    assert set_f1(None, []) == 1.0


class _Echo:
    """A stand-in extractor: one claim on the first sentence of every document."""

    name = "echo.v0"

    def extract(self, document: Document) -> list[Claim]:
        first = document.text.split(".")[0] + "."
        return [Claim(actors=["RUS"], stance="demand", issue="TER.WITHDRAW", evidence=first)]


def test_evaluate_reads_the_documents_the_gold_names(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x. More text.", encoding="utf-8")
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"doc": "a.txt", "claims": GOLD["a.txt"]}) + "\n")
    result = evaluate(gold, tmp_path, _Echo())
    assert result.score.primary.tp == 1
    assert result.score.evidence_verbatim == 1.0
    assert result.report().startswith("documents 1  gold tuples 3  predicted tuples 1")
    assert json.loads(result.to_jsonl())["doc"] == "a.txt"


def test_missing_document_is_named(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"doc": "gone.txt", "claims": []}) + "\n")
    with pytest.raises(InputError, match=r"gone\.txt"):
        evaluate(gold, tmp_path, _Echo())


def test_bad_gold_line_is_named(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text("{not json\n")
    with pytest.raises(InputError, match=r"gold.jsonl:1"):
        load_gold(gold)


def test_empty_or_binary_gold_is_an_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n")
    with pytest.raises(InputError, match="names no document"):
        load_gold(empty)
    binary = tmp_path / "gold.bin"
    binary.write_bytes(b"\x7fELF\x02\x01\xf0\x80\x00")
    with pytest.raises(InputError, match="not UTF-8"):
        load_gold(binary)


def test_binary_gold_document_is_named(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"doc": "prog.txt", "claims": []}) + "\n")
    (tmp_path / "prog.txt").write_bytes(b"\x7fELF\xf0\x80")
    with pytest.raises(InputError, match=r"prog\.txt.*not UTF-8"):
        evaluate(gold, tmp_path, _Echo())


@pytest.mark.shared
@pytest.mark.skipif(not (SHARED / "score.py").exists(), reason="evaluation corpus absent")
def test_same_figures_as_the_reference_scorer(tmp_path: Path) -> None:
    result = evaluate(SHARED / "dev" / "gold.jsonl", SHARED / "dev" / "docs", RulesExtractor())
    pred = tmp_path / "pred.jsonl"
    pred.write_text(result.to_jsonl(), encoding="utf-8")
    reference = subprocess.run(
        [
            sys.executable,
            str(SHARED / "score.py"),
            str(SHARED / "dev" / "gold.jsonl"),
            str(pred),
            "--docs",
            str(SHARED / "dev" / "docs"),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert result.report(errors=False).strip() == reference.strip()
