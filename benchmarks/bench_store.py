"""Ingest rate of the store on SQLite and on PostgreSQL, one writer, generated documents.

Each document costs a content-hash lookup, a MinHash signature, the row, 20 LSH band rows,
a candidate search and, for syndicated copies, link rows: all in one transaction. A second
pass adds the same documents again, which the store recognises as duplicates by hash.
PostgreSQL runs in a throwaway cluster started here with the tests' own code
(``tests/pgcluster.py``); without a server it is left out, with the reason printed.

    .venv/bin/python benchmarks/bench_store.py [--docs 3000] [--seed 7]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from peacetrack.model import Document
from peacetrack.store import Store
from pgcluster import ClusterUnavailable, PgCluster

WORDS = [
    "delegation",
    "talks",
    "ceasefire",
    "envoy",
    "border",
    "truce",
    "prisoners",
    "exchange",
    "withdrawal",
    "region",
    "sanctions",
    "guarantee",
    "monitors",
    "corridor",
    "aid",
    "convoy",
    "minister",
    "summit",
    "draft",
    "memorandum",
    "negotiators",
    "capital",
    "front",
    "line",
    "energy",
    "grain",
    "port",
    "shelling",
    "evacuation",
    "referendum",
    "recognition",
    "sovereignty",
    "troops",
    "artillery",
    "buffer",
    "zone",
    "elections",
    "amnesty",
    "reconstruction",
]
#: One document in this many is a syndicated copy of an earlier one (new headline, credits).
SYNDICATED_EVERY = 10


def make_documents(count: int, seed: int) -> list[Document]:
    """Reports of about 250 words; every tenth reprints an earlier one with a credit line."""
    rng = random.Random(seed)
    texts: list[str] = []
    for n in range(count):
        if n and n % SYNDICATED_EVERY == 0:
            texts.append(f"{rng.choice(texts)}\n\nReporting by desk {n}; editing by desk {n + 1}")
            continue
        sentences = [
            " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 18))).capitalize() + "."
            for _ in range(20)
        ]
        texts.append(f"Dispatch {n}. " + " ".join(sentences))
    return [
        Document(
            name=f"bench-{n:05d}.txt",
            text=text,
            outlet=f"Outlet {n % 17}",
            published=date(2025, 1 + n % 12, 1 + n % 28),
        )
        for n, text in enumerate(texts)
    ]


@dataclass
class Result:
    backend: str
    documents: int
    seconds: float
    linked: int
    again_seconds: float


def measure(backend: str, url: str, documents: list[Document]) -> Result:
    with Store.open(url) as store:
        start = time.perf_counter()
        results = [store.add_document(doc) for doc in documents]
        seconds = time.perf_counter() - start
        start = time.perf_counter()
        again = [store.add_document(doc) for doc in documents]
        again_seconds = time.perf_counter() - start
        assert store.count_documents() == len(documents)
    assert all(result.status == "duplicate" for result in again)
    linked = sum(result.status == "near_duplicate" for result in results)
    return Result(backend, len(documents), seconds, linked, again_seconds)


def measure_postgres(documents: list[Document]) -> Result | None:
    try:
        cluster = PgCluster.start()
    except ClusterUnavailable as exc:
        print(f"PostgreSQL left out: {exc}", file=sys.stderr)
        return None
    try:
        return measure("postgresql", cluster.create_database("bench"), documents)
    finally:
        cluster.stop()


def run(docs: int = 3000, seed: int = 7) -> list[dict[str, Any]]:
    """Ingest rate (first add, then re-add as duplicates) on SQLite and PostgreSQL."""
    documents = make_documents(docs, seed)
    results = []
    with tempfile.TemporaryDirectory() as folder:
        results.append(measure("sqlite", f"sqlite:///{folder}/bench.db", documents))
    on_postgres = measure_postgres(documents)
    if on_postgres is not None:
        results.append(on_postgres)
    base = results[0].documents / results[0].seconds
    return [
        {"benchmark": "store", "measure": f"ingest into {r.backend} ({r.documents} docs, "
         f"{r.linked} near dups)", "value": round(r.documents / r.seconds), "unit": "docs/s",
         "versus": "baseline" if r is results[0]
         else f"{r.documents / r.seconds / base:.2f} x sqlite",
         "readd_docs_s": round(r.documents / r.again_seconds)}
        for r in results
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(f"{'measure':<48} {'docs/s':>8} {'re-add docs/s':>14}  versus")
    for row in run(args.docs, args.seed):
        print(f"{row['measure']:<48} {row['value']:>8} {row['readd_docs_s']:>14}  {row['versus']}")


if __name__ == "__main__":
    main()
