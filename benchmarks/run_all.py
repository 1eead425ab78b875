"""Every benchmark in one run, printed as one table (plain text or Markdown).

Extraction throughput per core beside the bare tokenizer, batch scaling from 1 to 2
workers, ingest rate into SQLite and PostgreSQL, ``compare`` latency on a million claims,
web page render times, and how long commands take to start on a small store. Each row's
last column compares it with a baseline measured in the same run (or with the benchmark's
target), so figures from different machines can be read side by side. ``--quick`` shrinks
every size for a smoke run of a few minutes.

``--done-when`` runs instead every figure issue #16's "done when" lines and issue #15's
speed line ask for, at their sizes (about an hour on a quiet machine), and prints one
Markdown section for docs/benchmarks.md: the commit and whether the tree had changes, the
machine, the start and end with the load average, and each row's target and whether it
was met. Progress goes to stderr; ``--output FILE`` also writes what is printed to FILE.

    .venv/bin/python benchmarks/run_all.py [--quick] [--markdown] [--only compare,web]
    PYTHONPATH=src .venv/bin/python benchmarks/run_all.py --done-when --output run.md
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # pgcluster

import bench_batch
import bench_compare
import bench_extract
import bench_extract_cost
import bench_file_extract
import bench_grow
import bench_llm
import bench_reads
import bench_startup
import bench_store
import bench_web
import bench_web_jobs

ROOT = Path(__file__).resolve().parents[1]
Rows = list[dict[str, Any]]

#: Benchmark -> (full run, quick run).
SUITE: dict[str, tuple[Callable[[], Rows], Callable[[], Rows]]] = {
    "extract": (lambda: bench_extract.run(docs=300), lambda: bench_extract.run(docs=60)),
    "batch": (
        lambda: bench_batch.run(docs=8000, rounds=3),
        lambda: bench_batch.run(docs=300, shard_size=30, rounds=1),
    ),
    "store": (lambda: bench_store.run(docs=3000), lambda: bench_store.run(docs=300)),
    # The baseline (the matrix computed from every claim) takes about a minute per backend
    # and runs once; the summarised comparisons take the median of 5.
    "compare": (
        lambda: bench_compare.run(claims=1_000_000, docs=100_000, repeats=5),
        lambda: bench_compare.run(claims=50_000, docs=5_000, repeats=3),
    ),
    "web": (lambda: bench_web.run(n=30), lambda: bench_web.run(n=5)),
    "startup": (lambda: bench_startup.run(repeats=7), lambda: bench_startup.run(repeats=3)),
    "llm": (bench_llm.run, bench_llm.run),
    "web-jobs": (lambda: bench_web_jobs.run(reads=50), lambda: bench_web_jobs.run(reads=10)),
    "reads": (
        lambda: bench_reads.run(claims=100_000, repeats=3),
        lambda: bench_reads.run(claims=10_000, repeats=1),
    ),
    "extract-cost": (
        lambda: bench_extract_cost.run(mb=1.0, normal_mb=5.0),
        lambda: bench_extract_cost.run(mb=0.2, normal_mb=1.0),
    ),
}
HEADERS = ("benchmark", "measure", "value", "unit", "versus")
#: Issue #16's "done when" figures and issue #15's speed line: benchmark -> (full, quick).
#: Reads at a million claims on both backends (PostgreSQL with durable settings); ingest
#: and extract into a store at 10k, 100k and 1M documents; file-mode extraction of 50k
#: reports (beside 1k, its baseline); start-up on a small store; batch on 1 and 2 workers;
#: learned.v1 and rules.v1 against the bare tokenizer.
DONE_WHEN: dict[str, tuple[Callable[[], Rows], Callable[[], Rows]]] = {
    "reads-sqlite": (
        lambda: bench_reads.run(claims=1_000_000, repeats=3),
        lambda: bench_reads.run(claims=10_000, repeats=1),
    ),
    "reads-postgresql": (
        lambda: bench_reads.run(claims=1_000_000, repeats=3, backend="postgresql"),
        lambda: bench_reads.run(claims=10_000, repeats=1, backend="postgresql"),
    ),
    "grow": (
        lambda: bench_grow.run(sizes=(10_000, 100_000, 1_000_000), window=1000),
        lambda: bench_grow.run(sizes=(300, 1000), window=50, base=300),
    ),
    "file-extract": (
        lambda: bench_file_extract.run([1000, 50_000]),
        lambda: bench_file_extract.run([100, 500]),
    ),
    "startup": SUITE["startup"],
    "batch": SUITE["batch"],
    "extract": (
        lambda: bench_extract.run(docs=300, rounds=3),
        lambda: bench_extract.run(docs=60, rounds=1),
    ),
}
DONE_HEADERS = ("benchmark", "measure", "value", "unit", "target", "met", "versus")


def machine() -> str:
    """nproc, memory, CPU model and Python version: what the figures depend on."""
    cpu = "unknown CPU"
    memory = "unknown memory"
    with open("/proc/cpuinfo", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 2**20:.1f} GiB"
                break
    return (
        f"{os.cpu_count()} CPUs ({cpu}), {memory} RAM, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}"
    )


def cell(row: dict[str, Any], header: str) -> str:
    """A row's value under ``header``; ``met`` as words (no target: empty)."""
    if header != "met":
        return str(row.get(header, ""))
    if row.get("measure") == "FAILED":
        return "failed"
    met = row.get("met")
    return "" if met is None else "met" if met else "NOT MET"


