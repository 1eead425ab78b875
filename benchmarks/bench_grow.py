"""Ingest and extract into a SQLite store of 10k, 100k and 1M documents, in one run.

Issue #16 asks that ingest and extract into a store keep their rate per document within
20% from 10,000 to 1,000,000 documents. Filling a store of a million the real way takes
about six hours of one core, so this benchmark fills 10,000 the real way (``ingest`` of
``bench_scale``'s generated reports, 50 a day, one in ten a syndicated copy, then
``extract_store`` with ``rules.v1``; cached, see ``--cache``) and grows that store to the
larger sizes by copying its rows in SQL: each copy holds every row of the 10,000 that the
write path reads or indexes, under fresh ids:

- documents (same text and minhash, a new content hash and name, dated the base's span of
  days earlier per copy, so the copies are an older archive and the newest 45 days, which the
  proposal window reads, hold as many documents as in a store of 10,000), their
  near-duplicate links and source groups, and their search index rows (``documents_fts``);
- their MinHash band rows, each bucket mixed with the copy's number: the twins within a
  copy still share buckets (so the index has a real store's spread of shared and lone
  buckets) but no copy collides with another or with the originals, as unrelated reports
  do not; a new report's lookups find what they would find in its own weeks;
- claims with their actors and search rows, extraction records and runs. Proposals are
  not copied: the copies' claims name the base's proposals, as a store filled the real way
  does (the generated reports name one plan, "allies drafted a plan", in many documents;
  a report naming it finds the proposal of its conflict by the plan's words however long
  ago it was made, so ten proposals, one per conflict, serve every size). A first run
  copied the proposals with their words and so held a thousand proposals of one name at
  a million documents, which each report naming the plan read (docs/benchmarks.md).

Cell summaries, cell days and timeline steps are left as the 10,000 made them: they are
per cell (issue by actor or proposal), not per claim, and the write path reads a cell's
summary and its last days only, which the older copies would not change.

At each size a window of fresh reports (``--window``, dated after everything stored) is
ingested and then extracted the real way, after an untimed warm-up of 50 reports; each
stage's CPU seconds per document, and wall seconds, against the 10,000 window of the same
run (target: a rate within 20%, a ratio of 0.8 or more). ``extract`` is timed as a whole
call, counting the pending documents and bringing the cell summaries up to date when it
ends. Every statement the window runs is timed (CPU) and listed with its cost per call
against the smallest size, and each SELECT is explained (``EXPLAIN QUERY PLAN``) on the
largest store: a full scan of a growing table is printed as such.

    .venv/bin/python benchmarks/bench_grow.py [--sizes 10000,100000,1000000] [--window 1000]

Progress goes to stderr, the tables to stdout; ``run()`` gives the rows ``run_all.py``
prints (each stage's CPU ms per document and its rate against the first size's).
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_scale import PER_DAY, write_corpus

from peacetrack.extract import get_extractor
from peacetrack.extract.runner import extract_store
from peacetrack.ingest import ingest
from peacetrack.store import Store

BASE = 10_000
SEED = 7
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
WARM_UP = 50
#: Issue #16: the rate per document at every size at least 0.8 of the smallest size's.
MIN_RATIO = 0.8
#: Tables copied, with their columns as copied (``{d}``: the document id offset, and so on).
COPIES: dict[str, tuple[str, str]] = {
    "runs": ("id, kind, started_at, finished_at, status, params, stats",
             "id + :r, kind, started_at, finished_at, status, params, stats"),
    "documents": (
        "id, name, content_hash, url, title, outlet, author, published, language, text, "
        "source, ingested_at, minhash, source_id, conflict, conflict_reviewer",
        "id + :d, name || :tag, substr(content_hash, 1, 56) || printf('%08x', :k), url, "
        "title, outlet, author, date(published, :shift), language, text, source, "
        "ingested_at, minhash, source_id + :d, conflict, conflict_reviewer"),
    "document_links": ("doc_a, doc_b, similarity", "doc_a + :d, doc_b + :d, similarity"),
    "minhash_bands": ("document_id, band, bucket", "document_id + :d, band, mix(bucket, :k)"),
    "claims": (
        "id, document_id, extractor, status, stance, issue, territories, conditions, "
        "recognition, proposal_id, proposal, attribution_source, attribution_anonymous, "
        "evidence, start, \"end\", created_at, updated_at, model, prompt_hash, confidence, "
        "conflict",
        "id + :c, document_id + :d, extractor, status, stance, issue, territories, "
        "conditions, recognition, proposal_id, proposal, attribution_source, "
        "attribution_anonymous, evidence, start, \"end\", created_at, updated_at, model, "
        "prompt_hash, confidence, conflict"),
    "claim_actors": ("claim_id, role, position, actor_id",
                     "claim_id + :c, role, position, actor_id"),
    "extractions": ("id, document_id, extractor, run_id, n_claims, finished_at, variant",
                    "id + :e, document_id + :d, extractor, run_id + :r, n_claims, "
                    "finished_at, variant"),
}  # fmt: skip
#: Which rows of each table belong to the base: its last id of each kind.
TEMPLATE = {
    "runs": "id <= :r0",
    "documents": "id <= :n0",
    "document_links": "doc_b <= :n0",
    "minhash_bands": "document_id <= :n0",
    "claims": "document_id <= :n0",
    "claim_actors": "claim_id <= :c0",
    "extractions": "document_id <= :n0",
}
#: The offset each id kind gets per copy: table and column holding its largest value.
OFFSETS = {
    "d": ("documents", "id"),
    "c": ("claims", "id"),
    "e": ("extractions", "id"),
    "r": ("runs", "id"),
}
LIMITS = {"n0": ("documents", "id"), "c0": ("claims", "id"), "p0": ("proposals", "id"),
          "r0": ("runs", "id")}  # fmt: skip


def mix(bucket: int, copy: int) -> int:
    """A band bucket of copy ``copy``: equal buckets stay equal within it, and differ from
    every other copy's as unrelated buckets do."""
    data = bucket.to_bytes(8, "big", signed=True) + copy.to_bytes(4, "big")
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big", signed=True)


