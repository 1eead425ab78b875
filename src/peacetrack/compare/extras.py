"""Optional libraries (pandas, pyarrow, plotly, Jinja2), imported only when a feature needs them.

The core comparison runs on the base install; data frames, Parquet and the HTML report
need extras, and a missing one must say which ``pip install 'peacetrack[...]'`` fixes it.
"""

from __future__ import annotations

import importlib
from typing import Any

from peacetrack.errors import MissingExtra


def require(module: str, extra: str, feature: str) -> Any:
    """Import ``module`` or raise MissingExtra naming ``extra`` and ``feature``."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtra(extra, feature) from None
