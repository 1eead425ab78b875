"""Adding reports from the browser: pasted text, a URL, or uploaded files, then extraction.

The same library path as ``peacetrack ingest`` and ``peacetrack extract``: pasted text
goes to ``ingest_text``, as ``peacetrack ingest -`` sends standard input; uploads are
saved to a private temporary folder and ingested from there; URLs go through the ingest
fetcher, which refuses private and loopback addresses (the web offers no way around it).

Each input is ingested on its own, so the person who sent it learns the fate of each
(stored, already stored, or failed and why, in their words and file names, never the
server's paths), and one bad file (an empty feed, a damaged upload, even a reader bug)
costs that file only. Only the documents stored now are extracted: other pending documents
(a big ``peacetrack ingest`` not yet extracted) are ``peacetrack extract``'s job.

These functions run in the job thread (``jobs.py``), never on a request; the extraction
itself runs in the worker process (``worker.py``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from peacetrack.errors import PeaceTrackError
from peacetrack.extract.runner import ExtractSummary
from peacetrack.ingest import IngestOptions, IngestSummary, ingest, ingest_text
from peacetrack.store import Store
from peacetrack.web.wording import for_web
from peacetrack.web.worker import ExtractionWorker

log = logging.getLogger("peacetrack.web.reports")
#: Reports what the work is doing: (stage, done, total).
Progress = Callable[[str, int, int], None]
PASTED = "the pasted text"
UNREADABLE = (
    "could not be read: it may be damaged, or not one of the formats read here "
    "(text, Markdown, HTML, RSS or Atom feeds, JSONL, CSV)"
)
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _no_progress(_stage: str, _done: int, _total: int) -> None:
    return None


@dataclass
class Fate:
    """What became of one input (a file, the pasted text, a URL): the documents it gave,
    already stored or new, and every problem with it."""

    name: str
    added: int = 0
    duplicates: int = 0
    near_duplicates: int = 0
    document_ids: list[int] = field(default_factory=list)
    new_ids: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def status(self) -> Literal["stored", "duplicate", "failed"]:
        if self.added or self.near_duplicates:
            return "stored"
        return "duplicate" if self.duplicates else "failed"

    def describe(self) -> str:
        if self.status == "failed":
            return "failed: " + ("; ".join(self.problems) or "no report found in it")
        counts = [f"{self.added} new"] if self.added else []
        counts += [f"{self.near_duplicates} near-duplicate (linked)"] * bool(self.near_duplicates)
        counts += [f"{self.duplicates} already stored"] * bool(self.duplicates)
        return ("stored: " if self.status == "stored" else "already stored: ") + ", ".join(counts)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status,
            "message": self.describe(),
            "added": self.added,
            "duplicates": self.duplicates,
            "near_duplicates": self.near_duplicates,
            "document_ids": self.document_ids,
            "problems": self.problems,
            "notes": self.notes,
        }


@dataclass
class Added:
    """What adding reports did: each input's fate, and the extraction of the new documents."""

    fates: list[Fate]
    extraction: ExtractSummary | None = None

    @property
    def document_ids(self) -> list[int]:
        return list(dict.fromkeys(d for f in self.fates for d in f.document_ids))

    def stats(self) -> dict[str, int]:
        return {
            "added": sum(f.added for f in self.fates),
            "duplicates": sum(f.duplicates for f in self.fates),
            "near_duplicates": sum(f.near_duplicates for f in self.fates),
            "failed": sum(f.status == "failed" for f in self.fates),
        }

    def describe(self) -> str:
        s = self.stats()
        return (
            f"added {s['added']} · already stored {s['duplicates']} · "
            f"near-duplicates {s['near_duplicates']} (linked) · failed {s['failed']}"
        )


def read_input(
    store: Store, name: str, source: str | Path, options: IngestOptions, names: Mapping[str, str]
) -> Fate:
    """Ingest one input; its fate, never an exception. ``names`` maps server paths to the
    user's names."""
    return _fate_of(name, lambda: ingest([source], store, options), str(source), names)


