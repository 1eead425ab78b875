"""How fast the web app answers reads while it extracts a pasted report in the background.

The app runs on uvicorn on 127.0.0.1 over a store of our example reports. A report is
pasted through the API with a slow extractor registered for the run: one that waits (as a
language-model extractor does while its endpoint answers: the GIL is free) and one that
computes in pure Python (as the rules do on a long report: the worst case for a worker
thread, which shares the GIL with the requests; the app runs extraction in a worker
process, so it no longer does). Each extractor works until the reads are done (a gate, a
file the worker process sees), so every read below was made while an extraction was
running. The baseline is the
same reads with no job, measured in the same run; the target is a p95 under 200 ms.

    .venv/bin/python benchmarks/bench_web_jobs.py [--reads 20]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import httpx
from percentiles import p95

from peacetrack.extract import get_extractor, register_extractor
from peacetrack.extract.runner import extract_store
from peacetrack.ingest import ingest
from peacetrack.model import Claim, Document, Stance
from peacetrack.store import Store
from peacetrack.testing import FakeExtractor, FileGate, served_app
from peacetrack.web import create_app

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "bench-token"
READS = ("/api/documents", "/api/overview", "/", "/documents/1", "/api/compare")
PASTE = "Moscow demanded that Kyiv withdraw its troops before any ceasefire, officials said. " * 50


def _claim(document: Document) -> list[Claim]:
    sentence = document.text.split(". ")[0] + "."
    return [Claim(actors=["RUS"], stance=Stance.DEMAND, issue="TER.WITHDRAW", evidence=sentence)]


def _waits(gate: Path, document: Document) -> list[Claim]:
    FileGate(gate).wait(120)
    return _claim(document)


def _computes(gate: Path, document: Document) -> list[Claim]:
    deadline = time.perf_counter() + 120
    rounds = 0
    while time.perf_counter() < deadline:
        sum(range(2000))
        rounds += 1
        if rounds % 100 == 0 and FileGate(gate).is_set():
            break
    return _claim(document)


def timed_reads(client: httpx.Client, rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        for path in READS:
            began = time.perf_counter()
            client.get(path).raise_for_status()
            times.append(time.perf_counter() - began)
    return times


def during_job(client: httpx.Client, rounds: int, kind: str, gate: FileGate) -> list[float]:
    """Reads made while a pasted report is being extracted (the job is held until done)."""
    gate.clear()
    try:
        headers = {"authorization": f"Bearer {TOKEN}"}
        text = f"{PASTE}Filed for the {kind} run."  # a new report each run, never a duplicate
        sent = client.post("/api/reports/text", json={"text": text}, headers=headers)
        url = sent.headers["location"]
        deadline = time.monotonic() + 60
        while (job := client.get(url).json()).get("stage") != "extracting claims":
            if time.monotonic() > deadline or job.get("state") in ("done", "failed"):
                raise RuntimeError(f"the job never reached extraction: {job}")
            time.sleep(0.02)
        times = timed_reads(client, rounds)
        assert client.get(url).json()["state"] == "running", "the job ended during the reads"
        return times
    finally:
        gate.set()


def row(name: str, times: list[float], versus: str) -> dict[str, Any]:
    return {"benchmark": "web-jobs", "measure": name,
            "value": round(statistics.median(times) * 1000, 1), "unit": "ms median",
            "versus": f"p95 {p95(times) * 1000:.1f} ms; {versus}"}  # fmt: skip


def run(reads: int = 20) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    slow: dict[str, Callable[[Path, Document], list[Claim]]] = {
        "waits": _waits,
        "computes": _computes,
    }
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "bench.db"
        gate = FileGate(Path(folder) / "gate")
        with Store.open(db) as store:
            ingest([ROOT / "examples" / "reports"], store)
            extract_store(store, get_extractor("rules.v1"))
        for kind, work in slow.items():
            name = f"bench-{kind}.v1"
            register_extractor(name, partial(FakeExtractor, partial(work, gate.path), name))
            app = create_app(db, TOKEN, extractor=name)
            with served_app(app) as url, httpx.Client(base_url=url, timeout=60) as client:
                timed_reads(client, 2)  # warm up
                baseline = timed_reads(client, reads // 5 + 1)
                busy = during_job(client, reads // 5 + 1, kind, gate)
            base_p95 = p95(baseline)
            rows.append(row(f"reads, no job ({kind} run)", baseline, "baseline"))
            versus = f"baseline p95 {base_p95 * 1000:.1f} ms; target p95 < 200 ms"
            rows.append(row(f"reads during an extraction that {kind}", busy, versus))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", type=int, default=20, help="reads per measurement")
    args = parser.parse_args()
    for r in run(args.reads):
        print(f"{r['measure']:<44} {r['value']:>8} {r['unit']:<10} {r['versus']}")


if __name__ == "__main__":
    main()