def table(rows: Rows, markdown: bool, headers: tuple[str, ...] = HEADERS) -> str:
    cells = [[cell(row, h) for h in headers] for row in rows]
    if markdown:
        lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
        lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in cells]
        return "\n".join(lines)
    widths = [max(len(r[i]) for r in [list(headers), *cells]) for i in range(len(headers))]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in [list(headers), *cells]
    )


def measured(name: str, bench: Callable[[], Rows]) -> Rows:
    """The benchmark's rows, or one row saying why it failed: the others still report."""
    try:
        return bench()
    except (Exception, SystemExit) as exc:
        reason = " ".join(str(exc).split())[:160]
        return [{"benchmark": name, "measure": "FAILED", "versus": reason}]


@dataclass(frozen=True)
class Stamp:
    """A moment of the run: UTC time and the 1, 5 and 15 minute load averages."""

    at: datetime
    load: tuple[float, float, float]

    @classmethod
    def now(cls) -> Stamp:
        return cls(datetime.now(UTC), os.getloadavg())

    def describe(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} UTC, load average " + ", ".join(
            f"{n:.2f}" for n in self.load
        )


def _git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
    return done.stdout.strip() if done.returncode == 0 else ""


def commit() -> str:
    """The commit measured, whether tracked files differ from it, and where the package
    came from: figures of a changed tree or of another tree's package are not the commit's."""
    head = _git("rev-parse", "--short=10", "HEAD") or "unknown (not a git checkout)"
    changed = _git("status", "--porcelain", "--untracked-files=no")
    state = "with uncommitted changes to tracked files" if changed else "clean tree"
    import peacetrack

    package = Path(peacetrack.__file__).resolve().parent
    source = "" if package.is_relative_to(ROOT) else f"; peacetrack imported from {package}!"
    return f"{head} ({state}){source}"


def postgres() -> str:
    """The PostgreSQL the throwaway clusters run (Debian's binaries), or why there is none."""
    from pgcluster import ClusterUnavailable, find_bindir

    try:
        return f"PostgreSQL {find_bindir().parent.name}"
    except ClusterUnavailable as exc:
        return f"no PostgreSQL ({exc})"


