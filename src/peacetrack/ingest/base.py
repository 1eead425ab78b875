"""What every ingest step shares: the options, an input to read, and a failed input.

Readers never raise for a bad input: they yield a ``Failure`` naming it, so one broken file
in a folder of hundreds costs that file only.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import httpx

from peacetrack.errors import InputError

#: Our document fields and the column names a corpus or sidecar may use for each, in order
#: of preference. ``column_map`` adds a name of the user's in front of these.
COLUMNS: Mapping[str, tuple[str, ...]] = {
    "text": ("text", "body", "content"),
    "title": ("title", "headline"),
    "url": ("url", "link"),
    "outlet": ("outlet", "publisher", "source"),
    "author": ("author", "byline"),
    "date": ("date", "published"),
    "name": ("id", "name"),
}

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

#: File formats the readers know, by file extension.
EXTENSIONS: Mapping[str, str] = {
    ".txt": "text",
    ".md": "text",
    ".html": "html",
    ".htm": "html",
    ".xml": "feed",
    ".rss": "feed",
    ".atom": "feed",
    ".jsonl": "jsonl",
    ".csv": "csv",
}


@dataclass
class IngestOptions:
    """How to read inputs. ``client`` lets tests and embedders supply their own transport."""

    follow_links: bool = False
    allow_private: bool = False
    column_map: Mapping[str, str] = field(default_factory=dict)  # our field -> their column
    max_bytes: int = 20_000_000
    timeout: float = 30.0
    client: httpx.Client | None = None

    def __post_init__(self) -> None:
        unknown = sorted(set(self.column_map) - set(COLUMNS))
        if unknown:
            raise InputError(
                f"column map names unknown field(s) {', '.join(unknown)}; "
                f"map one of {', '.join(COLUMNS)} to a column, e.g. text=article_body"
            )
        if self.max_bytes <= 0:
            raise InputError(f"max_bytes must be positive, not {self.max_bytes}")


def printable_path(path: str) -> str:
    """A path or URL as text that can be printed and stored: ``\\xe9`` for what cannot.

    Python hands file names that are not UTF-8 over as lone surrogates, which no terminal,
    database or JSON encoder accepts, so such a name would crash whatever reported it; and
    control characters (NUL, ESC) would be refused by the store or act on the terminal.
    Both are written as backslash escapes.
    """
    try:
        raw = os.fsencode(path)
    except UnicodeEncodeError:  # a surrogate that did not come from the file system
        raw = path.encode("utf-8", "backslashreplace")
    text = raw.decode("utf-8", "backslashreplace")
    return _CONTROL.sub(lambda found: f"\\x{ord(found.group()):02x}", text)


@dataclass
class Failure:
    """An input that could not be read, and why, in words the user can act on."""

    input: str
    reason: str


@dataclass
class Source:
    """One file or URL to read; cheap to make, so the CLI can count them before reading.

    ``format`` is None when it must be sniffed from the content (an explicitly named file
    with an unusual extension, or a URL). ``skip`` says why a file found in a folder is
    passed over. ``problem`` is what listing already found wrong with it (a folder that
    cannot be listed, a name that is not UTF-8): reading it yields that as its failure, so
    it is counted and reported like any other bad input. ``metadata`` holds what a sidecar
    ``index.csv`` says about the file, and ``notes`` collects remarks made while reading it
    (such as a re-encoding) for the summary.
    """

    location: str
    kind: Literal["file", "url"] = "file"
    format: str | None = None
    skip: str | None = None
    problem: str | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def path(self) -> Path:
        return Path(self.location)
