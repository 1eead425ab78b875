"""Extraction runs off the request path (issue #11): with a slow extractor at work on a
pasted report, the paste is answered at once and reads go on being answered meanwhile.

A real uvicorn server on 127.0.0.1 in a background thread, and two slow fake extractors:
one that waits (as a plugin calling a language model over HTTP would: the GIL is free
meanwhile) and one that computes in pure Python for seconds (as the rules extractor does
on a long report: it holds the GIL, so requests get it only in turns, the worst case for a
worker thread). Before the fix every read waited for the whole extraction; now the extractors
work until the test opens a gate, and every read must be answered before it does. How
fast reads are meanwhile is a benchmark's business (timings in unit tests fail on a busy
machine), so the figures are only printed here (run with -s).

Extraction runs in a worker process (``peacetrack.web.worker``), so the slow extractors are
registered with factories it can unpickle, and the gate they wait on is a file."""

from __future__ import annotations

import multiprocessing
import os
import re
import signal
import threading
import time
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")
import httpx
from fastapi import HTTPException

from peacetrack.codebook import use_codebook
from peacetrack.errors import PeaceTrackError
from peacetrack.extract import register_extractor
from peacetrack.model import Claim, Document, Stance
from peacetrack.store import Store
from peacetrack.testing import FakeExtractor, FileGate
from peacetrack.web import create_app
from peacetrack.web.jobs import MAX_WAITING, JobRunner
from peacetrack.web.worker import ExtractionWorker
from web_support import TOKEN, copy_of, filled_store, served

WAITS, COMPUTES = "slow-waits.v1", "slow-computes.v1"
CODEBOOK = Path(__file__).parent / "fixtures" / "codebook" / "extra.toml"
WORK_SECONDS = 60.0
READS = ["/api/documents", "/api/overview", "/", "/documents/1", "/api/compare"]
PASTE = "Moscow demanded that Kyiv withdraw its troops from Donetsk before any ceasefire. " * 200


def _first_sentence(document: Document) -> list[Claim]:
    sentence = document.text.split(". ")[0] + "."
    return [Claim(actors=["RUS"], stance=Stance.DEMAND, issue="TER.WITHDRAW", evidence=sentence)]


def _waiting_claims(gate: Path, document: Document) -> list[Claim]:
    time.sleep(0.5)
    FileGate(gate).wait(WORK_SECONDS)
    return _first_sentence(document)


def _computed_claims(gate: Path, document: Document) -> list[Claim]:
    deadline = time.perf_counter() + WORK_SECONDS
    spins = 0
    while time.perf_counter() < deadline and not (spins > 10**6 and FileGate(gate).is_set()):
        spins += sum(range(200))
    return _first_sentence(document)


@pytest.fixture(scope="module")
def gate(tmp_path_factory: pytest.TempPathFactory) -> FileGate:
    """The slow extractors work until a test opens this gate (or WORK_SECONDS pass), so a
    test knows the extraction is still running while it reads, whatever the machine's load."""
    opened = FileGate(tmp_path_factory.mktemp("gate") / "open")
    opened.set()
    return opened


@pytest.fixture(scope="module")
def filled_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return filled_store(tmp_path_factory.mktemp("jobs") / "examples.db")