def _fate_of(
    name: str, run: Callable[[], IngestSummary], source: str, names: Mapping[str, str]
) -> Fate:
    """What ``run`` (ingesting one input) did to it; a reader's bug is logged and the input
    reported as unreadable, never raised."""
    fate = Fate(name)
    try:
        summary = run()
    except PeaceTrackError as exc:
        fate.problems.append(for_web(str(exc), names))
        return fate
    except Exception:
        log.exception("reading %s (sent as %r) failed", source, name)
        fate.problems.append(UNREADABLE)
        return fate
    _tally(fate, summary, source, names)
    if not fate.document_ids and not fate.problems:
        fate.problems.append("no report found in it (an empty feed or corpus?)")
    return fate


def _tally(fate: Fate, summary: IngestSummary, source: str, names: Mapping[str, str]) -> None:
    fate.added, fate.duplicates = summary.added, summary.duplicates
    fate.near_duplicates = summary.near_duplicates
    fate.document_ids, fate.new_ids = summary.document_ids, summary.new_ids
    for failure in summary.failed:
        where = "" if failure.input == source else for_web(failure.input, names) + ": "
        fate.problems.append(where + for_web(failure.reason, names))
    fate.problems += [for_web(s, names) for s in summary.skipped]
    fate.notes += [for_web(n, names) for n in summary.notes]


def extract_new(
    store: Store, fates: list[Fate], extractor: ExtractionWorker, progress: Progress
) -> ExtractSummary | None:
    """Extract the documents these inputs stored (duplicates keep the claims they have)."""
    new = [d for f in fates for d in f.new_ids]
    if not new:
        return None
    total = len(new)
    progress("extracting claims", 0, total)
    summary = extractor.extract(store, new, lambda done: progress("extracting claims", done, total))
    for name, reason in summary.failed:
        log.error("extracting %s failed: %s", name, reason)
    return summary


def add_text(
    store: Store,
    text: str,
    meta: Mapping[str, str],
    extractor: ExtractionWorker,
    progress: Progress = _no_progress,
) -> Added:
    """Pasted text as a document (``ingest_text``, as for ``peacetrack ingest -``); ``meta``
    holds the sidecar columns (title, outlet, date, url)."""
    progress("storing", 0, 1)
    fate = _fate_of(PASTED, lambda: ingest_text(text, store, meta, origin=PASTED), PASTED, {})
    return Added([fate], extract_new(store, [fate], extractor, progress))


def add_url(
    store: Store,
    url: str,
    max_bytes: int,
    extractor: ExtractionWorker,
    progress: Progress = _no_progress,
) -> Added:
    """A web page or feed; private, loopback and other non-public addresses are refused."""
    options = IngestOptions(allow_private=False, max_bytes=max_bytes, timeout=20.0)
    progress("fetching", 0, 1)
    fate = read_input(store, url, url, options, {})
    return Added([fate], extract_new(store, [fate], extractor, progress))


def add_files(
    store: Store,
    files: Iterable[tuple[str, Path]],
    max_bytes: int,
    extractor: ExtractionWorker,
    progress: Progress = _no_progress,
) -> Added:
    """Uploaded files, as (the name the user gave, where it was saved), read by extension."""
    saved = list(files)
    fates = []
    options = IngestOptions(max_bytes=max_bytes)
    for index, (name, path) in enumerate(saved):
        progress("reading files", index, len(saved))
        fates.append(read_input(store, name, path, options, {str(path): name}))
    return Added(fates, extract_new(store, fates, extractor, progress))


def upload_path(folder: Path, index: int, name: str) -> Path:
    """Where the ``index``-th upload is saved: its own subfolder, a safe form of its name
    (extension kept, so it is read by it)."""
    safe = _UNSAFE.sub("_", Path(name).name).lstrip(".") or f"upload-{index}.txt"
    path = folder / f"{index:03d}" / safe
    path.parent.mkdir()
    return path


def sidecar_meta(
    title: str | None, outlet: str | None, published: date | None, url: str | None
) -> dict[str, str]:
    return {
        "title": title or "",
        "outlet": outlet or "",
        "date": published.isoformat() if published else "",
        "url": url or "",
    }
