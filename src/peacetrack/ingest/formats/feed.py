"""RSS and Atom feeds: each entry is a report, or a link to one (``follow_links``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import feedparser

from peacetrack.errors import InputError
from peacetrack.ingest.formats.html import fragment_text
from peacetrack.ingest.metadata import Meta, slug, url_slug, web_url

#: A numeric character reference: up to 8 digits are checked, more are beyond Unicode.
_CHARREF = re.compile(rb"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,8}));|&#[xX]?[0-9a-fA-F]{9,};")
_REPLACEMENT = b"&#xFFFD;"


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
    if not data.strip():
        raise InputError(f"{origin}: empty file: no feed in it")
    try:
        parsed = feedparser.parse(_valid_charrefs(data))
    except Exception as exc:  # feedparser fails in its own ways on malformed feeds
        raise InputError(
            f"{origin}: cannot parse the feed ({type(exc).__name__}: {exc}); it is probably "
            "malformed XML: check it with an XML validator, e.g. xmllint --noout FILE"
        ) from None
    if not parsed.get("version") and not parsed.entries:
        why = f" ({parsed.get('bozo_exception')})" if parsed.get("bozo") else ""
        raise InputError(f"{origin}: not an RSS or Atom feed{why}")
    if not parsed.entries:
        raise InputError(f"{origin}: a feed without entries: no reports in it")
    outlet = parsed.feed.get("title") or None
    return [_entry(raw, number, outlet, name_base) for number, raw in enumerate(parsed.entries, 1)]


def _valid_charrefs(data: bytes) -> bytes:
    """``data`` with references to characters XML forbids (``&#0;``, ``&#xD800;``) as U+FFFD.

    feedparser turns such a reference into a character it then cannot encode, and fails on
    the whole feed; one replacement character in one entry costs much less.
    """

    def replace(match: re.Match[bytes]) -> bytes:
        hexadecimal, decimal = match.groups()
        if hexadecimal is None and decimal is None:
            return _REPLACEMENT
        code = int(hexadecimal, 16) if hexadecimal else int(decimal)
        return match.group() if _xml_char(code) else _REPLACEMENT

    return _CHARREF.sub(replace, data)


def _xml_char(code: int) -> bool:
    return (
        code in (0x9, 0xA, 0xD)
        or 0x20 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    )


def _entry(raw: Mapping[str, Any], number: int, outlet: str | None, name_base: str) -> Entry:
    link = web_url(raw.get("link"))
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
    parts = raw.get("content") or [raw.get("summary_detail") or {"value": raw.get("summary")}]
    best = max(parts, key=lambda part: len(part.get("value") or ""))
    value = str(best.get("value") or "")
    return fragment_text(value) if "html" in str(best.get("type", "text/html")) else value


def _entry_date(raw: Mapping[str, Any]) -> date | None:
    when = raw.get("published_parsed") or raw.get("updated_parsed")
    if not when:
        return None
    try:
        return date(when.tm_year, when.tm_mon, when.tm_mday)
    except ValueError:  # a year 0 or 10000: not a date worth keeping
        return None
