"""Latency of ``compare`` on a store of a million claims, on SQLite and on PostgreSQL.

The store is generated straight into the tables with bulk INSERTs (COPY on PostgreSQL):
~100k documents over three years, ~40 issues and ~30 actors with a skewed spread (a few
main parties and issues carry most claims), every stance, some proposals, near-duplicate
links between syndicated copies. The SQLite file is cached under /tmp, keyed by the
parameters, so a re-run only times. PostgreSQL runs in a throwaway cluster
(``tests/pgcluster.py``); without a server it is left out, with the reason printed.

Per backend it reports: the first comparison after the bulk load (every cell summary is
built then), the median of each comparison once summaries are current, a comparison after
a hundred new reports are extracted into the store (their cells are rebuilt), and, as the
baseline of the same run, the matrix computed from every claim as ``compare`` did before
summaries (``independent_groups`` given, which takes that path).

    .venv/bin/python benchmarks/bench_compare.py [--claims 1000000] [--docs 100000] [-n 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from sqlalchemy import delete, func, select, text

from peacetrack.codebook import default_codebook
from peacetrack.compare import Matrix, compare
from peacetrack.model import Claim, Document, Stance
from peacetrack.store import Store
from peacetrack.store.schema import DocumentRow, StaleCellRow
from pgcluster import ClusterUnavailable, PgCluster

START = date(2023, 1, 1)
DAYS = 3 * 365
PROPOSALS = ["Spring draft", "Capital plan", "Twelve points", "Framework A", "Framework B"]
TARGET_S = 1.0
#: Bump when the generated data or the schema changes, so cached files are not reused
#: (8: migration 0011's cell days, which a store of 7 would gain on first open; 9: migration
#: 0012's level columns, which a store of 8 gains on first open, in place; 10: migration
#: 0013's proposal words, likewise; 11: migration 0015's floors and sources seen, which a
#: store of 10 gains on first open and its first comparison, which rebuilds every cell; 12:
#: migration 0018's kept moments, which a store of 11 gains on first open, in SQL, without
#: a rebuild; 13: migration 0019's next moment in each day, likewise, so a store of 12 is
#: left to code without it).
VERSION = 13
#: Columns written per table, in the order ``_tables`` yields values.
COLUMNS = {
    "documents": [
        "id",
        "name",
        "content_hash",
        "outlet",
        "published",
        "text",
        "ingested_at",
        "minhash",
        "source_id",
    ],
    "document_links": ["doc_a", "doc_b", "similarity"],
    "claims": [
        "id",
        "document_id",
        "extractor",
        "status",
        "stance",
        "issue",
        "proposal",
        "evidence",
        "start",
        "end",
        "created_at",
        "updated_at",
    ],
    "claim_actors": ["claim_id", "role", "position", "actor_id"],
}


def _skewed(rng: np.random.Generator, choices: Sequence[str], size: int) -> list[str]:
    """Zipf-like picks: the first choices are the main parties or the hot issues."""
    weights = 1.0 / np.arange(1, len(choices) + 1) ** 0.9
    picks = rng.choice(len(choices), size=size, p=weights / weights.sum())
    return [choices[i] for i in picks]


def _tables(claims: int, docs: int, seed: int) -> dict[str, list[tuple[Any, ...]]]:
    """Rows of every table; claims are spread evenly over documents (about ten each)."""
    rng = np.random.default_rng(seed)
    book = default_codebook()
    issues = list(book.issues)[:40]
    actors = list(book.actors)[:30]
    stances = [s.value for s in Stance]
    now = datetime(2026, 1, 1, tzinfo=UTC)
    days = rng.integers(0, DAYS, size=docs)
    linked = np.flatnonzero(rng.random(docs - 1) < 0.03) + 1
    links = [(int(a), int(a) + 1, 0.9) for a in linked]
    source = _sources(docs, set(linked.tolist()))
    documents = [
        (n + 1, f"gen-{n + 1}", f"{n + 1:064x}", f"Outlet {n % 23}", START + timedelta(int(d)),
         f"Generated report {n + 1}.", now, b"", source.get(n + 1))
        for n, d in enumerate(days)
    ]  # fmt: skip
    doc_of = np.sort(rng.integers(1, docs + 1, size=claims))
    issue_of = _skewed(rng, issues, claims)
    stance_of = rng.choice(stances, size=claims)
    proposal_of = rng.choice(np.array([*PROPOSALS, *[None] * 45], dtype=object), size=claims)
    rows = [
        (i + 1, int(doc_of[i]), "bench", "extracted", str(stance_of[i]), issue_of[i],
         proposal_of[i], f"Claim {i + 1}.", 0, 9, now, now)
        for i in range(claims)
    ]  # fmt: skip
    first, second = _skewed(rng, actors, claims), _skewed(rng, actors, claims)
    two = rng.random(claims) < 0.2
    claim_actors = [(i + 1, "actor", 0, first[i]) for i in range(claims)]
    claim_actors += [
        (i + 1, "actor", 1, second[i])
        for i in np.flatnonzero(two).tolist()
        if second[i] != first[i]
    ]
    return {"documents": documents, "document_links": links, "claims": rows,
            "claim_actors": claim_actors}  # fmt: skip


def _sources(docs: int, linked: set[int]) -> dict[int, int]:
    """Each linked document's source group head, as ``neardup.join_sources`` would set it:
    links join consecutive documents (a, a + 1), so a chain's head is its first."""
    source: dict[int, int] = {}
    for doc in range(2, docs + 1):
        if doc - 1 in linked:
            source[doc] = source.get(doc - 1, doc - 1)
    return source