@pytest.fixture(scope="module", params=[WAITS, COMPUTES])
def base_url(
    request: pytest.FixtureRequest,
    filled_db: Path,
    gate: FileGate,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    work = _waiting_claims if request.param == WAITS else _computed_claims
    register_extractor(
        request.param, partial(FakeExtractor, partial(work, gate.path), request.param)
    )
    db = copy_of(filled_db, tmp_path_factory.mktemp(request.param))
    with served(create_app(db, TOKEN, extractor=request.param)) as url:
        yield url


def _logged_in(client: httpx.Client) -> str:
    page = client.get("/login").text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found
    csrf = found.group(1)
    client.post("/login", data={"csrf_token": csrf, "token": TOKEN})
    return csrf


def _timed(client: httpx.Client, path: str) -> float:
    began = time.perf_counter()
    assert client.get(path).status_code == 200, path
    return time.perf_counter() - began


def _extractor_of(job: dict[str, Any]) -> str:
    (extractor,) = {c["extractor"] for c in job["claims"]}
    return str(extractor)


def _job(client: httpx.Client, job_id: str) -> dict[str, Any]:
    data: dict[str, Any] = client.get(f"/api/jobs/{job_id}").json()
    return data


def test_reads_are_answered_while_a_paste_is_extracted(base_url: str, gate: FileGate) -> None:
    gate.clear()
    try:
        with httpx.Client(base_url=base_url, timeout=30, follow_redirects=True) as client:
            csrf = _logged_in(client)
            for path in READS:  # warm up: templates compiled, connections open
                _timed(client, path)
            form = {"csrf_token": csrf, "text": PASTE, "title": "Long"}
            sent = client.post("/reports", data=form, follow_redirects=False)
            assert sent.status_code == 303 and sent.headers["location"].startswith("/jobs/")
            job_id = sent.headers["location"].rsplit("/", 1)[1]
            running = _wait_for(client, job_id, "running", stage="extracting claims")
            times = [(path, _timed(client, path)) for _ in range(3) for path in READS]
            still = _job(client, job_id)
            gate.set()
            job = _wait_for(client, job_id, "done")
    finally:
        gate.set()
    # Every read was answered while the extraction could not have finished.
    assert still["state"] == "running", "the extraction ended before the reads were made"
    assert running["stage"] == "extracting claims" and running["total"] == 1
    assert job["added"] == 1 and _extractor_of(job) in (WAITS, COMPUTES)
    ranked = sorted(seconds for _, seconds in times)
    print(
        f"\n{_extractor_of(job)}: {len(times)} reads during extraction; median "
        f"{ranked[len(ranked) // 2]:.3f} s, slowest {max(times, key=lambda t: t[1])}"
    )


def _wait_for(
    client: httpx.Client, job_id: str, state: str, stage: str | None = None
) -> dict[str, Any]:
    deadline = time.monotonic() + 120
    while (job := _job(client, job_id))["state"] != state or stage not in (None, job["stage"]):
        assert job["state"] in ("queued", "running"), job
        assert time.monotonic() < deadline, f"job never reached {state}: {job}"
        time.sleep(0.05)
    return job


def test_the_job_page_shows_progress_then_the_result(base_url: str, gate: FileGate) -> None:
    with httpx.Client(base_url=base_url, timeout=30, follow_redirects=True) as client:
        csrf = _logged_in(client)
        text = "Kyiv proposed an immediate ceasefire along the front line. Talks go on."
        gate.clear()
        try:
            sent = client.post("/reports", data={"csrf_token": csrf, "text": text})
        finally:
            gate.set()
        page = sent.text
        assert 'http-equiv="refresh"' in page and "updates by itself" in page
        job_id = str(sent.url).rsplit("/", 1)[1]
        _wait_for(client, job_id, "done")
        done = client.get(f"/jobs/{job_id}").text
        assert "refresh" not in done and "stored: 1 new" in done and 'class="claim"' in done
        listed = client.get("/reports/new").text
        assert f'href="/jobs/{job_id}"' in listed


def test_the_queue_is_bounded_and_what_is_left_is_dropped_at_shutdown() -> None:
    runner = JobRunner()
    release = threading.Event()
    cleaned: list[int] = []
    first = runner.submit("text", "blocking", lambda job: release.wait(30))
    deadline = time.monotonic() + 10
    while first.state != "running":
        assert time.monotonic() < deadline
        time.sleep(0.01)
    waiting = [
        runner.submit("text", f"n{n}", lambda job: None, cleanup=lambda n=n: cleaned.append(n))
        for n in range(MAX_WAITING)
    ]
    with pytest.raises(HTTPException) as refused:
        runner.submit("text", "one too many", lambda job: None, lambda: cleaned.append(-1))
    assert refused.value.status_code == 503 and cleaned == [-1]
    runner.close(timeout=0.1)
    release.set()
    assert [j.state for j in waiting] == ["failed"] * MAX_WAITING
    assert sorted(cleaned) == [-1, *range(MAX_WAITING)]
    deadline = time.monotonic() + 10
    while first.state != "done":
        assert time.monotonic() < deadline
        time.sleep(0.01)


# --- the worker process --------------------------------------------------------------------


def _started(worker: ExtractionWorker) -> int:
    deadline = time.monotonic() + 30
    while (pid := worker.pid) is None:
        assert time.monotonic() < deadline, "no extraction worker started"
        time.sleep(0.05)
    return pid


def test_a_killed_worker_fails_its_job_in_words_and_the_next_job_starts_another(
    filled_db: Path, gate: FileGate, tmp_path: Path
) -> None:
    """Out of memory or killed: the job says what happened, and the next one gets a new
    worker. Stopping the worker (the server shutting down) leaves no process behind."""
    register_extractor(WAITS, partial(FakeExtractor, partial(_waiting_claims, gate.path), WAITS))
    worker = ExtractionWorker(WAITS)
    failed: list[str] = []
    with Store.open(copy_of(filled_db, tmp_path)) as store:
        doc = store.add_document(Document(name="new.txt", text=PASTE)).document_id

        def extract_until_killed() -> None:
            try:
                worker.extract(store, [doc], lambda done: None)
            except PeaceTrackError as exc:
                failed.append(str(exc))

        gate.clear()
        try:
            first = threading.Thread(target=extract_until_killed)
            first.start()
            pid = _started(worker)
            os.kill(pid, signal.SIGKILL)
            first.join(30)
        finally:
            gate.set()
        assert failed and "its worker process ended" in failed[0]
        done: list[int] = []
        summary = worker.extract(store, [doc], done.append)
        assert summary.documents == 1 and summary.claims == 1 and done == [1]
        second = worker.pid
        assert second not in (None, pid)
        worker.close()
    assert worker.pid is None
    assert second not in {p.pid for p in multiprocessing.active_children()}


def test_an_extractor_only_this_process_can_build_is_refused_at_once() -> None:
    register_extractor("local.v1", lambda: FakeExtractor({}, name="local.v1"))
    with pytest.raises(PeaceTrackError, match="another process cannot use"):
        ExtractionWorker("local.v1")


def test_the_worker_extracts_with_the_codebook_files_in_force(
    filled_db: Path, tmp_path: Path
) -> None:
    """`peacetrack --codebook ours.toml serve`: the worker, another process, knows it too."""
    text = "The Northern Resistance Front demanded an immediate ceasefire, its leaders said."
    use_codebook(CODEBOOK)
    try:
        worker = ExtractionWorker("rules.v1")
        with Store.open(copy_of(filled_db, tmp_path)) as store:
            doc = store.add_document(Document(name="nrf.txt", text=text)).document_id
            summary = worker.extract(store, [doc], lambda done: None)
            found = store.claims(document=doc)
        worker.close()
    finally:
        use_codebook()
    assert summary.claims == 1 and found[0].claim.actors == ["NRF"]
