"""Cost of the rule-based extract step per megabyte: pathological text against ordinary reports.

The baseline, measured in the same run, is CPU seconds per MB of the project's own example
reports read as one long text. Each other row is one pathological shape from
``tests/pathological.py`` (thousands of quote marks, a run-on sentence with no full stop, a
run of one character, repeated punctuation, nested brackets, ...) that once cost the square
of its length: 16,000 quote marks took 25 s, a 192 KB sentence over 120 s. The ``versus``
column gives its cost as a multiple of the baseline, and its growth: seconds per MB at the
full size over seconds per MB at a tenth of it. Linear cost keeps the growth near 1 (the
square would make it 10) and the multiple at a few times the baseline (shapes with a token
every character or two cost more per MB than prose).

    .venv/bin/python benchmarks/bench_extract_cost.py [--mb 1] [--normal-mb 5]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from pathological import SHAPES, reports
from peacetrack.extract.rules import RulesExtractor
from peacetrack.model import Document

MEGABYTE = 1_000_000


def seconds_per_mb(extractor: RulesExtractor, text: str) -> float:
    """CPU seconds per MB to extract ``text`` as one document (CPU time, so that other work
    on the machine does not count)."""
    began = time.process_time()
    extractor.extract(Document(name="bench", text=text))
    return (time.process_time() - began) / (len(text) / MEGABYTE)


def shape_row(
    extractor: RulesExtractor, name: str, make: Callable[[int], str], size: int, baseline: float
) -> dict[str, Any]:
    """One shape at ``size`` characters, against the baseline and against a tenth of it."""
    small = seconds_per_mb(extractor, make(size // 10))
    full = seconds_per_mb(extractor, make(size))
    return {"benchmark": "extract-cost", "measure": f"rules.v1 on {name} ({size / MEGABYTE:g} MB)",
            "value": round(full, 2), "unit": "CPU s/MB",
            "versus": f"{full / baseline:.1f} x baseline; growth x{full / small:.2f} from "
                      f"{size / 10 / MEGABYTE:g} MB"}  # fmt: skip


def run(mb: float = 1.0, normal_mb: float = 5.0) -> list[dict[str, Any]]:
    """The baseline on ordinary reports, then every pathological shape at ``mb`` MB."""
    extractor = RulesExtractor()
    extractor.extract(Document(name="warm-up", text=reports(10_000)))
    normal = int(normal_mb * MEGABYTE)
    small = seconds_per_mb(extractor, reports(normal // 10))
    baseline = seconds_per_mb(extractor, reports(normal))
    rows = [
        {"benchmark": "extract-cost", "measure": f"rules.v1 on example reports ({normal_mb:g} MB)",
         "value": round(baseline, 2), "unit": "CPU s/MB",
         "versus": f"baseline; growth x{baseline / small:.2f} from {normal_mb / 10:g} MB"},
    ]  # fmt: skip
    size = int(mb * MEGABYTE)
    rows += [shape_row(extractor, name, make, size, baseline) for name, make in SHAPES.items()]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=1.0, help="size of each pathological text")
    parser.add_argument("--normal-mb", type=float, default=5.0, help="size of the baseline text")
    args = parser.parse_args()
    for row in run(args.mb, args.normal_mb):
        print(f"{row['measure']:<52} {row['value']:>7} {row['unit']:<9} {row['versus']}")


if __name__ == "__main__":
    main()