def run_suite(suite: dict[str, tuple[Callable[[], Rows], Callable[[], Rows]]],
              names: list[str], quick: bool) -> tuple[Rows, list[str]]:  # fmt: skip
    """Every chosen benchmark in turn, progress on stderr; the rows and, per benchmark, a
    line saying when it ran and the load around it."""
    rows: Rows = []
    parts = []
    for n, name in enumerate(names, 1):
        began = Stamp.now()
        print(f"[{n}/{len(names)}] {name}: started {began.describe()}", file=sys.stderr,
              flush=True)  # fmt: skip
        found = measured(name, suite[name][1 if quick else 0])
        ended = Stamp.now()
        rows += found
        spent = (ended.at - began.at).total_seconds()
        missed = sum(1 for row in found if row.get("met") is False or row["measure"] == "FAILED")
        print(f"[{n}/{len(names)}] {name}: done in {spent:.0f} s, {len(found)} rows, "
              f"{missed} not met or failed", file=sys.stderr, flush=True)  # fmt: skip
        parts.append(f"{name} {began.at:%H:%M}-{ended.at:%H:%M} UTC ({spent / 60:.1f} min, "
                     f"load {began.load[0]:.1f} -> {ended.load[0]:.1f})")  # fmt: skip
    return rows, parts


def tally(rows: Rows) -> str:
    """Targets met of the rows that have one, in all and per benchmark."""
    counts: dict[str, list[int]] = {}
    for row in rows:
        if isinstance(row.get("met"), bool):
            met_total = counts.setdefault(row["benchmark"], [0, 0])
            met_total[0] += row["met"]
            met_total[1] += 1
    met, total = (sum(n[i] for n in counts.values()) for i in (0, 1))
    each = ", ".join(f"{name} {n} of {of}" for name, (n, of) in counts.items())
    return f"{met} of {total}" + (f" ({each})" if each else "")


def section(
    rows: Rows, parts: list[str], span: tuple[Stamp, Stamp], commits: tuple[str, str], quick: bool
) -> str:
    """The Markdown section for docs/benchmarks.md: what was run, where, when, under what
    load, the targets met, then every row. ``commits``: ``commit()`` at the start and at
    the end, which differ if HEAD or the tree changed meanwhile."""
    began, ended = span
    measured_on = commits[0] if commits[0] == commits[1] else "{}; at the end {}!".format(*commits)
    failed = [f"{row['benchmark']} ({row['versus']})" for row in rows if row["measure"] == "FAILED"]
    title = "Issue #16's done-when figures and issue #15's extraction speed, one run"
    if quick:
        title += " at --quick sizes (a smoke run: not the done-when figures)"
    command = shlex.join(["benchmarks/run_all.py", *sys.argv[1:]])
    lines = [
        f"### {title} ({began.at:%Y-%m-%d})",
        "",
        f"- Command: `PYTHONPATH=src .venv/bin/python {command}`",
        f"- Commit: {measured_on}",
        f"- Machine: {machine()}, {postgres()}",
        f"- Started {began.describe()}; ended {ended.describe()}",
        f"- Parts: {'; '.join(parts)}",
        f"- Targets met: {tally(rows)}",
        f"- Failed: {'; '.join(failed) or 'none'}",
        "",
        table(rows, markdown=True, headers=DONE_HEADERS),
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, a few minutes")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument(
        "--done-when",
        action="store_true",
        help=f"issue #16's done-when figures and issue #15's speed ({', '.join(DONE_WHEN)}) "
        "as one Markdown section",
    )
    parser.add_argument(
        "--only",
        help=f"comma-separated subset of: {', '.join(SUITE)} (with --done-when: "
        f"{', '.join(DONE_WHEN)})",
    )
    parser.add_argument("--output", type=Path, help="also write what is printed to this file")
    args = parser.parse_args()
    suite = DONE_WHEN if args.done_when else SUITE
    chosen = args.only.split(",") if args.only else list(suite)
    unknown = sorted(set(chosen) - suite.keys())
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(suite)}")
    began, at_start = Stamp.now(), commit()
    rows, parts = run_suite(suite, chosen, args.quick)
    if args.done_when:
        text = section(rows, parts, (began, Stamp.now()), (at_start, commit()), args.quick)
    else:
        text = f"Machine: {machine()}, {began.at:%Y-%m-%d %H:%M} UTC\n"
        text += table(rows, args.markdown) + "\n"
    print(text, end="")
    if args.output:
        args.output.write_text(text, encoding="utf-8")


if __name__ == "__main__":  # Dask starts worker processes by spawning: guard the entry point
    main()
