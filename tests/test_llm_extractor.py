"""llm.v1 against a fake OpenAI-compatible endpoint: parsing, grounding, retries, caching.

The report below is our own invented text; the fake model answers from the chunk it is
sent, so each test scripts exactly what a model would say.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from peacetrack.errors import PeaceTrackError
from peacetrack.extract import get_extractor
from peacetrack.extract.base import MemoryReplies
from peacetrack.extract.llm import LLMExtractor, LLMSettings, LLMSettingsError
from peacetrack.extract.llm.client import EndpointError
from peacetrack.extract.llm.settings import resolve_settings
from peacetrack.extract.runner import extract_store
from peacetrack.model import Document
from peacetrack.store import Store
from peacetrack.testing import FakeModel, FakeReply

REPORT = (
    "Talks stall over the corridor\n\n"
    "ANKARA, May 2 (Test Wire) - Russia demanded that Ukraine withdraw its troops from the "
    "Donetsk region before any ceasefire, a Ukrainian official said on Friday.\n\n"
    "Kyiv rejected the demand, calling it \u201ca surrender in all but name\u201d.\n\n"
    "Photo: a convoy near the border. (Reporting by A. Writer; Editing by B. Editor)"
)
DEMAND = (
    "ANKARA, May 2 (Test Wire) - Russia demanded that Ukraine withdraw its troops from the "
    "Donetsk region before any ceasefire, a Ukrainian official said on Friday."
)


def claim(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "actors": ["RUS"],
        "stance": "demand",
        "issue": "TER.WITHDRAW",
        "obligor": ["UKR"],
        "territories": ["UA-14"],
        "conditions": [{"relation": "before", "issue": "CF.GENERAL"}],
        "recognition": None,
        "proposal": None,
        "attribution": {"source": "a Ukrainian official", "anonymous": True},
        "evidence": DEMAND,
        "confidence": 0.9,
    }
    return base | fields


def answer(*claims: dict[str, Any]) -> str:
    return json.dumps({"claims": list(claims)})


def extractor(fake: FakeModel, **settings: Any) -> LLMExtractor:
    values: dict[str, Any] = {
        "model": "fake",
        "base_url": "http://model.test/v1",
        "api_key": "k",
        "max_retries": 2,
        "timeout": 5.0,
    }
    return LLMExtractor(LLMSettings(**(values | settings)), http_client=fake.client())


def document(text: str = REPORT, name: str = "r.txt", **fields: Any) -> Document:
    return Document(name=name, text=text, **fields)


def always(reply: str | FakeReply) -> Callable[[str], str | FakeReply]:
    return lambda _text: reply


def test_good_answer_gives_located_claims_with_provenance() -> None:
    model = FakeModel(always(answer(claim())))
    llm = extractor(model)
    [found] = llm.extract(document())
    assert found.evidence == DEMAND
    assert REPORT[found.start : found.end] == DEMAND
    assert (found.extractor, found.model, found.prompt_hash) == ("llm.v1", "fake", llm.prompt.hash)
    assert found.confidence == 0.9 and found.obligor == ["UKR"]
    assert found.conditions is not None and found.conditions[0].issue == "CF.GENERAL"
    assert found.produced_by == "llm.v1 (fake)"


def test_request_depends_only_on_text_codebook_and_prompt() -> None:
    model = FakeModel(always(answer()))
    extractor(model).extract(document(name="a.txt", outlet="X"))
    extractor(model).extract(document(name="b.txt", outlet="Y", title="other"))
    first, second = (r["messages"] for r in model.requests)
    assert first == second
    assert "RUS (Russia" in first[1]["content"]  # the actors the text names are listed


def test_answers_in_code_fences_or_with_small_slips_are_read() -> None:
    fenced = "Here you go:\n```json\n" + answer(claim()) + "\n```"
    assert len(extractor(FakeModel(always(fenced))).extract(document())) == 1
    slipped = answer(claim())[:-2] + ",]}"  # a trailing comma
    assert len(extractor(FakeModel(always(slipped))).extract(document())) == 1


def test_malformed_answer_is_asked_again_once_then_reported() -> None:
    calls: list[str] = []

    def flaky(text: str) -> str:
        calls.append(text)
        return "not json at all" if len(calls) == 1 else answer(claim())

    assert len(extractor(FakeModel(flaky)).extract(document())) == 1
    assert len(calls) == 2

    llm = extractor(FakeModel(always("still no json")))
    [outcome] = llm.extract_many([document()])
    assert outcome.error is not None and "not JSON" in outcome.error
    assert llm.stats.failed == 1


def test_answer_cut_off_by_length_is_retried_then_reported() -> None:
    cut = FakeReply(answer(claim())[:40], finish_reason="length")
    [outcome] = extractor(FakeModel(always(cut))).extract_many([document()])
    assert outcome.error is not None and "cut off" in outcome.error


def test_evidence_not_verbatim_is_placed_by_alignment_or_dropped() -> None:
    straightened = DEMAND.replace("withdraw its troops", "withdraw its  troops")
    quoted = 'Kyiv rejected the demand, calling it "a surrender in all but name".'
    reworded = DEMAND.replace("Friday", "Fridy").replace("demanded", "demanded,")
    invented = "Russia demanded that Ukraine disband its navy and hand over Odesa at once."
    model = FakeModel(
        always(
            answer(
                claim(evidence=straightened),
                claim(evidence=quoted, actors=["UKR"], stance="reject", obligor=None),
                claim(evidence=reworded, issue="CF.GENERAL", conditions=None),
                claim(evidence=invented, issue="SEC.FORCE_LIMITS"),
            )
        )
    )
    llm = extractor(model)
    found = llm.extract(document())
    assert len(found) == 3
    for c in found:
        assert REPORT[c.start : c.end] == c.evidence  # always the document's own words
    assert "\u201ca surrender" in found[-1].evidence
    assert llm.stats.drops.reasons == {"evidence not in the document": 1}


def test_invented_actors_and_codes_are_dropped_and_counted() -> None:
    model = FakeModel(
        always(
            answer(
                claim(issue="TER.ANNEX"),
                claim(stance="insist"),
                claim(actors=["the Kremlin's negotiators"]),
                claim(actors=["Russia"]),  # a name the codebook knows: resolved to RUS
                claim(actors=["NEWGROUP"], issue="CF.GENERAL", conditions=None),
            )
        )
    )
    llm = extractor(model)
    found = llm.extract(document())
    assert [c.actors for c in found] == [["RUS"], ["NEWGROUP"]]
    assert llm.stats.drops.reasons == {
        "unknown issue code": 1,
        "invalid stance": 1,
        "ill-formed actor id": 1,
    }


def test_rate_limit_then_success_is_retried_with_backoff() -> None:
    replies = [FakeReply("slow down", status=429), answer(claim())]
    model = FakeModel(lambda _text: replies.pop(0))
    assert len(extractor(model).extract(document())) == 1
    assert len(model.requests) == 2


def test_server_errors_after_retries_fail_the_document_not_the_run() -> None:
    llm = extractor(FakeModel(always(FakeReply("boom", status=500))), max_retries=1)
    outcomes = list(llm.extract_many([document(name="a.txt"), document(name="b.txt")]))
    assert [o.error is not None for o in outcomes] == [True, True]
    assert "boom" in (outcomes[0].error or "")


def test_timeout_fails_the_document_with_a_clear_reason() -> None:
    llm = extractor(FakeModel(always(FakeReply(timeout=True))), max_retries=0)
    [outcome] = llm.extract_many([document()])
    assert outcome.error is not None and "no answer within" in outcome.error


def test_unknown_model_and_unreachable_endpoint_stop_before_any_work() -> None:
    missing = FakeModel(always(FakeReply("model 'nope' not found", status=404)))
    with pytest.raises(EndpointError, match="--model"):
        extractor(missing).extract(document())
    note = extractor(FakeModel(always(answer()), models=["other"])).check()
    assert note and "does not list model 'fake'" in note[0]
    settings = LLMSettings(model="m", base_url="http://127.0.0.1:9/v1", max_retries=0, timeout=2)
    with pytest.raises(EndpointError, match="cannot reach the model endpoint"):
        LLMExtractor(settings).check()


def test_settings_come_from_options_then_environment() -> None:
    env = {"PEACETRACK_LLM_MODEL": "env-model", "OPENAI_BASE_URL": "http://x/v1"}
    settings = resolve_settings({"model": None, "concurrency": 2}, env)
    assert (settings.model, settings.base_url, settings.concurrency) == (
        "env-model",
        "http://x/v1",
        2,
    )
    assert resolve_settings({"model": "cli"}, env).model == "cli"
    with pytest.raises(LLMSettingsError, match="PEACETRACK_LLM_MODEL"):
        resolve_settings({}, {})
    with pytest.raises(LLMSettingsError, match="not a number"):
        resolve_settings({"model": "m"}, {"PEACETRACK_LLM_TIMEOUT": "soon"})


def test_registry_builds_llm_v1_from_options_and_refuses_options_rules_lacks() -> None:
    made = get_extractor("llm.v1", model="m1", base_url="http://127.0.0.1:9/v1")
    assert made.name == "llm.v1" and getattr(made, "variant", "").startswith("m1@")
    with pytest.raises(PeaceTrackError, match=r"takes no option model \(--model\): leave it out"):
        get_extractor("rules.v1", model="m1")


def test_second_run_is_answered_from_the_cache() -> None:
    model = FakeModel(always(answer(claim())))
    cache = MemoryReplies()
    first = list(extractor(model).extract_many([document()], cache))
    llm = extractor(model)
    second = list(llm.extract_many([document()], cache))
    assert len(model.requests) == 1
    assert first[0].claims == second[0].claims
    assert llm.stats.cached == 1 and llm.stats.requests == 0
    list(extractor(model, refresh=True).extract_many([document()], cache))
    assert len(model.requests) == 2


def test_prefilter_leaves_out_paragraphs_without_actors_or_negotiation_words() -> None:
    model = FakeModel(always(answer()))
    extractor(model).extract(document())
    sent = model.requests[0]["messages"][1]["content"]
    assert "Photo: a convoy" not in sent and "Kyiv rejected" in sent
    extractor(model, prefilter=False).extract(document(name="b.txt"))
    assert "Photo: a convoy" in model.requests[1]["messages"][1]["content"]
    nothing = document("Weather: sunny with light winds. Markets closed higher.", name="w.txt")
    llm = extractor(model)
    assert llm.extract(nothing) == [] and llm.stats.requests == 0


def test_long_documents_are_split_into_chunks_under_the_budget() -> None:
    text = "\n\n".join(f"Paragraph {i}: Russia and Ukraine held talks." for i in range(300))
    model = FakeModel(always(answer()))
    extractor(model, chunk_tokens=500).extract(document(text))
    assert len(model.requests) > 5
    assert all(len(r["messages"][1]["content"]) < 500 * 4 + 600 for r in model.requests)
    assert "(part 1 of" in model.requests[0]["messages"][1]["content"]


def test_other_languages_keep_evidence_verbatim_in_their_own_words() -> None:
    text = "Россия потребовала, чтобы Украина вывела войска из Донецкой области, заявил Песков."
    reply = answer(claim(evidence=text, territories=["UA-14"], attribution=None))
    [found] = extractor(FakeModel(always(reply))).extract(document(text, language="ru"))
    assert found.evidence == text


def test_store_runs_cache_replies_and_resume_from_them(fresh_db: Store) -> None:
    for name in ("a.txt", "b.txt", "c.txt"):
        fresh_db.add_document(document(REPORT + f"\n\nNote {name}: talks go on.", name=name))
    failing = {"b.txt"}

    def flaky(text: str) -> str | FakeReply:
        if any(f"Note {n}" in text for n in failing):
            return FakeReply("unavailable", status=503)
        return answer(claim())

    model = FakeModel(flaky)
    summary = extract_store(fresh_db, extractor(model, max_retries=0))
    assert summary.documents == 2 and [n for n, _ in summary.failed] == ["b.txt"]
    assert summary.usage is not None and "2 requests sent" in summary.usage
    failing.clear()
    llm = extractor(model, max_retries=0)
    again = extract_store(fresh_db, llm)
    assert again.documents == 1 and llm.stats.requests == 1  # only b.txt was asked
    stored = [s.claim for s in fresh_db.claims(extractor="llm.v1")]
    assert len(stored) == 3 and {c.model for c in stored} == {"fake"}
    assert all(c.confidence == 0.9 and c.prompt_hash == llm.prompt.hash for c in stored)
    other = extractor(model, model="fake-2")
    assert extract_store(fresh_db, other).documents == 3  # another model: done again
    assert {s.claim.model for s in fresh_db.claims(extractor="llm.v1")} == {"fake-2"}


def test_command_line_extracts_files_and_evaluates_with_a_cache(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from peacetrack.cli import app

    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "r.txt").write_text(REPORT, encoding="utf-8")
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"doc": "r.txt", "claims": [claim()]}) + "\n", encoding="utf-8")
    model = FakeModel(always(answer(claim())))
    runner = CliRunner()
    with model.serve() as url:
        llm = ["-e", "llm.v1", "--model", "fake", "--base-url", url]
        result = runner.invoke(app, ["extract", str(tmp_path / "docs"), *llm])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout.splitlines()[0])["claims"][0]["issue"] == "TER.WITHDRAW"
        cache = str(tmp_path / "replies.db")
        for _ in range(2):
            scored = runner.invoke(app, ["eval", str(gold), str(tmp_path / "docs"), *llm,
                                         "--cache", cache, "--no-errors"])  # fmt: skip
            assert scored.exit_code == 0, scored.output
            assert "F1 1.000" in scored.stdout
    assert len(model.requests) == 2  # extract once, eval once: the second eval was cached


def test_command_line_names_the_missing_setting_before_any_work(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from peacetrack.cli import app

    (tmp_path / "r.txt").write_text(REPORT, encoding="utf-8")
    env = {"PEACETRACK_LLM_MODEL": "", "OPENAI_BASE_URL": "", "PEACETRACK_LLM_BASE_URL": ""}
    result = CliRunner().invoke(app, ["extract", str(tmp_path), "-e", "llm.v1"], env=env)
    assert result.exit_code == 1
    assert "--model" in result.output and "PEACETRACK_LLM_MODEL" in result.output
    down = ["extract", str(tmp_path), "-e", "llm.v1", "--model", "m",
            "--base-url", "http://127.0.0.1:9/v1"]  # fmt: skip
    result = CliRunner().invoke(app, down, env={"PEACETRACK_LLM_MAX_RETRIES": "0"})
    assert result.exit_code == 1 and "cannot reach the model endpoint" in result.output


def test_structured_output_falls_back_to_what_the_server_accepts_and_remembers_it() -> None:
    import httpx

    seen: list[dict[str, Any]] = []

    def server(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.read())
        seen.append(body)
        kind = (body.get("response_format") or {}).get("type")
        if kind == "json_schema":
            return httpx.Response(
                400, json={"error": {"message": "response_format json_schema unsupported"}}
            )
        if "max_tokens" in body:
            return httpx.Response(
                400, json={"error": {"message": "use max_completion_tokens, not max_tokens"}}
            )
        reply = {"role": "assistant", "content": answer(claim())}
        choice = {"index": 0, "finish_reason": "stop", "message": reply}
        completion = {"id": "x", "object": "chat.completion", "created": 0, "model": "m"}
        return httpx.Response(200, json=completion | {"choices": [choice]})

    settings = LLMSettings(model="m", base_url="http://model.test/v1", max_retries=0)
    llm = LLMExtractor(settings, http_client=httpx.Client(transport=httpx.MockTransport(server)))
    assert len(llm.extract(document(name="a.txt"))) == 1
    assert llm.client.mode == "json_object"
    first_run = len(seen)
    llm.extract(document(REPORT + "\n\nMore talks are planned.", name="b.txt"))
    assert len(seen) == first_run + 1  # the second document went straight to what works
    assert (
        "max_completion_tokens" in seen[-1] and seen[-1]["response_format"]["type"] == "json_object"
    )
