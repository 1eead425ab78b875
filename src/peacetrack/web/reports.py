"""Adding reports from the browser: pasted text, a URL, or uploaded files, then extraction.

The same library path as ``peacetrack ingest`` and ``peacetrack extract``: pasted text
and uploads are written to a private temporary folder (pasted metadata in an ``index.csv``
sidecar, as for files on disk) and ingested from there; URLs go through the ingest
fetcher, which refuses private and loopback addresses (the web offers no way around it).
Only the documents a request stores are extracted: other pending documents (a big
``peacetrack ingest`` not yet extracted) are ``peacetrack extract``'s job, not the job of
someone waiting on one pasted report.
"""

from __future__ import annotations

import csv
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from peacetrack.extract import get_extractor
from peacetrack.extract.runner import extract_store
from peacetrack.ingest import Failure, IngestOptions, IngestSummary, check_url, ingest
from peacetrack.ingest.metadata import SIDECAR
from peacetrack.model import content_hash
from peacetrack.store import Store, StoredClaim

DEFAULT_EXTRACTOR = "rules.v1"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass
class Added:
    """What adding reports did: the ingest summary, and each document's claims."""

    summary: IngestSummary
    claims: dict[int, list[StoredClaim]] = field(default_factory=dict)

    @property
    def failures(self) -> list[Failure]:
        return self.summary.failed


def add_text(
    store: Store,
    text: str,
    *,
    title: str | None = None,
    outlet: str | None = None,
    published: date | None = None,
    url: str | None = None,
    extractor: str = DEFAULT_EXTRACTOR,
) -> Added:
    """Pasted text as a document, named from its title (or its content when untitled)."""
    stem = _UNSAFE.sub("-", (title or "").lower()).strip("-")[:60]
    name = f"{stem or 'pasted'}-{content_hash(text)[:8]}.txt"
    row = {
        "file": name,
        "title": title or "",
        "outlet": outlet or "",
        "date": published.isoformat() if published else "",
        "url": url or "",
    }
    with tempfile.TemporaryDirectory(prefix="peacetrack-paste-") as folder:
        (Path(folder) / name).write_text(text, encoding="utf-8")
        with (Path(folder) / SIDECAR).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(row))
            writer.writeheader()
            writer.writerow(row)
        summary = ingest([folder], store, IngestOptions())
    return _extracted(store, summary, extractor)


def add_url(store: Store, url: str, max_bytes: int, extractor: str = DEFAULT_EXTRACTOR) -> Added:
    """A web page or feed; private, loopback and other non-public addresses are refused."""
    check_url(url)
    options = IngestOptions(allow_private=False, max_bytes=max_bytes, timeout=20.0)
    return _extracted(store, ingest([url], store, options), extractor)


def add_files(
    store: Store,
    files: Sequence[tuple[str, bytes]],
    max_bytes: int,
    extractor: str = DEFAULT_EXTRACTOR,
) -> Added:
    """Uploaded files (name, content), read by their extension like files on disk."""
    with tempfile.TemporaryDirectory(prefix="peacetrack-upload-") as folder:
        paths = []
        for index, (name, data) in enumerate(files):
            safe = _UNSAFE.sub("_", Path(name).name).lstrip(".") or f"upload-{index}.txt"
            path = Path(folder) / f"{index:03d}" / safe
            path.parent.mkdir()
            path.write_bytes(data)
            paths.append(path)
        summary = ingest(paths, store, IngestOptions(max_bytes=max_bytes))
    return _extracted(store, summary, extractor)


def _extracted(store: Store, summary: IngestSummary, extractor: str) -> Added:
    """Extract the documents this request stored; list every document's claims.

    Exact duplicates of documents stored before keep the claims they already have.
    """
    if summary.new_ids:
        extract_store(store, get_extractor(extractor), among=summary.new_ids)
    return Added(summary, {d: store.claims(document=d) for d in summary.document_ids})
