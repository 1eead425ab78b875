"""Reading a batch's output back: as guideline records, or into a store.

Only shards recorded in the manifest are read, so the files of a run still going (or of
one that was killed) are never half counted. Loading is idempotent: documents are
recognised by content hash, and claims are saved only for documents this extractor has
not yet processed in the store, so a second load adds nothing and reviewed claims stay.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from peacetrack.batch.output import finished_shards, read_part, read_settings
from peacetrack.batch.records import claim_from_row, document_from_row
from peacetrack.codebook import assign_document, default_codebook
from peacetrack.model import DocumentClaims
from peacetrack.source import Filters
from peacetrack.store import Store
from peacetrack.vocabulary import UNASSIGNED


@dataclass
class LoadSummary:
    """Documents new to the store, those it already had, and claims saved."""

    shards: int = 0
    documents: int = 0
    duplicates: int = 0
    claims: int = 0
    extracted: int = 0
    #: Documents left out because none of their claims is of the conflict asked for.
    skipped: int = 0

    def describe(self) -> str:
        left_out = (
            f" · {self.skipped} documents of other conflicts left out" if self.skipped else ""
        )
        return (
            f"loaded {self.shards} shards: {self.documents} new documents"
            f" ({self.duplicates} already stored) · {self.claims} claims"
            f" for {self.extracted} documents{left_out}"
        )


def read_batch_claims(out: str | Path) -> list[DocumentClaims]:
    """Guideline records of every finished shard, one per document, documents without claims too."""
    folder = Path(out)
    records: list[DocumentClaims] = []
    for shard in finished_shards(folder):
        claims = _claims_by_position(folder, shard)
        for row in sorted(read_part(folder, "documents", shard), key=lambda r: r["position"]):
            found = [claim_from_row(c) for c in claims.get(row["position"], [])]
            records.append(DocumentClaims(doc=row["name"], claims=found))
    return records


def load_batch(out: str | Path, store: Store, conflict: str | None = None) -> LoadSummary:
    """Add the documents of every finished shard to ``store``, then their claims, as one
    unit of work of the store (``store.batch``): the load, not the next comparison, brings
    the comparison cache up to date.

    With ``conflict`` (an id, name or alias, or ``unassigned``) only the documents with a
    claim of that conflict are loaded, their claims assigned as at extraction.
    """
    wanted = Filters(conflict=conflict).conflict
    folder = Path(out)
    settings = read_settings(folder)
    extractor = str(settings["extractor"])
    variant = str(settings.get("variant", ""))
    shards = list(finished_shards(folder))
    summary = LoadSummary(shards=len(shards))
    run_id = store.start_run("batch-load", {"out": str(folder), "extractor": extractor})
    status = "failed"
    try:
        with store.batch():
            ids = {
                shard: _add_documents(folder, shard, store, summary, _about(folder, shard, wanted))
                for shard in shards
            }
            for shard, positions in ids.items():
                pending = set(store.pending_ids(extractor, list(positions.values()), variant))
                claims = _claims_by_position(folder, shard)
                for position, document_id in positions.items():
                    if document_id not in pending:
                        continue
                    found = [claim_from_row(c) for c in claims.get(position, [])]
                    summary.claims += store.save_extraction(
                        document_id, extractor, found, run_id, variant=variant
                    )
                    summary.extracted += 1
                    pending.discard(document_id)
        status = "finished"
    finally:
        store.finish_run(run_id, status, summary.__dict__)
    return summary


def _about(folder: Path, shard: str, conflict: str | None) -> set[int] | None:
    """Positions of a shard's documents with a claim of ``conflict`` (None: every one)."""
    if conflict is None:
        return None
    book = default_codebook()
    target = None if conflict == UNASSIGNED else conflict
    kept = set()
    for position, rows in _claims_by_position(folder, shard).items():
        claims = [claim_from_row(c) for c in rows]
        pairs = [(c.actors, c.territories or []) for c in claims]
        if target in assign_document(pairs, book):
            kept.add(position)
    return kept


def _add_documents(
    folder: Path, shard: str, store: Store, summary: LoadSummary, keep: set[int] | None
) -> dict[int, int]:
    """Store ids of a shard's documents (those at ``keep`` positions, if given), by
    position."""
    ids: dict[int, int] = {}
    for row in read_part(folder, "documents", shard):
        if keep is not None and row["position"] not in keep:
            summary.skipped += 1
            continue
        result = store.add_document(document_from_row(row))
        if result.status == "duplicate":
            summary.duplicates += 1
        else:
            summary.documents += 1
        ids[row["position"]] = result.document_id
    return ids


def _claims_by_position(folder: Path, shard: str) -> dict[int, list[dict[str, Any]]]:
    grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in read_part(folder, "claims", shard):
        grouped[row["position"]].append(row)
    return grouped
