"""Ingest and extract into a SQLite store at growing sizes: does the rate per document hold?

Issue #16: a store that slows down as it grows turns an archive into a week-end job. For
each size a fresh store on disk (the store's own settings: WAL, ``synchronous=NORMAL``) is
filled the way a user fills it: ``ingest`` over JSONL files of generated reports (dated
about 50 a day, so proposals meet others inside their 45-day window; one in ten a
syndicated copy), then ``extract_store`` with ``rules.v1``. Each stage is timed in ten
windows of equal document counts; the rate of the first window (after a warm-up outside
the timing) and of the last, and their ratio end/start, say whether the cost per document
grows with the store (target: a ratio of 0.8 or more).

    .venv/bin/python benchmarks/bench_scale.py [--sizes 1000,5000,20000] [--large]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path

from bench_extract import make_texts

from peacetrack.extract import get_extractor
from peacetrack.extract.runner import extract_store
from peacetrack.ingest import ingest, ingest_text
from peacetrack.model import Document
from peacetrack.store import Store

WINDOWS = 10
PER_DAY = 50
SYNDICATED_EVERY = 10
DEFAULT_SIZES = (1000, 5000, 20000)
LARGE_SIZES = (100_000,)


@dataclass
class Rates:
    """A stage's rates in documents/s: over the whole run, in its first and last window."""

    overall: float
    start: float
    end: float

    @property
    def ratio(self) -> float:
        return self.end / self.start


def write_corpus(folder: Path, count: int, seed: int) -> list[Path]:
    """``count`` dated reports in ``WINDOWS`` JSONL files, so ingest reports each window."""
    rng = random.Random(seed)
    texts = make_texts(count, seed)
    for n in range(SYNDICATED_EVERY, count, SYNDICATED_EVERY):
        texts[n] = f"{rng.choice(texts[:n])}\nReporting by desk {n}; editing by desk {n + 1}"
    first = date(2024, 1, 1)
    per_file = -(-count // WINDOWS)
    files = []
    for w in range(WINDOWS):
        path = folder / f"part-{w:02d}.jsonl"
        with path.open("w", encoding="utf-8") as handle:
            for n in range(w * per_file, min(count, (w + 1) * per_file)):
                row = {
                    "text": f"Dispatch {n}.\n{texts[n]}",
                    "title": f"Dispatch {n}",
                    "outlet": f"Outlet {n % 17}",
                    "date": (first + timedelta(days=n // PER_DAY)).isoformat(),
                }
                handle.write(json.dumps(row) + "\n")
        files.append(path)
    return files


def window_rates(stamps: list[float], began: float, documents: int) -> Rates:
    """Rates of ``documents`` done over ``stamps`` (when each file or document was done)."""
    step = len(stamps) / WINDOWS
    edges = [began, *(stamps[round(step * (k + 1)) - 1] for k in range(WINDOWS))]
    per_window = documents / WINDOWS
    return Rates(
        documents / (stamps[-1] - began),
        per_window / (edges[1] - edges[0]),
        per_window / (edges[-1] - edges[-2]),
    )


def timed(run: Callable[[Callable[[object], None]], object]) -> tuple[float, list[float]]:
    stamps: list[float] = []
    began = time.perf_counter()
    run(lambda _: stamps.append(time.perf_counter()))
    return began, stamps


def measure(size: int, seed: int) -> dict[str, object]:
    """Ingest then extract ``size`` reports into a fresh store; rates of both stages."""
    extractor = get_extractor("rules.v1")
    extractor.extract(Document(name="warm", text="Moscow demanded a ceasefire."))
    with tempfile.TemporaryDirectory() as tmp:
        files = write_corpus(Path(tmp), size, seed)
        with Store.open(Path(tmp) / "scale.db") as store:
            ingest_text("A warm-up report: it loads the readers and language detection.", store)
            began, stamps = timed(lambda note: ingest(files, store, progress=note))
            ingested = window_rates(stamps, began, size)
            began, stamps = timed(lambda note: extract_store(store, extractor, progress=note))
            extracted = window_rates(stamps, began, len(stamps))
            claims = store.count_claims()
    return {"size": size, "claims": claims, "ingest": ingested, "extract": extracted}


def report(row: dict[str, object]) -> str:
    parts = [f"{row['size']:>7} docs {row['claims']:>8} claims"]
    for stage in ("ingest", "extract"):
        r = row[stage]
        assert isinstance(r, Rates)
        parts.append(
            f"{stage} {r.overall:6.1f}/s (start {r.start:6.1f}, end {r.end:6.1f}, "
            f"end/start {r.ratio:.2f})"
        )
    return " | ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)))
    parser.add_argument("--large", action="store_true", help="add 100,000 documents")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")] + list(LARGE_SIZES if args.large else ())
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    print(f"commit {commit or '?'}; SQLite on disk; rules.v1; {WINDOWS} windows per stage")
    rows = []
    for size in sizes:
        row = measure(size, args.seed)
        print(report(row), flush=True)
        rows.append(row)
    if args.json:
        flat = [
            {k: asdict(v) if isinstance(v, Rates) else v for k, v in row.items()} for row in rows
        ]
        args.json.write_text(json.dumps({"commit": commit, "rows": flat}, indent=1))


if __name__ == "__main__":
    main()
