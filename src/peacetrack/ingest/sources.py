"""Turning what the user named (files, folders, URLs) into a list of inputs to read.

This step only looks at names (and small sidecar files), never at report contents, so the
CLI can show a progress total before the slow part starts.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from peacetrack.ingest.base import EXTENSIONS, IngestOptions, Source
from peacetrack.ingest.metadata import SIDECAR, SidecarCache, cached_sidecar, sidecar_row


def is_url(value: str) -> bool:
    return value.lower().startswith(("http://", "https://"))


def expand_sources(sources: Sequence[str | Path], options: IngestOptions) -> list[Source]:
    """Files, every file under each folder (sorted, hidden ones left out), and URLs, in order.

    A file named outright is always read (its format sniffed if the extension says nothing);
    a file found in a folder with an unknown extension is listed as skipped. A folder's
    ``index.csv`` with a ``file`` column is metadata for its neighbours, not a corpus: left
    out of a folder's files, and listed as skipped when named outright.
    ``options`` is accepted so the signature matches ``read_source``; expansion needs none.
    """
    cache: SidecarCache = {}
    expanded: list[Source] = []
    for given in sources:
        text = str(given)
        if is_url(text):
            expanded.append(Source(text, kind="url"))
        elif Path(text).is_dir():
            expanded.extend(_folder(Path(text), cache))
        else:
            expanded.append(_file(Path(text), cache))
    return expanded


def _file(path: Path, cache: SidecarCache) -> Source:
    if path.name.lower() == SIDECAR and cached_sidecar(path, cache) is not None:
        return Source(str(path), skip="metadata sidecar: its rows describe the files beside it")
    metadata = sidecar_row(path, cache) if path.is_file() else {}
    return Source(str(path), format=EXTENSIONS.get(path.suffix.lower()), metadata=metadata)


def _folder(folder: Path, cache: SidecarCache) -> Iterator[Source]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(f for f in files if not f.startswith(".")):
            path = Path(root) / name
            if name.lower() == SIDECAR and cached_sidecar(path, cache) is not None:
                continue
            if path.suffix.lower() not in EXTENSIONS:
                kind = path.suffix or "without an extension"
                yield Source(str(path), skip=f"unknown file type {kind}")
            else:
                yield _file(path, cache)
