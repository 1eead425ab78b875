"""llm.v1 on our own evaluation sets, replaying answers a strong model gave to its requests.

The replies in ``fixtures/llm_replies`` were recorded once (see the README's evaluation
section): each request llm.v1 sends for tests/fixtures/{tune,tune2,eval} was answered by
Claude from the request alone, never from the gold. Replaying them checks the whole path
after the endpoint (reading, checking, grounding, scoring) and pins the published figures.
A change to the prompt changes every request; the test then says to record again.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from peacetrack.extract.evaluate import evaluate
from peacetrack.extract.llm import LLMExtractor, LLMSettings
from peacetrack.testing import FakeModel

FIXTURES = Path(__file__).parent / "fixtures"
REPLIES = FIXTURES / "llm_replies"
#: Set -> (precision, recall, F1) published in the README for the recorded answers.
PUBLISHED = {
    "tune": (0.856, 0.910, 0.882),
    "tune2": (0.769, 0.842, 0.804),
    "eval": (0.812, 0.857, 0.834),
}


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_recorded_answers_give_the_published_scores(name: str) -> None:
    model = FakeModel.replaying(REPLIES, models=["claude-replay"])
    settings = LLMSettings(model="claude-replay", base_url="http://model.test/v1", max_retries=0)
    llm = LLMExtractor(settings, http_client=model.client())
    result = evaluate(FIXTURES / name / "gold.jsonl", FIXTURES / name / "docs", llm)
    if result.failures:
        pytest.fail(
            f"{len(result.failures)} requests have no recorded answer: the prompt or the "
            "chunking changed, so record the answers again (README, Evaluation)"
        )
    primary = result.score.primary
    assert (round(primary.p, 3), round(primary.r, 3), round(primary.f, 3)) == PUBLISHED[name]
    assert result.score.evidence_verbatim == 1.0
