"""Comparison views over stored claims: matrix, diff, timeline, their renderings, exports
and the HTML report.

Everything takes a ``ClaimSource`` (``peacetrack.source``): a store, which filters in SQL
and reads its cell summaries, or a plain sequence of ``StoredClaim``, so the same code
serves the CLI, the web pages, notebooks and tests.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from peacetrack.compare.cells import Cell
from peacetrack.compare.diff import Diff, IssueDiff, diff
from peacetrack.compare.matrix import Matrix, compare
from peacetrack.compare.render import FORMATS, render_diff, render_matrix, render_timeline
from peacetrack.compare.timeline import TimelineEntry, timeline

if TYPE_CHECKING:
    from peacetrack.compare.export import (
        claims_to_pandas,
        export_claims,
        export_diff,
        export_matrix,
        read_claims_export,
        render_claims,
    )
    from peacetrack.compare.report import write_report

#: Exports and the HTML report, imported on first use: ``compare`` and ``timeline`` on the
#: command line need neither (tests/test_imports.py).
_LATER = {
    "claims_to_pandas": "export",
    "export_claims": "export",
    "export_diff": "export",
    "export_matrix": "export",
    "read_claims_export": "export",
    "render_claims": "export",
    "write_report": "report",
}

__all__ = [
    "FORMATS",
    "Cell",
    "Diff",
    "IssueDiff",
    "Matrix",
    "TimelineEntry",
    "claims_to_pandas",
    "compare",
    "diff",
    "export_claims",
    "export_diff",
    "export_matrix",
    "read_claims_export",
    "render_claims",
    "render_diff",
    "render_matrix",
    "render_timeline",
    "timeline",
    "write_report",
]


def __getattr__(name: str) -> Any:
    module = _LATER.get(name)
    if module is None:
        raise AttributeError(f"module 'peacetrack.compare' has no attribute {name!r}")
    return getattr(import_module(f"peacetrack.compare.{module}"), name)
