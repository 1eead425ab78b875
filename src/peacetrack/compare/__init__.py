"""Comparison views over stored claims: matrix, diff, timeline, their renderings, exports
and the HTML report.

Everything takes a ``ClaimSource`` (``peacetrack.source``): a store, which filters in SQL
and reads its cell summaries, or a plain sequence of ``StoredClaim``, so the same code
serves the CLI, the web pages, notebooks and tests.
"""

from peacetrack.compare.cells import Cell
from peacetrack.compare.diff import Diff, IssueDiff, diff
from peacetrack.compare.export import (
    claims_to_pandas,
    export_claims,
    export_diff,
    export_matrix,
    read_claims_export,
    render_claims,
)
from peacetrack.compare.matrix import Matrix, compare
from peacetrack.compare.render import FORMATS, render_diff, render_matrix, render_timeline
from peacetrack.compare.report import write_report
from peacetrack.compare.timeline import TimelineEntry, timeline

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
