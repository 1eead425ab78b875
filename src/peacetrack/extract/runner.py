"""Running an extractor: over files (no store), or over the stored documents not yet done.

Two paths share one rule: a claim whose evidence is not verbatim in its document is a bug
in the extractor, so it is dropped and counted rather than shown or stored (every claim
must trace back to the exact words of its document).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from peacetrack.extract.base import Extractor
from peacetrack.model import Claim, Document, DocumentClaims

if TYPE_CHECKING:
    from peacetrack.ingest import Failure, IngestOptions
    from peacetrack.store import Store


@dataclass
class ExtractSummary:
    """What a run over the store did, for the closing line of `peacetrack extract`."""

    extractor: str
    documents: int = 0
    claims: int = 0
    without_claims: int = 0
    dropped: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)

    def describe(self) -> str:
        line = (
            f"{self.claims} claims from {self.documents} documents ({self.extractor})"
            f" · {self.without_claims} documents had none"
        )
        if self.dropped:
            line += f" · {self.dropped} claims dropped (evidence not verbatim: please report)"
        lines = [line] + [f"  failed: {name} — {reason}" for name, reason in self.failed]
        return "\n".join(lines)


def grounded_claims(document: Document, extractor: Extractor) -> tuple[list[Claim], int]:
    """The extractor's claims located in the text, and how many had to be dropped."""
    kept: list[Claim] = []
    dropped = 0
    for claim in extractor.extract(document):
        try:
            kept.append(claim.located_in(document.text))
        except ValueError:
            dropped += 1
    return kept, dropped


def extract_documents(
    documents: Iterable[Document], extractor: Extractor
) -> Iterator[DocumentClaims]:
    """Guideline records, one per document, in input order (documents without claims too)."""
    for document in documents:
        claims, _ = grounded_claims(document, extractor)
        yield DocumentClaims(doc=document.name, claims=claims)


def extract_files(
    paths: Sequence[str | Path],
    extractor: Extractor,
    options: IngestOptions | None = None,
    on_failure: Callable[[Failure], None] | None = None,
) -> Iterator[DocumentClaims]:
    """Extract straight from files, folders, feeds or URLs, without a store."""
    from peacetrack.ingest import Failure, read_documents

    def documents() -> Iterator[Document]:
        for item in read_documents(paths, options):
            if isinstance(item, Failure):
                if on_failure is not None:
                    on_failure(item)
            else:
                yield item

    return extract_documents(documents(), extractor)


def extract_store(
    store: Store,
    extractor: Extractor,
    on_total: Callable[[int], None] | None = None,
    progress: Callable[[Document], None] | None = None,
    among: Sequence[int] | None = None,
) -> ExtractSummary:
    """Extract every stored document this extractor version has not processed yet, or
    only those of ``among`` (the documents one ingest stored, say).

    Each document's claims are saved in one transaction, so an interrupted run keeps
    what it finished and a re-run goes on from there. Reviewed claims are never touched.
    The comparison cell summaries are brought up to date at the end.
    """
    from peacetrack.store.cell_summaries import refresh

    summary = ExtractSummary(extractor=extractor.name)
    if on_total is not None:
        on_total(store.count_pending(extractor.name, among))
    params: dict[str, Any] = {"extractor": extractor.name}
    if among is not None:
        params["documents"] = len(among)
    run_id = store.start_run("extract", params)
    status = "failed"
    try:
        for document in store.pending_documents(extractor.name, among):
            _extract_one(store, extractor, document, run_id, summary)
            if progress is not None:
                progress(document)
        # The batch job, not the next comparison someone waits on, brings cells up to date.
        refresh(store)
        status = "finished"
    finally:
        store.finish_run(run_id, status, summary.__dict__)
    return summary


def _extract_one(
    store: Store, extractor: Extractor, document: Document, run_id: int, summary: ExtractSummary
) -> None:
    assert document.id is not None, "stored documents have ids"
    try:
        claims, dropped = grounded_claims(document, extractor)
    except Exception as exc:  # an extractor bug on one document must not stop the run
        summary.failed.append((document.name, f"{type(exc).__name__}: {exc}"))
        return
    summary.documents += 1
    summary.dropped += dropped
    summary.claims += store.save_extraction(document.id, extractor.name, claims, run_id=run_id)
    summary.without_claims += not claims
