"""The rule-based extractor on the evaluation corpus's dev set: the floor it has reached,
and the claims of the worked example of the guideline."""

from __future__ import annotations

from pathlib import Path

import pytest

from peacetrack.extract.evaluate import Evaluation, evaluate
from peacetrack.extract.rules import RulesExtractor
from peacetrack.model import Claim, Document, normalise_text

SHARED = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "dev"
SEED = "ru-ua_2025-05-17_reuters_istanbul-demands.txt"
#: Reached on the dev set when this floor was set; keep raising it as the rules improve.
FLOOR_F1 = 0.68
FLOOR_P = 0.82

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(not (SHARED / "gold.jsonl").exists(), reason="evaluation corpus absent"),
]


@pytest.fixture(scope="module")
def extractor() -> RulesExtractor:
    return RulesExtractor()


@pytest.fixture(scope="module")
def result(extractor: RulesExtractor) -> Evaluation:
    return evaluate(SHARED / "gold.jsonl", SHARED / "docs", extractor)


@pytest.fixture(scope="module")
def seed(extractor: RulesExtractor) -> list[Claim]:
    text = normalise_text((SHARED / "docs" / SEED).read_text(encoding="utf-8"))
    return extractor.extract(Document(name=SEED, text=text))


def has(claims: list[Claim], actors: set[str], coarse: str, issue: str) -> list[Claim]:
    return [
        c
        for c in claims
        if set(c.actors) == actors and c.stance.coarse == coarse and c.issue == issue
    ]


def test_floor_and_verbatim_evidence(result: Evaluation) -> None:
    assert result.score.evidence_verbatim == 1.0
    assert not result.score.problems
    assert result.score.primary.f >= FLOOR_F1
    assert result.score.primary.p >= FLOOR_P


def test_seed_russian_demands(seed: list[Claim]) -> None:
    for issue in (
        "TER.WITHDRAW",
        "TER.RECOGNITION",
        "SEC.ALIGNMENT",
        "SEC.FORCE_LIMITS",
        "SEC.FOREIGN_FORCES",
        "JUS.COMPENSATION",
    ):
        assert has(seed, {"RUS"}, "put_forward", issue), issue


def test_seed_withdrawal_regions_and_condition(seed: list[Claim]) -> None:
    found = [
        c
        for c in has(seed, {"RUS"}, "put_forward", "TER.WITHDRAW")
        if set(c.territories or ()) == {"UA-14", "UA-23", "UA-65", "UA-09"}
    ]
    assert found
    assert any(
        ("before", "CF.GENERAL") in {(k.relation, k.issue) for k in c.conditions or ()}
        for c in found
    )


def test_seed_recognition_of_five_territories(seed: list[Claim]) -> None:
    claims = has(seed, {"RUS"}, "put_forward", "TER.RECOGNITION")
    assert any(
        set(c.territories or ()) == {"UA-43", "UA-14", "UA-09", "UA-65", "UA-23"}
        and c.recognition is not None
        and c.recognition.by == ["INTL"]
        for c in claims
    )


def test_seed_us_draft_differences(seed: list[Claim]) -> None:
    assert has(seed, {"USA"}, "absent", "TER.WITHDRAW")
    for issue in ("SEC.ALIGNMENT", "SEC.FORCE_LIMITS", "SEC.FOREIGN_FORCES"):
        assert has(seed, {"USA"}, "absent", issue), issue
    kinds = {
        c.recognition.type
        for c in has(seed, {"USA"}, "put_forward", "TER.RECOGNITION")
        if c.recognition is not None and c.recognition.by == ["USA"]
    }
    assert kinds == {"de_jure", "de_facto"}
    assert has(seed, {"USA"}, "put_forward", "JUS.COMPENSATION")


def test_seed_outcome_of_the_talks(seed: list[Claim]) -> None:
    assert has(seed, {"RUS", "UKR"}, "agree", "HUM.DETAINEES")
    assert has(seed, {"RUS", "UKR"}, "no_agreement", "CF.GENERAL")


def test_seed_ceasefire_first_proposal(seed: list[Claim]) -> None:
    claims = has(seed, {"UKR", "EUROPE"}, "put_forward", "CF.GENERAL")
    assert claims
    assert any(
        ("before", "PROC.TALKS") in {(k.relation, k.issue) for k in c.conditions or ()}
        for c in claims
    )
