"""Peak memory of `peacetrack extract FOLDER -o out.jsonl` as the input grows.

File mode (no store) is how a user tries PeaceTrack on an archive before storing it, and
how a pipeline feeds another tool. Its memory must not grow with the archive: documents
are read a row at a time from the JSONL files and each record is written as soon as it is
made (issue #16: 50,000 documents under 300 MB; it once held every result, 840 MB at
50,000). Each size runs the command as a process of its own, start-up included, on the
same generated reports as ``bench_scale`` (JSONL files of dated reports drawn from news
sentences); its peak resident memory comes from GNU time. The baseline is the same
command on the smallest size, in the same run: flat memory keeps the ratio near 1.

    .venv/bin/python benchmarks/bench_file_extract.py [--sizes 1000,10000,50000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_scale import write_corpus
from bench_startup import peacetrack_command

DEFAULT_SIZES = (1000, 10_000, 50_000)
TARGET_MB = 300
TIME = "/usr/bin/time"


def measure(size: int, seed: int) -> tuple[float, float, int]:
    """Seconds, peak MiB and records written for ``size`` generated reports."""
    with tempfile.TemporaryDirectory(prefix="peacetrack-file-extract-") as tmp:
        folder = Path(tmp) / "reports"
        folder.mkdir()
        write_corpus(folder, size, seed)
        out = Path(tmp) / "claims.jsonl"
        peak = Path(tmp) / "peak"
        began = time.perf_counter()
        # rules.v1 named, as in the figures recorded before learned.v1 became the default.
        command = [*peacetrack_command(), "extract", str(folder), "-e", "rules.v1", "-o", str(out)]
        done = subprocess.run(
            [TIME, "-f", "%M", "-o", str(peak), *command],
            capture_output=True,
            text=True,
            check=False,
        )
        elapsed = time.perf_counter() - began
        if done.returncode != 0:
            raise RuntimeError(f"peacetrack extract failed: {done.stderr[-500:]}")
        records = sum(1 for _ in out.open(encoding="utf-8"))
        return elapsed, int(peak.read_text().split()[-1]) / 1024, records


def run(sizes: Sequence[int] = DEFAULT_SIZES, seed: int = 7) -> list[dict[str, Any]]:
    """One row per size: peak memory against the first size's, with the target."""
    found = [(size, *measure(size, seed)) for size in sizes]
    base_mb = found[0][2]
    return [
        {
            "benchmark": "file extract",
            "measure": f"peacetrack extract FOLDER -o out.jsonl ({size:,} reports)",
            "value": round(mb, 1),
            "unit": "MiB peak",
            "versus": f"{mb / base_mb:.2f} x the {sizes[0]:,}-report run ({base_mb:.0f} MiB); "
            f"{records:,} records, {size / seconds:.0f} reports/s; target {TARGET_MB} MB: "
            + ("within" if mb < TARGET_MB else "OVER"),
            "target": f"< {TARGET_MB} MB",
            "met": mb < TARGET_MB,
        }
        for size, seconds, mb, records in found
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)))
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    for row in run([int(s) for s in args.sizes.split(",")], args.seed):
        print(json.dumps(row))


if __name__ == "__main__":
    main()
