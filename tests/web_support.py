"""A store filled from the repository's example reports, shared by the web tests."""

from __future__ import annotations

import shutil
from pathlib import Path

from peacetrack.extract import get_extractor
from peacetrack.extract.runner import extract_store
from peacetrack.ingest import ingest
from peacetrack.store import Store

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "reports"
TOKEN = "test-token-0123456789"


def filled_store(path: Path, sources: list[Path] | None = None) -> Path:
    """Ingest and extract ``sources`` (default: the example reports) into a SQLite file."""
    with Store.open(path) as store:
        ingest(sources or [EXAMPLES], store)
        extract_store(store, get_extractor("rules.v1"))
    return path


def copy_of(template: Path, folder: Path) -> Path:
    """A private copy, so that a test's writes never reach another test."""
    target = folder / "store.db"
    shutil.copyfile(template, target)
    return target
