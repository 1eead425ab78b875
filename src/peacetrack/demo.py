"""The demo: the whole pipeline (ingest, extract, compare) on the bundled example reports.

The examples live in the repository's ``examples/reports/`` folder, written for PeaceTrack in
news style; the demo finds them beside a source checkout or in the current folder.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from peacetrack.errors import InputError

if TYPE_CHECKING:
    from peacetrack.compare import Matrix
    from peacetrack.extract.runner import ExtractSummary
    from peacetrack.ingest import IngestSummary
    from peacetrack.store import Store, StoredClaim


@dataclass
class DemoResult:
    ingested: IngestSummary
    extracted: ExtractSummary
    matrix: Matrix


def examples_folder(explicit: Path | None = None) -> Path:
    """The folder of example reports: the one given, ./examples/reports, or the checkout's."""
    candidates = (
        [explicit]
        if explicit
        else [
            Path.cwd() / "examples" / "reports",
            Path(__file__).resolve().parents[2] / "examples" / "reports",
        ]
    )
    for folder in candidates:
        if folder is not None and folder.is_dir():
            return folder
    raise InputError(
        "no examples folder found: run the demo from the PeaceTrack checkout, "
        "or give one with --examples DIR"
    )


def main_actors(claims: Sequence[StoredClaim], count: int = 3) -> list[str]:
    """The actors most claims are about: the parties whose positions a reader wants first."""
    tally = Counter(actor for stored in claims for actor in stored.claim.actors)
    return [actor for actor, _ in tally.most_common(count)]


def run_demo(store: Store, examples: Path | None = None) -> DemoResult:
    """Ingest the example reports, extract, and compare the main actors' positions."""
    from peacetrack.compare import compare
    from peacetrack.extract import get_extractor
    from peacetrack.extract.runner import extract_store
    from peacetrack.ingest import ingest

    ingested = ingest([examples_folder(examples)], store)
    extracted = extract_store(store, get_extractor())
    claims = store.claims()
    matrix = compare(
        claims,
        by="actor",
        actors=main_actors(claims),
        independent_groups=store.independent_groups,
    )
    return DemoResult(ingested=ingested, extracted=extracted, matrix=matrix)