def _insert_sqlite(store: Store, tables: dict[str, list[tuple[Any, ...]]]) -> None:
    with store.transaction() as session:
        cursor = session.connection().connection.cursor()
        for table, rows in tables.items():
            columns = COLUMNS[table]
            names = ", ".join(f'"{c}"' for c in columns)
            marks = ", ".join("?" for _ in columns)
            cursor.executemany(
                f"INSERT INTO {table} ({names}) VALUES ({marks})", [_sqlite_values(r) for r in rows]
            )
        cursor.execute("ANALYZE")


def _sqlite_values(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """As SQLAlchemy writes them to SQLite: ISO dates, naive UTC datetimes with microseconds."""
    return tuple(
        v.strftime("%Y-%m-%d %H:%M:%S.%f")
        if isinstance(v, datetime)
        else v.isoformat()
        if isinstance(v, date)
        else v
        for v in row
    )


def _insert_postgres(store: Store, tables: dict[str, list[tuple[Any, ...]]]) -> None:
    with store.transaction() as session:
        cursor = session.connection().connection.cursor()
        for table, rows in tables.items():
            names = ", ".join(f'"{c}"' for c in COLUMNS[table])
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            if "id" in COLUMNS[table]:  # COPY leaves the id sequence behind the ids written
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"
                )
    with store._engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")


@contextmanager
def sqlite_store(claims: int, docs: int, seed: int) -> Iterator[Store]:
    """The cached generated SQLite store, built on first use."""
    path = Path(f"/tmp/peacetrack-bench-compare-v{VERSION}-{claims}-{docs}-{seed}.sqlite")
    if not path.exists():
        partial = path.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        with Store.open(partial) as store:
            _insert_sqlite(store, _tables(claims, docs, seed))
        partial.rename(path)
    with Store.open(path) as store:
        yield store


@contextmanager
def postgres_store(claims: int, docs: int, seed: int, *, durable: bool = False) -> Iterator[Store]:
    """The generated store in a throwaway cluster; ``durable``: with PostgreSQL's own
    settings for writing to disk, as a user's server runs (see ``PgCluster.start``)."""
    cluster = PgCluster.start(durable=durable)
    try:
        with Store.open(cluster.create_database("bench_compare")) as store:
            _insert_postgres(store, _tables(claims, docs, seed))
            yield store
    finally:
        cluster.stop()


def cases(store: Store) -> dict[str, Callable[[], Matrix]]:
    main = _top_actors(store)
    return {
        "all, by actor": lambda: compare(store),
        f"actors={','.join(main)}": lambda: compare(store, actors=main),
        "issues=TER.*": lambda: compare(store, issues=["TER.*"]),
        "by proposal": lambda: compare(store, by="proposal"),
        # Cell summaries are kept across conflicts: one conflict's cells are computed from
        # its claims, loaded in SQL, as a date range's are.
        "conflict=ru-ua": lambda: compare(store, conflict="ru-ua"),
    }


def _assign_conflicts(store: Store) -> None:
    """Give the generated claims conflicts as extraction would, a document's claims one
    conflict: six documents in ten Russia-Ukraine, three Gaza, one unassigned. Idempotent,
    so a cached store is changed once."""
    with store.transaction() as session:
        session.execute(
            text(
                "UPDATE claims SET conflict = CASE WHEN document_id % 10 < 6 THEN 'ru-ua' "
                "ELSE 'il-gaza' END WHERE conflict IS NULL AND document_id % 10 <> 9"
            )
        )


def _top_actors(store: Store) -> list[str]:
    query = (
        "SELECT actor_id FROM claim_actors GROUP BY actor_id ORDER BY count(*) DESC, actor_id "
        "LIMIT 3"
    )
    with store.reading() as connection:
        return list(connection.exec_driver_sql(query).scalars())


def _median(case: Callable[[], Matrix], repeats: int) -> tuple[float, Matrix]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        matrix = case()
        times.append(time.perf_counter() - start)
    return statistics.median(times), matrix


