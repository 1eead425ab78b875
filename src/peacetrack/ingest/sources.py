"""Turning what the user named (files, folders, URLs) into a list of inputs to read.

This step only looks at names (and small sidecar files), never at report contents, so the
CLI can show a progress total before the slow part starts.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from peacetrack.ingest.base import EXTENSIONS, IngestOptions, Source, printable_path
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
    A folder that cannot be listed and a file whose name is not UTF-8 are listed with their
    ``problem``, so the run reports them instead of passing over them in silence.
    """
    cache: SidecarCache = {}
    expanded: list[Source] = []
    for given in sources:
        text = str(given)
        if is_url(text):
            shown = printable_path(text)
            problem = None if shown == text else _UNPRINTABLE_URL
            expanded.append(Source(shown, kind="url", problem=problem))
        elif Path(text).is_dir():
            expanded.extend(_folder(Path(text), cache))
        else:
            expanded.append(_file(Path(text), cache))
    return expanded


def _file(path: Path, cache: SidecarCache) -> Source:
    if not _utf8(str(path)):
        return Source(printable_path(str(path)), problem=_NOT_UTF8)
    if path.name.lower() == SIDECAR and cached_sidecar(path, cache) is not None:
        return Source(str(path), skip="metadata sidecar: its rows describe the files beside it")
    metadata = sidecar_row(path, cache) if path.is_file() else {}
    return Source(str(path), format=EXTENSIONS.get(path.suffix.lower()), metadata=metadata)


def _folder(folder: Path, cache: SidecarCache) -> Iterator[Source]:
    unlisted: list[OSError] = []
    for root, dirs, files in os.walk(folder, onerror=unlisted.append):
        yield from _unlisted(unlisted)
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(f for f in files if not f.startswith(".")):
            path = Path(root) / name
            if name.lower() == SIDECAR and cached_sidecar(path, cache) is not None:
                continue
            if path.suffix.lower() not in EXTENSIONS:
                kind = printable_path(path.suffix) or "without an extension"
                yield Source(printable_path(str(path)), skip=f"unknown file type {kind}")
            else:
                yield _file(path, cache)
    yield from _unlisted(unlisted)


def _unlisted(errors: list[OSError]) -> Iterator[Source]:
    """The folders ``os.walk`` could not list since last asked (it reports them, then moves on)."""
    for error in errors:
        where = printable_path(str(error.filename))
        yield Source(
            where,
            problem=f"cannot list this folder ({error.strerror or error}); give yourself read "
            "access (e.g. chmod u+rx) or leave it out",
        )
    errors.clear()


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


_UNPRINTABLE_URL = (
    "address holds control characters or bytes that are not UTF-8 (shown as \\x..); "
    "check how it was typed or copied"
)
_NOT_UTF8 = (
    "file name is not valid UTF-8, so it cannot be stored or shown; rename it, e.g. "
    "convmv -f latin1 -t utf-8 --notest NAME"
)
