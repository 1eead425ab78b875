"""Whether two versions of PeaceTrack print every comparison alike, and what each costs.

Each variant of ``peacetrack compare`` runs as a process with the code of two source
folders (``--before-src``, ``--after-src``), each on its own store (a store and its
upgraded copy, or one PostgreSQL database read by both in turn), the two interleaved run
by run so a busy machine weighs on both alike. For each variant it prints whether the CSV
and the JSON are byte-identical, and each side's median wall time, CPU time (the
process's user and system time) and peak memory, with the ratio of CPU after / before.

    .venv/bin/python benchmarks/check_compare_output.py --before-src OLD/src \\
        --before-db OLD.sqlite --after-src src --after-db NEW.sqlite [--repeats 3] [--markdown]
    .venv/bin/python benchmarks/check_compare_output.py --before-src OLD/src \\
        --after-src src --postgresql 1000000

With ``--postgresql CLAIMS`` it starts a throwaway cluster (``tests/pgcluster.py``), has
the before code fill a database with ``bench_compare``'s generated claims and build its
cells, and copies it (``CREATE DATABASE ... TEMPLATE``) for the after code. The after side
opens its store first, once (a store migrated on that open, or marked for a rebuild, pays
for it there, not in a timed run). Exits 1 if any output differs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]

#: Every comparison the store answers its own way: the summaries (plain, other floors), the
#: cells' days from a date or to one, and the claims in range (both dates).
VARIANTS = (
    "",
    "--since 2025-06-01",
    "--since 2025-01-01",
    "--since 2023-01-01",
    "--since 2025-06-01 --by proposal",
    "--since 2025-06-01 --conflict unassigned",
    "--since 2025-06-01 --min-support anonymous",
    "--min-support low",
    "--min-support anonymous",
    "--min-support corroborated",
    "--min-support reviewed --by proposal",
    "--min-support low --conflict ru-ua",
    "--until 2024-06-01",
    "--until 2025-06-01 --min-support corroborated",
    "--until 2023-03-01 --by proposal",
    "--until 2024-01-01 --conflict ru-ua",
    "--until 2026-12-31 --min-support low",
    "--since 2024-01-01 --until 2024-03-01",
)


class Run(NamedTuple):
    wall: float
    cpu: float
    mib: float
    output: bytes


def run(src: str, db: str, args: list[str]) -> Run:
    """``peacetrack compare`` with the code of ``src`` on ``db``, as its own process."""
    env = {**os.environ, "PYTHONPATH": src}
    command = [sys.executable, "-m", "peacetrack", "compare", "--db", db, *args]
    began = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    out, err = process.communicate()
    wall = time.perf_counter() - began
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {err.decode()[-500:]}")
    return Run(wall, 0.0, 0.0, out)


def measured(src: str, db: str, args: list[str]) -> Run:
    """``run``, with the process's CPU time and peak memory (``wait4``)."""
    env = {**os.environ, "PYTHONPATH": src}
    command = [sys.executable, "-m", "peacetrack", "compare", "--db", db, *args]
    began = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    assert process.stdout is not None
    out = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - began
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode})")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out)


def check(
    before: tuple[str, str], after: tuple[str, str], repeats: int, variants: tuple[str, ...]
) -> list[dict[str, object]]:
    run(*after, ["--format", "csv"])  # the after store migrated or rebuilt once, untimed
    rows = []
    for variant in variants:
        args = [*variant.split(), "--format", "csv"]
        runs: dict[str, list[Run]] = {"before": [], "after": []}
        for _ in range(repeats):
            runs["before"].append(measured(*before, args))
            runs["after"].append(measured(*after, args))
        json_args = [*variant.split(), "--format", "json"]
        same_csv = len({r.output for side in runs.values() for r in side}) == 1
        same_json = run(*before, json_args).output == run(*after, json_args).output
        medians = {
            side: [statistics.median(getattr(r, f) for r in found) for f in ("wall", "cpu", "mib")]
            for side, found in runs.items()
        }
        rows.append(
            {
                "variant": f"compare {variant}".strip(),
                "identical": same_csv and same_json,
                **{
                    f"{side}_{f}": v
                    for side in medians
                    for f, v in zip(("s", "cpu", "mib"), medians[side], strict=True)
                },
            }
        )
        print(rows[-1], file=sys.stderr, flush=True)
    return rows


def markdown(rows: list[dict[str, object]]) -> str:
    lines = [
        "| command | CSV and JSON | before s | before CPU s | before MiB "
        "| after s | after CPU s | after MiB | CPU after / before |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        ratio = float(r["after_cpu"]) / float(r["before_cpu"])  # type: ignore[arg-type]
        lines.append(
            f"| `{r['variant']}` | {'identical' if r['identical'] else 'DIFFER'} "
            f"| {r['before_s']:.2f} | {r['before_cpu']:.2f} | {r['before_mib']:.0f} "
            f"| {r['after_s']:.2f} | {r['after_cpu']:.2f} | {r['after_mib']:.0f} | {ratio:.2f} |"
        )
    return "\n".join(lines)


#: What the before code runs to fill a PostgreSQL database as ``bench_compare`` does.
FILL = """
import sys
sys.path[:0] = [{benchmarks!r}, {tests!r}]
from bench_compare import _insert_postgres, _tables
from peacetrack.compare import compare
from peacetrack.store import Store
with Store.open({url!r}) as store:
    _insert_postgres(store, _tables({claims}, {claims} // 10, 7))
    compare(store)
"""


@contextmanager
def postgres_pair(before_src: str, claims: int) -> Iterator[tuple[str, str]]:
    """A database filled by the code of ``before_src`` and its copy, in a throwaway
    cluster: their URLs."""
    sys.path.insert(0, str(ROOT / "tests"))
    from pgcluster import PgCluster

    cluster = PgCluster.start()
    try:
        url = cluster.create_database("before")
        code = FILL.format(
            benchmarks=str(ROOT / "benchmarks"), tests=str(ROOT / "tests"), url=url, claims=claims
        )
        env = {**os.environ, "PYTHONPATH": before_src}
        subprocess.run([sys.executable, "-c", code], env=env, check=True)
        with cluster.admin() as connection:
            connection.execute('CREATE DATABASE "after" TEMPLATE "before"')
        yield url, cluster.url("after")
    finally:
        cluster.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before-src", required=True, help="the older code's src folder")
    parser.add_argument("--before-db", help="its store (file or URL)")
    parser.add_argument("--after-src", required=True, help="the newer code's src folder")
    parser.add_argument("--after-db", help="its store (file or URL)")
    parser.add_argument(
        "--postgresql", type=int, metavar="CLAIMS", help="both on a generated PostgreSQL store"
    )
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per side")
    parser.add_argument("--only", default="", help="only the variants holding this text")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args()
    sources = [str(Path(src).resolve()) for src in (args.before_src, args.after_src)]
    variants = tuple(v for v in VARIANTS if args.only in f"compare {v}")
    if args.postgresql:
        with postgres_pair(sources[0], args.postgresql) as (old, new):
            rows = check((sources[0], old), (sources[1], new), args.repeats, variants)
    else:
        rows = check(
            (sources[0], args.before_db), (sources[1], args.after_db), args.repeats, variants
        )
    print(markdown(rows) if args.markdown else "\n".join(map(str, rows)))
    return 0 if all(r["identical"] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
