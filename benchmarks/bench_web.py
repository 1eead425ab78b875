"""Page render times of the web app, median and p95 over N requests per page.

Fills a store from the dev corpus (``../shared/corpus/dev/docs`` beside the checkout), or
from ``examples/reports`` when it is absent, then times every page and JSON twin through
FastAPI's TestClient (no network: this measures the app, not the socket). Target: every
page under 300 ms at the median.

With ``--claims N`` it measures at archive scale instead: the overview, the timeline,
the claims browser (unfiltered, filtered, sorted, a deep page, its JSON twin) and the
matrix on the generated store of
``bench_compare`` (N claims, N/10 documents, cached under /tmp), against the p95 target
of issue #14 (300 ms at a million claims). The summaries a bulk load leaves to build are
built once beforehand, as ``bench_reads`` does.

    .venv/bin/python benchmarks/bench_web.py [-n 30] [--claims 1000000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from percentiles import p95 as percentile95

from peacetrack.extract import get_extractor
from peacetrack.extract.runner import extract_store
from peacetrack.ingest import ingest
from peacetrack.store import Store
from peacetrack.web import create_app

ROOT = Path(__file__).resolve().parents[1]
DEV_CORPUS = ROOT.parent / "shared" / "corpus" / "dev" / "docs"
EXAMPLES = ROOT / "examples" / "reports"
TARGET_MS = 300.0


def pages(store: Store) -> list[str]:
    claim = store.claims()[0]
    cell_issue, cell_actor = claim.claim.issue, claim.claim.actors[0]
    cell = f"issue={cell_issue}&column={cell_actor}"
    return [
        "/",
        "/?since=2025-01-01",
        "/compare",
        "/compare?by=proposal",
        f"/compare/cell?{cell}",
        f"/api/compare/cell?{cell}",
        "/api/compare",
        f"/documents/{claim.document_id}",
        f"/api/documents/{claim.document_id}",
        "/documents",
        f"/claims/{claim.id}",
        "/claims",
        f"/claims?actor={cell_actor}&issue=TER.*&sort=issue&order=asc",
        "/api/claims?per_page=200&page=2",
        "/timeline",
        "/api/timeline",
        "/diff?a=RUS&b=UKR",
        f"/actors/{cell_actor}",
        f"/api/actors/{cell_actor}.csv",
        *[f"/proposals/{p.id}" for p in store.proposals.list() if p.claims][:1],
        "/audit",
        "/api/audit",
        "/search?q=ceasefire",
        "/api/search?q=ceasefire",
    ]


def scale_pages() -> list[str]:
    """The archive-scale pages issue #14 names: the overview, the timeline, and the states
    of the claims browser and the matrix (the default view, filters, sorts, a deep page,
    the JSON twin, and a filter the summaries cannot answer)."""
    return [
        "/",
        "/timeline",
        "/api/timeline?page=3",
        "/claims",
        "/claims?actor=RUS",
        "/claims?actor=RUS&issue=TER.*",
        "/claims?stance=demand&sort=issue&order=asc",
        "/claims?sort=date&order=asc",
        "/claims?min_support=named&outlet=Outlet+3",
        "/claims?page=150",
        "/api/claims",
        "/api/claims?actor=RUS&per_page=200&page=2",
        "/compare",
        "/api/compare",
        # The evidence panel of the biggest cell, as a review in it refreshes it.
        "/compare/cell?issue=GEN.DEAL&column=RUS&part=true",
    ]


def timed(client: TestClient, path: str, n: int) -> tuple[float, float, float]:
    """The median and p95 wall time of a request, and its median CPU time: the app runs
    in this process (TestClient), so the CPU time is the app's work, which on a machine
    shared with other work varies far less than the wall time."""
    client.get(path)  # warm caches (codebook, templates)
    times, cpu = [], []
    for _ in range(n):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{path}: HTTP {response.status_code} {response.text[:200]}")
    return statistics.median(times), percentile95(times), statistics.median(cpu)


def run(n: int = 30, claims: int | None = None) -> list[dict[str, Any]]:
    """Median and p95 render time of every page on a store filled from the reports, or of
    the archive-scale pages on the generated store of ``claims`` claims."""
    if claims is not None:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from bench_compare import sqlite_store

        from peacetrack.compare import compare

        with sqlite_store(claims, max(claims // 10, 100), seed=7) as store:
            compare(store)
            return time_pages(store, scale_pages(), n, f"{claims:,} claims", "p95")
    source = DEV_CORPUS if DEV_CORPUS.is_dir() else EXAMPLES
    with tempfile.TemporaryDirectory() as folder, Store.open(Path(folder) / "bench.db") as store:
        ingest([source], store)
        extract_store(store, get_extractor("rules.v1"))
        size = f"{store.count_documents()} docs, {store.count_claims()} claims"
        return time_pages(store, pages(store), n, size, "median")


def time_pages(
    store: Store, paths: list[str], n: int, size: str, judged: str
) -> list[dict[str, Any]]:
    """Each page's median and p95; ``judged`` says which of the two meets the target."""
    rows = []
    with TestClient(create_app(store=store), base_url="http://localhost") as client:
        for path in paths:
            try:
                median, p95, cpu = timed(client, path, n)
            except SystemExit as exc:  # one failing page must not hide the others' times
                failure = " ".join(str(exc).split())[:120]
                rows.append({"benchmark": "web", "measure": f"GET {path} ({size})",
                             "value": float("nan"), "unit": "ms median",
                             "versus": f"FAILED: {failure}"})  # fmt: skip
                continue
            over = (p95 if judged == "p95" else median) > TARGET_MS
            rows.append(
                {"benchmark": "web", "measure": f"GET {path} ({size})",
                 "value": round(median, 1), "unit": "ms median",
                 "versus": f"p95 {p95:.1f} ms; CPU median {cpu:.1f} ms; "
                 f"target {judged} {TARGET_MS:.0f} ms: "
                 + ("over" if over else "within")}
            )  # fmt: skip
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=30, help="requests per page (default 30)")
    parser.add_argument(
        "--claims", type=int, default=None, help="measure at this many generated claims"
    )
    args = parser.parse_args()
    rows = run(args.n, args.claims)
    print(f"{'page':<72} {'median ms':>10}  p95, target")
    for row in rows:
        print(f"{row['measure'][4:76]:<72} {row['value']:>10}  {row['versus']}")
    slow = [r for r in rows if r["versus"].endswith("over") or r["versus"].startswith("FAILED")]
    verdict = f"{len(slow)} pages over" if slow else "all pages within"
    print(f"target {TARGET_MS:.0f} ms: {verdict}")


if __name__ == "__main__":
    main()
