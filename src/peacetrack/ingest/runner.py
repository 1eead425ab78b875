"""The ingest loop: read every input, store each document, and account for all of them.

Each document is stored in its own transaction, so a run killed half way keeps what it
stored and a re-run adds only the rest (stored content is recognised by its hash).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from peacetrack.errors import InputError
from peacetrack.ingest.base import EXTENSIONS, Failure, IngestOptions, Source
from peacetrack.ingest.read import read_source, read_text
from peacetrack.ingest.sources import expand_sources
from peacetrack.model import Document, content_hash

if TYPE_CHECKING:
    from peacetrack.store import Store


@dataclass
class IngestSummary:
    """What a run did with every input.

    ``document_ids`` lists every document the inputs name, new and already stored;
    ``new_ids`` only those this run stored (added or near duplicates), which are the ones
    still to extract.
    """

    added: int = 0
    duplicates: int = 0
    near_duplicates: int = 0
    skipped: list[str] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    document_ids: list[int] = field(default_factory=list)
    new_ids: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: The ids in ``document_ids``, so noting one stays O(1) however many a run holds.
    _seen: set[int] = field(default_factory=set, init=False, repr=False, compare=False)

    def note_document(self, document_id: int) -> None:
        """Add ``document_id`` to ``document_ids`` once, keeping the order inputs named them.

        A list lookup here made a 200k-report run spend minutes on membership tests.
        """
        if document_id not in self._seen:
            self._seen.add(document_id)
            self.document_ids.append(document_id)

    def describe(self) -> str:
        """One count line, then one line per failure, skipped file and note."""
        counts = [
            f"added {self.added}",
            f"already stored {self.duplicates}",
            f"near-duplicates {self.near_duplicates} (linked)",
            f"failed {len(self.failed)}",
        ]
        if self.skipped:
            counts.append(f"skipped {len(self.skipped)}")
        lines = [" · ".join(counts)]
        lines += [f"  failed: {f.input} — {f.reason}" for f in self.failed]
        lines += [f"  skipped: {s}" for s in self.skipped]
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

    @property
    def empty(self) -> bool:
        """Whether the run met no input at all (an empty folder, a feed of no entries):
        a mistyped path must not look like a run with nothing new."""
        stored = self.added or self.duplicates or self.near_duplicates
        return not (stored or self.failed or self.skipped)

    def stats(self) -> dict[str, int]:
        return {
            "added": self.added,
            "duplicates": self.duplicates,
            "near_duplicates": self.near_duplicates,
            "skipped": len(self.skipped),
            "failed": len(self.failed),
        }


def ingest(
    sources: Sequence[str | Path],
    store: Store,
    options: IngestOptions | None = None,
    progress: Callable[[Source], None] | None = None,
    on_total: Callable[[int], None] | None = None,
) -> IngestSummary:
    """Store the documents of ``sources``; bad inputs are reported in the summary, not raised.

    ``on_total`` gets the number of inputs before reading starts, ``progress`` each input
    once it has been read. Store errors do stop the run (the run is recorded as failed),
    except an ``InputError`` about one document's content, which fails that document only.
    """
    options = options or IngestOptions()
    expanded = expand_sources(sources, options)
    if on_total is not None:
        on_total(len(expanded))
    summary = IngestSummary()
    run_id = store.start_run("ingest", _params(sources, options))
    status = "failed"
    try:
        for source in expanded:
            _ingest_source(source, store, options, summary)
            if progress is not None:
                progress(source)
        status = "finished"
    finally:
        store.finish_run(run_id, status, summary.stats())
    if summary.empty:
        named = ", ".join(str(source) for source in sources)
        kinds = ", ".join(EXTENSIONS)
        summary.notes.append(f"nothing to read in {named}: no {kinds} file, feed entry or URL")
    return summary


def ingest_text(
    text: str, store: Store, metadata: Mapping[str, str] | None = None, origin: str = "stdin"
) -> IngestSummary:
    """Store one report given as text (pasted in the web app, piped to ``peacetrack ingest
    -``); ``metadata`` holds sidecar columns (title, outlet, date, url). It is named from
    its title, or ``pasted`` when untitled, plus its content's hash, and recorded as a run.
    """
    metadata = dict(metadata or {})
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", metadata.get("title", "").lower()).strip("-")[:60]
    name = f"{stem or 'pasted'}-{content_hash(text)[:8]}.txt"
    summary = IngestSummary()
    run_id = store.start_run("ingest", {"sources": [origin]})
    status = "failed"
    try:
        _take(read_text(text, name, metadata, origin), store, summary)
        status = "finished"
    finally:
        store.finish_run(run_id, status, summary.stats())
    return summary


def _ingest_source(
    source: Source, store: Store, options: IngestOptions, summary: IngestSummary
) -> None:
    if source.skip:
        summary.skipped.append(f"{source.location} — {source.skip}")
        return
    _take(read_source(source, options), store, summary)
    summary.notes.extend(source.notes)


def _take(items: Iterable[Document | Failure], store: Store, summary: IngestSummary) -> None:
    """Store each document read, and count each failure."""
    for item in items:
        if isinstance(item, Failure):
            summary.failed.append(item)
        else:
            _store(item, store, summary)


def _store(document: Document, store: Store, summary: IngestSummary) -> None:
    """Add one document; content the store refuses is that document's failure, not the run's.

    The readers already refuse what the store would, so this is a second line: a store
    with stricter rules must not end a run over one report either.
    """
    try:
        result = store.add_document(document)
    except InputError as exc:
        summary.failed.append(Failure(document.source or document.name, str(exc)))
        return
    if result.status == "duplicate":
        summary.duplicates += 1
    elif result.status == "near_duplicate":
        summary.near_duplicates += 1
    else:
        summary.added += 1
    if result.status != "duplicate":
        summary.new_ids.append(result.document_id)
    summary.note_document(result.document_id)


def _params(sources: Sequence[str | Path], options: IngestOptions) -> dict[str, Any]:
    return {
        "sources": [str(s) for s in sources],
        "follow_links": options.follow_links,
        "allow_private": options.allow_private,
        "column_map": dict(options.column_map),
        "max_bytes": options.max_bytes,
    }
