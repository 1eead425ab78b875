"""Reading one input (file or URL) into documents: format dispatch, caps and metadata.

Every problem with an input becomes a ``Failure`` naming it; only a bug escapes as an
exception.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from peacetrack.errors import InputError
from peacetrack.ingest.base import Failure, IngestOptions, Source
from peacetrack.ingest.fetch import fetch
from peacetrack.ingest.formats import make_document
from peacetrack.ingest.formats.corpus import capped_lines, read_csv, read_jsonl, row_limit
from peacetrack.ingest.formats.feed import feed_entries, looks_like_feed
from peacetrack.ingest.formats.html import article
from peacetrack.ingest.formats.text import decode_text, looks_binary, sniff_encoding
from peacetrack.ingest.local import open_regular, read_capped
from peacetrack.ingest.metadata import Meta, meta_from_row, text_meta, url_slug
from peacetrack.ingest.sources import expand_sources
from peacetrack.model import Document

Items = Iterator[Document | Failure]
_CORPORA = ("jsonl", "csv")


def read_documents(sources: Sequence[str | Path], options: IngestOptions | None = None) -> Items:
    """Every document in ``sources``, with failures in line; skipped files yield nothing."""
    options = options or IngestOptions()
    for source in expand_sources(sources, options):
        yield from read_source(source, options)


def read_source(source: Source, options: IngestOptions) -> Items:
    """The documents of one file or URL: many for feeds and corpora, none if it is skipped."""
    if source.skip:
        return
    if source.problem:
        yield Failure(source.location, source.problem)
    elif source.kind == "url":
        yield from _guarded(source.location, _read_url(source, options, Meta()))
    else:
        yield from _guarded(source.location, _read_file(source, options))


def _guarded(location: str, items: Items) -> Items:
    """Turn the input errors of one input into a failure naming it, after what it yielded."""
    try:
        yield from items
    except InputError as exc:
        yield Failure(location, str(exc).removeprefix(f"{location}: "))
    except UnicodeDecodeError as exc:
        codec = "UTF-8" if exc.encoding.startswith("utf-8") else exc.encoding.upper()
        yield Failure(
            location,
            f"not {codec} ({exc.reason}) after the rows read so far; "
            "convert it, e.g. iconv -f ENCODING -t UTF-8",
        )
    except OSError as exc:
        yield Failure(location, f"cannot read: {exc.strerror or exc}")


def read_text(text: str, name: str, metadata: Mapping[str, str], origin: str) -> Items:
    """One report given as text, not as a file (pasted in the web app, piped to
    ``peacetrack ingest -``): read as the text reader reads a file whose sidecar row is
    ``metadata`` (title, outlet, date, url), without writing it anywhere first."""
    source = Source(origin, metadata=metadata)
    base = meta_from_row(metadata, {})
    data = text.encode("utf-8")
    yield from _guarded(origin, _read_bytes(data, "text", source, name, base, IngestOptions()))


def _read_file(source: Source, options: IngestOptions) -> Items:
    path = source.path
    if source.format in _CORPORA:
        yield from _read_corpus_file(source, options)
        return
    data = read_capped(path, options.max_bytes)
    sidecar = meta_from_row(source.metadata, {})
    yield from _read_bytes(data, source.format, source, path.name, sidecar, options)


def _read_corpus_file(source: Source, options: IngestOptions) -> Items:
    """Rows streamed from one open file (a path opened twice could be two different files)."""
    path = source.path
    with open_regular(path) as raw:
        head = raw.read(8192)
        if looks_binary(head):
            raise InputError(f"{path}: binary content, not a {source.format} corpus")
        raw.seek(0)
        handle = io.TextIOWrapper(raw, encoding=sniff_encoding(head), newline="")
        read = read_jsonl if source.format == "jsonl" else read_csv
        rows = read(capped_lines(handle, row_limit(options)), str(path), path.stem, options)
        yield from _not_empty(rows, str(path))


def _not_empty(rows: Items, origin: str) -> Items:
    """The rows of a corpus; a corpus without any is reported, not passed over in silence."""
    empty = True
    for item in rows:
        empty = False
        yield item
    if empty:
        raise InputError(f"{origin}: empty: no rows in it")


def _read_url(source: Source, options: IngestOptions, given: Meta) -> Items:
    """A fetched page or feed; ``given`` (a feed entry's metadata) outranks the page's own."""
    fetched = fetch(
        source.location,
        client=options.client,
        allow_private=options.allow_private,
        max_bytes=options.max_bytes,
        timeout=options.timeout,
    )
    base = Meta(url=fetched.final_url).filled_from(given)
    name = url_slug(source.location)
    yield from _read_bytes(fetched.body, fetched.format, source, name, base, options)


def _read_bytes(
    data: bytes, fmt: str | None, source: Source, name: str, base: Meta, options: IngestOptions
) -> Items:
    """Dispatch bytes already in memory to their reader; ``base`` outranks what they find."""
    origin = source.location
    fmt = fmt or _sniff(data)
    if looks_binary(data):
        raise InputError(f"{origin}: binary content, not text (NUL or control bytes)")
    if fmt == "html":
        text, found = article(data, base.url, origin)
        yield make_document(name, text, base.filled_from(found), origin)
    elif fmt == "feed":
        yield from _read_feed(data, source, name, options)
    elif fmt in _CORPORA:
        text, _ = decode_text(data, origin)
        read = read_jsonl if fmt == "jsonl" else read_csv
        yield from _not_empty(read(io.StringIO(text, newline=""), origin, name, options), origin)
    else:
        text, note = decode_text(data, origin)
        if note:
            source.notes.append(f"{origin} — {note}")
        yield make_document(name, text, base.filled_from(text_meta(text)), origin)


def _sniff(data: bytes) -> str:
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if looks_like_feed(data):
        return "feed"
    if head.startswith((b"<!doctype html", b"<html")) or b"<body" in head:
        return "html"
    return "jsonl" if head.startswith(b"{") else "text"


def _read_feed(data: bytes, source: Source, name: str, options: IngestOptions) -> Items:
    for entry in feed_entries(data, source.location, name):
        if options.follow_links and entry.meta.url:
            linked = Source(entry.meta.url, kind="url", notes=source.notes)
            yield from _guarded(linked.location, _read_url(linked, options, entry.meta))
        else:
            yield make_document(entry.name, entry.text, entry.meta, entry.label)
