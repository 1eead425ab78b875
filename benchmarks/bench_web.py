"""Page render times of the web app, median and p95 over N requests per page.

Fills a store from the dev corpus (``../shared/corpus/dev/docs`` beside the checkout), or
from ``examples/reports`` when it is absent, then times every page and JSON twin through
FastAPI's TestClient (no network: this measures the app, not the socket). Target: every
page under 300 ms at the median.

    .venv/bin/python benchmarks/bench_web.py [-n 30]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

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


def timed(client: TestClient, path: str, n: int) -> tuple[float, float]:
    client.get(path)  # warm caches (codebook, templates)
    times = []
    for _ in range(n):
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{path}: HTTP {response.status_code} {response.text[:200]}")
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95


def run(n: int = 30) -> list[dict[str, Any]]:
    """Median and p95 render time of every page on a store filled from the reports."""
    source = DEV_CORPUS if DEV_CORPUS.is_dir() else EXAMPLES
    rows = []
    with tempfile.TemporaryDirectory() as folder, Store.open(Path(folder) / "bench.db") as store:
        ingest([source], store)
        extract_store(store, get_extractor("rules.v1"))
        size = f"{store.count_documents()} docs, {store.count_claims()} claims"
        with TestClient(create_app(store=store), base_url="http://localhost") as client:
            for path in pages(store):
                try:
                    median, p95 = timed(client, path, n)
                except SystemExit as exc:  # one failing page must not hide the others' times
                    failure = " ".join(str(exc).split())[:120]
                    rows.append({"benchmark": "web", "measure": f"GET {path} ({size})",
                                 "value": float("nan"), "unit": "ms median",
                                 "versus": f"FAILED: {failure}"})  # fmt: skip
                    continue
                rows.append(
                    {"benchmark": "web", "measure": f"GET {path} ({size})",
                     "value": round(median, 1), "unit": "ms median",
                     "versus": f"p95 {p95:.1f} ms; target {TARGET_MS:.0f} ms: "
                     + ("over" if median > TARGET_MS else "within")}
                )  # fmt: skip
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=30, help="requests per page (default 30)")
    args = parser.parse_args()
    rows = run(args.n)
    print(f"{'page':<72} {'median ms':>10}  p95, target")
    for row in rows:
        print(f"{row['measure'][4:76]:<72} {row['value']:>10}  {row['versus']}")
    slow = [row for row in rows if row["value"] > TARGET_MS]
    verdict = f"{len(slow)} pages over" if slow else "all pages within"
    print(f"target {TARGET_MS:.0f} ms: {verdict}")


if __name__ == "__main__":
    main()
