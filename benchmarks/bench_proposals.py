"""Saving a report that names a plan from long before: does its cost grow with the proposals?

Issue #16: extraction into a store must keep its rate per document as the store grows. A
report naming a specific plan ("the Zarvek accord") that no proposal within the grouping
window has is looked up among older proposals too, since a specific name joins its plan
whenever the plan was made. This benchmark fills one store per size with that many
proposals, each made by its own dated report naming a specific plan, then times saving
reports dated after all of them, each naming a plan not seen before (the lookup finds
nothing, the costliest case) and one naming the first plan again (found years later).

The smallest store is the baseline: the figure is each size's median CPU time per report as a
ratio of it, measured in the same run (1.0: the cost does not grow with the proposals).

    .venv/bin/python benchmarks/bench_proposals.py [--sizes 500,10000] [--reports 200]
"""

from __future__ import annotations

import argparse
import random
import statistics
import string
import subprocess
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import peacetrack
from peacetrack.model import Claim, Document
from peacetrack.store import Store

FIRST = date(1990, 1, 1)


def plan_name(rng: random.Random) -> str:
    """A made-up specific name: one invented word, then a kind noun."""
    word = rng.choice(string.ascii_uppercase) + "".join(rng.choices("aeiourstlnkvz", k=7))
    return f"the {word} {rng.choice(('accord', 'plan', 'memorandum', 'framework'))}"


def save_report(store: Store, n: int, published: date, phrase: str) -> float:
    """Save report ``n`` whose one claim names ``phrase``; CPU seconds the save took (on a
    shared machine the wall clock follows the load; the CPU clock follows the work)."""
    evidence = f"Report {n} says the delegations discussed {phrase} at length."
    doc = store.add_document(Document(name=f"r{n}.txt", text=evidence, published=published))
    found = Claim(
        actors=["NOR"], stance="propose", issue="PROC.TALKS", evidence=evidence, proposal=phrase
    )
    began = time.process_time()
    store.save_extraction(doc.document_id, "bench", [found])
    return time.process_time() - began


def measure(size: int, reports: int, seed: int) -> dict[str, float]:
    """Median seconds per saved report on a store of ``size`` proposals, one a week."""
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp, Store.open(Path(tmp) / "p.db") as store:
        first = plan_name(rng)
        save_report(store, 0, FIRST, first)
        for n in range(1, size):
            save_report(store, n, FIRST + timedelta(weeks=n), plan_name(rng))
        late = FIRST + timedelta(weeks=size + 52)
        new = [save_report(store, size + k, late, plan_name(rng)) for k in range(reports)]
        again = [save_report(store, 2 * size + k, late, first) for k in range(reports // 10)]
        assert len(store.proposals.list()) == size + reports
    return {"new": statistics.median(new), "again": statistics.median(again)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="500,10000")
    parser.add_argument("--reports", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    source = Path(peacetrack.__file__).parent
    commit = subprocess.run(
        ["git", "-C", str(source), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"peacetrack from {source} (commit {commit or '?'}); SQLite on disk; median CPU ms")
    rows = {size: measure(size, args.reports, args.seed) for size in sizes}
    base = rows[sizes[0]]
    for size, row in rows.items():
        print(
            f"{size:>7} proposals: a new plan {row['new'] * 1000:7.2f} ms "
            f"(x{row['new'] / base['new']:.2f}); the first plan again "
            f"{row['again'] * 1000:7.2f} ms (x{row['again'] / base['again']:.2f})"
        )


if __name__ == "__main__":
    main()
