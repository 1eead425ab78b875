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

from peacetrack.extract.base import Extractor, Outcome, ReplyCache, StreamingExtractor
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
    #: The extractor's own account of the run (requests, tokens, cost), if it keeps one.
    usage: str | None = None

    def describe(self) -> str:
        line = (
            f"{self.claims} claims from {self.documents} documents ({self.extractor})"
            f" · {self.without_claims} documents had none"
        )
        if self.dropped and self.usage is None:
            line += f" · {self.dropped} claims dropped (evidence not verbatim: please report)"
        lines = [line] + ([self.usage] if self.usage else [])
        lines += [f"  failed: {name} — {reason}" for name, reason in self.failed]
        return "\n".join(lines)


def grounded_claims(document: Document, extractor: Extractor) -> tuple[list[Claim], int]:
    """The extractor's claims located in the text, and how many had to be dropped."""
    return _located(document, extractor.extract(document))


def _located(document: Document, claims: Iterable[Claim]) -> tuple[list[Claim], int]:
    kept: list[Claim] = []
    dropped = 0
    for claim in claims:
        try:
            kept.append(claim.located_in(document.text))
        except ValueError:
            dropped += 1
    return kept, dropped


def outcomes(
    documents: Iterable[Document], extractor: Extractor, cache: ReplyCache | None = None
) -> Iterator[Outcome]:
    """One outcome per document, in input order, whatever kind of extractor this is.

    A streaming extractor works on many documents at once and keeps its answers in
    ``cache``; any other is called one document at a time, and an exception on one
    document fails that document only. Either way only verbatim claims come out.
    """
    if isinstance(extractor, StreamingExtractor):
        for outcome in extractor.extract_many(documents, cache):
            claims, dropped = _located(outcome.document, outcome.claims)
            outcome.claims, outcome.dropped = claims, outcome.dropped + dropped
            yield outcome
        return
    for document in documents:
        try:
            claims, dropped = grounded_claims(document, extractor)
        except Exception as exc:  # an extractor bug on one document must not stop the run
            yield Outcome(document, [], error=f"{type(exc).__name__}: {exc}")
        else:
            yield Outcome(document, claims, dropped)


def prepare(extractor: Extractor) -> list[str]:
    """Fail before any work if the extractor cannot run; notes to show the user."""
    return extractor.check() if isinstance(extractor, StreamingExtractor) else []


def extract_documents(
    documents: Iterable[Document],
    extractor: Extractor,
    cache: ReplyCache | None = None,
    on_failure: Callable[[Failure], None] | None = None,
) -> Iterator[DocumentClaims]:
    """Guideline records, one per document, in input order (documents without claims too);
    a document the extractor failed on is reported to ``on_failure`` and left out."""
    from peacetrack.ingest import Failure

    for outcome in outcomes(documents, extractor, cache):
        if outcome.error is not None:
            if on_failure is not None:
                on_failure(Failure(outcome.document.name, outcome.error))
            continue
        yield DocumentClaims(doc=outcome.document.name, claims=outcome.claims)


def extract_files(
    paths: Sequence[str | Path],
    extractor: Extractor,
    options: IngestOptions | None = None,
    on_failure: Callable[[Failure], None] | None = None,
    cache: ReplyCache | None = None,
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

    return extract_documents(documents(), extractor, cache, on_failure)


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
    what it finished and a re-run goes on from there; a streaming extractor's answers are
    kept in the store as they arrive, so even unfinished documents cost nothing the second
    time. Reviewed claims are never touched. The run is one unit of work of the store
    (``store.batch``), so the comparison cache is current when it ends.
    """
    variant = getattr(extractor, "variant", "")
    summary = ExtractSummary(extractor=extractor.name)
    if on_total is not None:
        on_total(store.count_pending(extractor.name, among, variant))
    params: dict[str, Any] = {"extractor": extractor.name}
    if variant:
        params["variant"] = variant
    if among is not None:
        params["documents"] = len(among)
    run_id = store.start_run("extract", params)
    status = "failed"
    try:
        pending = store.pending_documents(extractor.name, among, variant)
        with store.batch():
            for outcome in outcomes(pending, extractor, cache=store):
                _save(store, extractor, variant, outcome, run_id, summary)
                if progress is not None:
                    progress(outcome.document)
        status = "finished"
    finally:
        if isinstance(extractor, StreamingExtractor):
            summary.usage = extractor.usage()
        store.finish_run(run_id, status, summary.__dict__)
    return summary


def _save(
    store: Store,
    extractor: Extractor,
    variant: str,
    outcome: Outcome,
    run_id: int,
    summary: ExtractSummary,
) -> None:
    document = outcome.document
    assert document.id is not None, "stored documents have ids"
    if outcome.error is not None:
        summary.failed.append((document.name, outcome.error))
        return
    summary.documents += 1
    summary.dropped += outcome.dropped
    summary.claims += store.save_extraction(
        document.id, extractor.name, outcome.claims, run_id=run_id, variant=variant
    )
    summary.without_claims += not outcome.claims