def time_cases(backend: str, store: Store, repeats: int) -> list[dict[str, Any]]:
    """Cold, warm and incremental comparisons, and the computed matrix as the baseline."""
    _assign_conflicts(store)
    claims = store.count_claims()
    rows = [_row(backend, f"first compare after a bulk load ({claims} claims)", *_cold(store), 1)]
    rows[0]["versus"] = "once per bulk load: every cell summary built"
    warm = {}
    for name, case in cases(store).items():
        median, warm[name] = _median(case, repeats)
        verdict = "within" if median < TARGET_S else "OVER"
        rows.append(_row(backend, f"{name} ({claims} claims)", median, warm[name], repeats))
        rows[-1]["versus"] = f"target {TARGET_S:.0f} s: {verdict}"
    baseline, computed = _median(
        lambda: compare(store, independent_groups=store.independent_groups), 1
    )
    if computed != warm["all, by actor"]:
        raise AssertionError(f"{backend}: the summaries' matrix differs from the computed one")
    rows[1]["versus"] += f"; {baseline / rows[1]['value']:.0f} x faster than computing it"
    rows.append(_row(backend, "all, by actor, computed from every claim", baseline, computed, 1))
    rows[-1]["versus"] = "baseline (the path before summaries); same matrix"
    rows.append(_incremental(backend, store, date(2026, 2, 1), "newer than the archive"))
    rows.append(_incremental(backend, store, date(2024, 6, 1), "dated inside the archive"))
    return rows


def _row(backend: str, name: str, seconds: float, matrix: Matrix, runs: int) -> dict[str, Any]:
    unit = "s" if runs == 1 else f"s median of {runs}"
    return {"benchmark": "compare", "measure": f"{backend}: {name}, {len(matrix.cells)} cells",
            "value": round(seconds, 3), "unit": unit, "versus": ""}  # fmt: skip


def _cold(store: Store) -> tuple[float, Matrix]:
    """Mark every cell stale, as a bulk load (or migration 0004) leaves them, then compare."""
    with store.transaction() as session:
        session.execute(delete(StaleCellRow))
        session.execute(
            text(
                "INSERT INTO stale_cells (kind, issue, col, claim_id) "
                "SELECT DISTINCT kind, issue, col, 0 FROM claim_cells"
            )
        )
    return _median(lambda: compare(store), 1)


NEW_REPORTS = 100


def _incremental(backend: str, store: Store, published: date, what: str) -> dict[str, Any]:
    """Extract a hundred new reports into the store, compare, then take them out again.

    Reports newer than a cell's latest moment extend it; older ones make it rebuild.
    """
    rng = np.random.default_rng(1)
    book = default_codebook()
    issues, actors = list(book.issues)[:40], list(book.actors)[:30]
    added = []
    for n in range(NEW_REPORTS):
        sentences = [f"New report {n} sentence {k} on the talks." for k in range(10)]
        doc = Document(name=f"new-{n}", text=" ".join(sentences), published=published)
        document_id = store.add_document(doc).document_id
        added.append(document_id)
        claims = [
            Claim(actors=[a], stance=Stance.DEMAND, issue=i, evidence=sentence)
            for sentence, a, i in zip(
                sentences, _skewed(rng, actors, 10), _skewed(rng, issues, 10), strict=True
            )
        ]
        store.save_extraction(document_id, "bench", claims)
    with store.reading() as connection:
        marked = select(StaleCellRow.kind, StaleCellRow.issue, StaleCellRow.col).distinct()
        stale = connection.scalar(select(func.count()).select_from(marked.subquery())) or 0
    seconds, matrix = _median(lambda: compare(store), 1)
    with store.transaction() as session:
        session.execute(delete(DocumentRow).where(DocumentRow.id.in_(added)))
    store.cells.refresh()
    row = _row(backend, f"compare after {NEW_REPORTS} new reports {what}", seconds, matrix, 1)
    row["versus"] = f"{stale} cells brought up to date; target {TARGET_S:.0f} s: " + (
        "within" if seconds < TARGET_S else "OVER"
    )
    return row


def run(
    claims: int = 1_000_000, docs: int = 100_000, repeats: int = 5, seed: int = 7
) -> list[dict[str, Any]]:
    """Median ``compare`` latency per case and backend."""
    results = []
    with sqlite_store(claims, docs, seed) as store:
        results += time_cases("sqlite", store, repeats)
    try:
        with postgres_store(claims, docs, seed) as store:
            results += time_cases("postgresql", store, repeats)
    except ClusterUnavailable as exc:
        print(f"PostgreSQL left out: {exc}", file=sys.stderr)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("-n", type=int, default=5, help="timed runs per case (median)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    for r in run(args.claims, args.docs, args.n, args.seed):
        print(f"{r['measure']:<64} {r['value']:>8.3f} s  {r['versus']}")


if __name__ == "__main__":
    main()
