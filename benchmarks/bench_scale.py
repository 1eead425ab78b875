"""Ingest and extract into a SQLite store at growing sizes: does the rate per document hold?

Issue #16: a store that slows down as it grows turns an archive into a week-end job. For
each size a fresh store on disk (the store's own settings: WAL, ``synchronous=NORMAL``) is
filled the way a user fills it: ``ingest`` over JSONL files of generated reports (dated
about 50 a day, so proposals meet others inside their 45-day window; one in ten a
syndicated copy), then ``extract_store`` with ``rules.v1``. Each stage is timed in ten
windows of equal document counts; the rate of the first window (after a warm-up outside
the timing) and of the last, and their ratio end/start, say whether the cost per document
grows with the store (target: a ratio of 0.8 or more). Each rate is given in wall time and
in the process's CPU time: on a shared machine the wall rate follows the load, the CPU
rate follows the work.

The reports are drawn from sentence templates whose parties, places, numbers and days
vary, so two reports share a sentence about as often as two real ones on the same talks
do; reports cut from a few fixed sentences would make every report a near-duplicate
candidate of every other, a cost real archives do not have.

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

from bench_extract import in_paragraphs

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


#: Sentence templates, as reporters write positions and colour; slots are filled per report.
TEMPLATES = (
    "{a} demanded that {b} withdraw its forces from {region} before any truce.",
    "A senior official familiar with the talks said {a} wants sanctions on {b} lifted.",
    "A spokesman for {a} said the discussions in {city} should stay behind closed doors.",
    "{a} and {b} agreed to exchange {n} prisoners but failed to agree on a ceasefire.",
    "{a} and its allies drafted a plan that puts a ceasefire in {region} first.",
    "{a} rejected any territorial concessions in {region} and called for security guarantees.",
    "The draft circulated in {city} proposed recognition of {b}'s control of {region}.",
    "{a} said it had accepted the proposal put forward by mediators in {city} on {day}.",
    "{a} is ready to allow more humanitarian aid into {region}, an official said on {day}.",
    "The talks in {city} ended without a breakthrough, according to {n} people briefed on them.",
    "{a} dropped its demand for an immediate election, a diplomat in {city} said.",
    "Analysts in {city} said {a} could accept a limited truce around {region}.",
    "The next round of talks between {a} and {b} is expected in {city} around {day}.",
    "Fighting continued near {region} on {day}, with {n} people reported hurt.",
    "{a} offered to host a meeting between the delegations in {city}.",
    "There was no such demand in the memorandum that mediators in {city} prepared on {day}.",
    "Air raid sirens sounded across {region} for {n} minutes overnight.",
    "The delegations arrived in {city} in a convoy of {n} cars shortly after noon on {day}.",
    "Heavy rain slowed the movement of {n} trucks along the road to {region}.",
    "Residents of {region} queued for bread and water as power cuts continued.",
    "The foreign minister of {a} flew home after a brief stop in {city} on {day}.",
    "Reporters were kept outside the hotel in {city} while the meeting went on late.",
)
PARTIES = (
    "Russia", "Ukraine", "Israel", "Hamas", "Armenia", "Azerbaijan", "Sudan", "Ethiopia",
    "Rwanda", "Cambodia", "Thailand", "Serbia", "Kosovo", "Colombia", "Yemen", "Lebanon",
)  # fmt: skip
CITIES = (
    "Istanbul", "Geneva", "Doha", "Cairo", "Riyadh", "Abu Dhabi", "Vienna", "Oslo", "Nairobi",
    "Addis Ababa", "Jeddah", "Muscat", "Brussels", "Washington", "Kuala Lumpur", "Havana",
)  # fmt: skip
REGIONS = (
    "the north", "the south", "the east", "the west", "the border area", "the coast",
    "the capital region", "the river valley", "the mountain districts", "the port city",
    "the contested province", "the disputed enclave", "the occupied zone", "the frontier towns",
)  # fmt: skip
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def varied_texts(count: int, seed: int) -> list[str]:
    """News-style reports of 8 to 25 sentences from ``TEMPLATES``, in paragraphs of one to
    three sentences, each slot filled at random."""
    rng = random.Random(seed)
    texts = []
    for _ in range(count):
        sentences = []
        for template in rng.choices(TEMPLATES, k=rng.randint(8, 25)):
            a, b = rng.sample(PARTIES, 2)
            slots = {"a": a, "b": b, "n": rng.randint(2, 400), "day": rng.choice(DAYS),
                     "city": rng.choice(CITIES), "region": rng.choice(REGIONS)}  # fmt: skip
            sentence = template.format(**slots)
            sentences.append(sentence[0].upper() + sentence[1:])
        texts.append(in_paragraphs(sentences, rng))
    return texts


def write_corpus(
    folder: Path, count: int, seed: int, first: date = date(2024, 1, 1), files: int = WINDOWS
) -> list[Path]:
    """``count`` reports dated ``PER_DAY`` a day from ``first``, in ``files`` JSONL files,
    so ingest reports each file."""
    rng = random.Random(seed)
    texts = varied_texts(count, seed)
    for n in range(SYNDICATED_EVERY, count, SYNDICATED_EVERY):
        texts[n] = f"{rng.choice(texts[:n])}\nReporting by desk {n}; editing by desk {n + 1}"
    per_file = -(-count // files)
    paths = []
    for w in range(files):
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
        paths.append(path)
    return paths


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


def timed(
    run: Callable[[Callable[[object], None]], object], documents: int | None = None
) -> dict[str, Rates]:
    """The stage's rates by the wall clock and by the process's CPU time; ``documents``
    (None: one progress note per document) is how many the stage handles."""
    clocks = {"wall": time.perf_counter, "cpu": time.process_time}
    stamps: dict[str, list[float]] = {name: [] for name in clocks}
    began = {name: clock() for name, clock in clocks.items()}

    def note(_: object) -> None:
        for name, clock in clocks.items():
            stamps[name].append(clock())

    run(note)
    done = documents if documents is not None else len(stamps["wall"])
    return {name: window_rates(stamps[name], began[name], done) for name in clocks}


def measure(size: int, seed: int) -> dict[str, object]:
    """Ingest then extract ``size`` reports into a fresh store; rates of both stages."""
    extractor = get_extractor("rules.v1")
    extractor.extract(Document(name="warm", text="Moscow demanded a ceasefire."))
    with tempfile.TemporaryDirectory() as tmp:
        files = write_corpus(Path(tmp), size, seed)
        with Store.open(Path(tmp) / "scale.db") as store:
            ingest_text("A warm-up report: it loads the readers and language detection.", store)
            ingested = timed(lambda note: ingest(files, store, progress=note), size)
            extracted = timed(lambda note: extract_store(store, extractor, progress=note))
            claims = store.count_claims()
    return {"size": size, "claims": claims, "ingest": ingested, "extract": extracted}


def report(row: dict[str, object]) -> str:
    parts = [f"{row['size']:>7} docs {row['claims']:>8} claims"]
    for stage in ("ingest", "extract"):
        rates = row[stage]
        assert isinstance(rates, dict)
        for clock, r in rates.items():
            parts.append(
                f"{stage} {clock} {r.overall:6.1f}/s (start {r.start:6.1f}, end {r.end:6.1f}, "
                f"end/start {r.ratio:.2f})"
            )
    return "\n    ".join(parts)


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
            {k: {c: asdict(r) for c, r in v.items()} if isinstance(v, dict) else v
             for k, v in row.items()}
            for row in rows
        ]  # fmt: skip
        args.json.write_text(json.dumps({"commit": commit, "rows": flat}, indent=1))


if __name__ == "__main__":
    main()