def fill_base(path: Path, size: int) -> None:
    """``size`` generated reports ingested and extracted the real way into ``path``."""
    with tempfile.TemporaryDirectory() as tmp, Store.open(path) as store:
        ingest(write_corpus(Path(tmp), size, SEED), store)
        extract_store(store, get_extractor("rules.v1"))


def _largest(db: sqlite3.Connection, table: str, column: str) -> int:
    return int(db.execute(f"SELECT coalesce(max({column}), 0) FROM {table}").fetchone()[0])


def template_limits(path: Path) -> dict[str, int]:
    """The base's last id of each kind, read before anything is added to it."""
    with closing(sqlite3.connect(path)) as db:
        return {name: _largest(db, *where) for name, where in LIMITS.items()}


@contextmanager
def bulk(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection for copying: the tables' own triggers and indexes dropped while rows
    are copied, made again (indexes sorted in one go) and the search rows added after."""
    db = sqlite3.connect(path, isolation_level=None)
    db.create_function("mix", 2, mix, deterministic=True)
    db.execute("PRAGMA cache_size=-1000000")
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    tables = ", ".join(f"'{t}'" for t in COPIES)
    made = db.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND "
        f"((type = 'index' AND tbl_name IN ({tables})) OR type = 'trigger')"
    ).fetchall()
    for kind, name, _ in made:
        db.execute(f"DROP {kind.upper()} {name}")
    before = {t: _largest(db, "claims" if t == "claims_fts" else "documents", "id")
              for t in ("documents_fts", "claims_fts")}  # fmt: skip
    try:
        yield db
    finally:
        for _, _, sql in made:
            db.execute(sql)
        db.execute(
            "INSERT INTO documents_fts (rowid, title, text) SELECT id, title, text FROM "
            "documents WHERE id > ?",
            (before["documents_fts"],),
        )
        db.execute(
            "INSERT INTO claims_fts (rowid, evidence, proposal, attribution_source) SELECT "
            "id, evidence, proposal, attribution_source FROM claims WHERE id > ?",
            (before["claims_fts"],),
        )
        # One INSERT of millions of rows leaves FTS5 segments to merge, and every later
        # write does a share of that merging: 309 pages of claims_fts_data per extraction
        # commit at a million (5 at 10,000), 3.5 ms of CPU per commit. A store filled one
        # report at a time merges as it goes, so the copies are merged here.
        for fts in ("documents_fts", "claims_fts"):
            db.execute(f"INSERT INTO {fts} ({fts}) VALUES ('optimize')")
        db.execute("PRAGMA journal_mode=WAL")
        db.close()


def grow(path: Path, limits: dict[str, int], target: int, made: int) -> int:
    """Copy the base's rows until the store holds ``target`` documents, numbering the
    copies on from ``made``; returns the copies made."""
    with closing(sqlite3.connect(path)) as db:
        held = int(db.execute("SELECT count(*) FROM documents").fetchone()[0])
    copies = max(0, -(-(target - held) // limits["n0"]))
    if not copies:  # nothing to copy: keep the indexes (--keep), remaking them takes minutes
        return 0
    with bulk(path) as db:
        span = limits["n0"] // PER_DAY + 1  # days of the base's reports
        for k in range(made + 1, made + copies + 1):
            offsets = {name: _largest(db, *where) for name, where in OFFSETS.items()}
            values = limits | offsets | {"k": k, "tag": f" ~{k}", "shift": f"-{span * k} days"}
            db.execute("BEGIN")
            for table, (columns, select) in COPIES.items():
                db.execute(
                    f"INSERT INTO {table} ({columns}) SELECT {select} FROM {table} "
                    f"WHERE {TEMPLATE[table]}",
                    values,
                )
            db.execute("COMMIT")
    return copies


def copies_made(path: Path) -> int:
    """The number of the last copy of the base in the store (names end in `` ~N``)."""
    last = "SELECT max(CAST(substr(name, instr(name, ' ~') + 2) AS INTEGER)) FROM documents"
    with closing(sqlite3.connect(path)) as db:
        found = db.execute(f"{last} WHERE name LIKE '% ~%'").fetchone()[0]
    return int(found or 0)


@dataclass
class Statements:
    """CPU seconds and calls per statement (lists of parameters folded), and one example
    of each statement's parameters, to explain its plan."""

    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    calls: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    example: dict[str, Any] = field(default_factory=dict)


_LISTS = re.compile(r"\(\?(?:, \?)*\)(?:, \(\?(?:, \?)*\))*")


@contextmanager
def statements() -> Iterator[Statements]:
    """Every statement any engine runs meanwhile, timed by the process's CPU clock."""
    found = Statements()

    def before(conn: Any, cursor: Any, sql: str, params: Any, context: Any, many: bool) -> None:
        conn.info["bench_began"] = time.process_time()

    def after(conn: Any, cursor: Any, sql: str, params: Any, context: Any, many: bool) -> None:
        key = _LISTS.sub("(?...)", " ".join(sql.split()))
        found.seconds[key] += time.process_time() - conn.info.pop("bench_began")
        found.calls[key] += 1
        found.example.setdefault(key, (sql, params[0] if many else params))

    event.listen(Engine, "before_cursor_execute", before)
    event.listen(Engine, "after_cursor_execute", after)
    try:
        yield found
    finally:
        event.remove(Engine, "before_cursor_execute", before)
        event.remove(Engine, "after_cursor_execute", after)


def _cpu_wall() -> tuple[float, float]:
    return time.process_time(), time.perf_counter()


@dataclass
class Window:
    """One size's window: documents stored before it, and each stage's seconds."""

    size: int
    claims: int
    documents: int
    ingest: tuple[float, float]
    extract: tuple[float, float]
    #: Of ``extract``: after its last document (the cell summaries brought up to date).
    closing: tuple[float, float]
    new_claims: int
    statements: Statements

    def per_doc(self, stage: str, clock: int) -> float:
        spent: tuple[float, float] = getattr(self, stage)
        return 1000 * spent[clock] / self.documents


def newest(path: Path) -> date:
    with closing(sqlite3.connect(path)) as db:
        return date.fromisoformat(db.execute("SELECT max(published) FROM documents").fetchone()[0])


def _no_bar(total: int) -> None:
    """``peacetrack extract`` counts the pending documents for its progress bar first."""


def measure(path: Path, count: int, seed: int) -> Window:
    """Warm up, then ingest and extract ``count`` fresh reports dated after the store's."""
    extractor = get_extractor("rules.v1")
    first = newest(path) + timedelta(days=1)
    last: list[tuple[float, float]] = [_cpu_wall()]

    def done(_: object) -> None:
        last[0] = _cpu_wall()

    with tempfile.TemporaryDirectory() as tmp:
        folders = Path(tmp, "warm"), Path(tmp, "timed")
        for folder in folders:
            folder.mkdir()
        warm = write_corpus(folders[0], WARM_UP, seed + 1, first, files=1)
        files = write_corpus(folders[1], count, seed, first + timedelta(days=WARM_UP // PER_DAY))
        with Store.open(path) as store:
            size, claims = store.count_documents(), store.count_claims()
            ingest(warm, store)
            extract_store(store, extractor)
            with statements() as found:
                began = _cpu_wall()
                ingest(files, store)
                ingested = _cpu_wall()
                extract_store(store, extractor, on_total=_no_bar, progress=done)
                ended = _cpu_wall()
            new = store.count_claims() - claims
    return Window(
        size=size,
        claims=claims,
        documents=count,
        ingest=_minus(ingested, began),
        extract=_minus(ended, ingested),
        closing=_minus(ended, last[0]),
        new_claims=new,
        statements=found,
    )


def _minus(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    return a[0] - b[0], a[1] - b[1]


def scans(path: Path, found: Statements) -> list[tuple[str, str]]:
    """(statement, plan line) for each scan, of a table or of a whole index, that a SELECT
    of the window would make now (constant rows and the outer loop of a view are not)."""
    lines = []
    with closing(sqlite3.connect(path)) as db:
        for key, (sql, params) in found.example.items():
            if not key.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            for row in db.execute(f"EXPLAIN QUERY PLAN {sql}", params):
                if re.match(r"SCAN (?!CONSTANT|\d+ CONSTANT|\(subquery)", row[-1]):
                    lines.append((key, row[-1]))
    return lines


def report(rows: list[Window], path: Path, top: int) -> None:
    base = rows[0]
    print("| documents stored (claims) | ingest ms CPU/doc | x | extract ms CPU/doc | x | "
          "of it after the last doc, ms/doc | wall ingest, extract ms/doc |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for w in rows:
        print(
            f"| {w.size:,} ({w.claims:,}) | {w.per_doc('ingest', 0):.2f} | "
            f"{w.per_doc('ingest', 0) / base.per_doc('ingest', 0):.2f} | "
            f"{w.per_doc('extract', 0):.2f} | "
            f"{w.per_doc('extract', 0) / base.per_doc('extract', 0):.2f} | "
            f"{w.per_doc('closing', 0):.2f} | "
            f"{w.per_doc('ingest', 1):.2f}, {w.per_doc('extract', 1):.2f} |"
        )
    largest = rows[-1].statements
    print(f"\nstatements by CPU at {rows[-1].size:,} (ms per call; x: against {base.size:,}):")
    ranked = sorted(largest.seconds, key=lambda k: -largest.seconds[k])[:top]
    for key in ranked:
        per_call = 1000 * largest.seconds[key] / largest.calls[key]
        was = base.statements.calls.get(key)
        ratio = per_call / (1000 * base.statements.seconds[key] / was) if was else float("nan")
        print(f"  {largest.seconds[key]:7.2f} s {largest.calls[key]:7} calls "
              f"{per_call:8.3f} ms x{ratio:5.2f}  {key[:150]}")  # fmt: skip
    print("\nfull scans in the window's SELECTs on the largest store:")
    for key, detail in scans(path, largest) or [("", "none")]:
        print(f"  {detail}  <- {key[:150]}")


def windows(
    sizes: Sequence[int],
    window: int,
    cache: Path,
    base: int = BASE,
    keep: bool = False,
    seed: int = SEED,
) -> tuple[list[Window], Path]:
    """Each size's window, the store grown to it from a base of ``base`` reports filled the
    real way (cached in ``cache``); the grown store's path. Progress goes to stderr."""
    cache.mkdir(parents=True, exist_ok=True)
    filled = cache / f"base-{base}.db"
    if not filled.exists():
        _progress(f"filling {base:,} reports the real way into {filled}")
        fill_base(filled, base)
    work = cache / "grown.db"
    if not (keep and work.exists()):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{work}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(filled, work)
    limits = template_limits(filled)
    _progress(f"SQLite on disk; rules.v1; window {window}; {limits}")
    found, made = [], copies_made(work)
    for n, size in enumerate(sizes):
        began = _cpu_wall()
        copies = grow(work, limits, size, made)
        made += copies
        spent = _minus(_cpu_wall(), began)
        _progress(f"grown to {size:,}: {copies} copies, {spent[0]:.0f} s CPU, "
                  f"{spent[1]:.0f} s wall")  # fmt: skip
        found.append(measure(work, window, seed + 100 * (n + 1)))
        w = found[-1]
        _progress(f"  {w.size:,} docs: ingest {w.per_doc('ingest', 0):.2f} ms CPU/doc, extract "
                  f"{w.per_doc('extract', 0):.2f} ({w.per_doc('closing', 0):.2f} after the "
                  f"last), {w.new_claims} claims")  # fmt: skip
    return found, work


def _progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def rows(found: list[Window]) -> list[dict[str, Any]]:
    """One row per size and stage: CPU ms per document, its rate against the first
    window's, and issue #16's target for it (a rate within 20%, by CPU time)."""
    base = found[0]
    table = []
    for w in found:
        for stage in ("ingest", "extract"):
            ms, wall = w.per_doc(stage, 0), w.per_doc(stage, 1)
            ratio = base.per_doc(stage, 0) / ms
            after = f", {w.per_doc('closing', 0):.2f} after the last" if stage == "extract" else ""
            targeted = w is not base
            table.append(
                {"benchmark": "grow",
                 "measure": f"{stage} {w.documents:,} reports into a store of {w.size:,} "
                            f"documents ({w.claims:,} claims)",
                 "value": round(ms, 2), "unit": "ms CPU/doc",
                 "versus": (f"rate {ratio:.2f} x at {base.size:,}" if targeted else "baseline")
                           + f"; wall {wall:.2f} ms/doc{after}",
                 "target": f"rate >= {MIN_RATIO} x at {base.size:,}" if targeted else "",
                 "met": ratio >= MIN_RATIO if targeted else None}
            )  # fmt: skip
    return table


def run(
    sizes: Sequence[int] = DEFAULT_SIZES, window: int = 1000, base: int = BASE
) -> list[dict[str, Any]]:
    """The rows of ``rows`` from a base filled the real way by this commit, in a temporary
    folder (a cached base may have been filled by another commit's code)."""
    with tempfile.TemporaryDirectory(prefix="peacetrack-grow-") as tmp:
        return rows(windows(sizes, window, Path(tmp), base)[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)))
    parser.add_argument("--window", type=int, default=1000, help="fresh reports per size")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "grow")
    parser.add_argument("--top", type=int, default=25, help="statements listed")
    parser.add_argument("--base", type=int, default=BASE, help="reports filled the real way")
    parser.add_argument(
        "--keep", action="store_true", help="go on from the grown store of the last run"
    )
    parser.add_argument(
        "--seed", type=int, default=SEED, help="another for each run that goes on (--keep)"
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    print(f"commit {commit or '?'}; SQLite on disk; rules.v1; window {args.window}", flush=True)
    found, work = windows(sizes, args.window, args.cache, args.base, args.keep, args.seed)
    report(found, work, args.top)


if __name__ == "__main__":
    main()
