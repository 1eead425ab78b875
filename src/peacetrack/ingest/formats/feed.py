"""RSS and Atom feeds: each entry is a report, or a link to one (``follow_links``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import feedparser

from peacetrack.errors import InputError
from peacetrack.ingest.formats.html import fragment_text
from peacetrack.ingest.metadata import Meta, slug, url_slug


@dataclass(frozen=True)
class Entry:
    """One feed entry: its own text (often only a summary), a name, and its metadata."""

    name: str
    label: str
    text: str
    meta: Meta


def looks_like_feed(data: bytes) -> bool:
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head


def feed_entries(data: bytes, origin: str, name_base: str) -> list[Entry]:
    """The entries of a feed; an unreadable feed or a non-feed XML file is an input error."""
    parsed = feedparser.parse(data)
    if not parsed.version and not parsed.entries:
        why = f" ({parsed.bozo_exception})" if parsed.get("bozo") else ""
        raise InputError(f"{origin}: not an RSS or Atom feed{why}")
    outlet = parsed.feed.get("title") or None
    return [_entry(raw, number, outlet, name_base) for number, raw in enumerate(parsed.entries, 1)]


def _entry(raw: Mapping[str, Any], number: int, outlet: str | None, name_base: str) -> Entry:
    link = raw.get("link") or None
    title = raw.get("title") or None
    name = url_slug(link) if link else slug(f"{name_base} {title or number}")
    meta = Meta(
        title=title,
        url=link,
        outlet=outlet,
        author=raw.get("author") or None,
        published=_entry_date(raw),
    )
    return Entry(name=name, label=link or f"{name_base} entry {number}", text=_text(raw), meta=meta)


def _text(raw: Mapping[str, Any]) -> str:
    """Full content when the feed carries it, else the summary; HTML reduced to its text."""
    parts = raw.get("content") or [raw.get("summary_detail") or {"value": raw.get("summary", "")}]
    best = max(parts, key=lambda part: len(part.get("value", "")))
    value = str(best.get("value", ""))
    return fragment_text(value) if "html" in str(best.get("type", "text/html")) else value


def _entry_date(raw: Mapping[str, Any]) -> date | None:
    when = raw.get("published_parsed") or raw.get("updated_parsed")
    return date(when.tm_year, when.tm_mon, when.tm_mday) if when else None
