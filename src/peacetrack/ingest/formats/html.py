"""Web pages: the article's main text and metadata, without navigation and footers.

trafilatura finds the article in lxml's tree of the page, but libxml2 stops building a
tree ``TREE_DEPTH`` elements down and drops whatever is nested deeper (pages of unclosed
tags reach that depth easily). When trafilatura finds nothing in such a page, the text is
read with the same parser in streaming mode instead, which keeps no tree and so has no
depth limit; feed summaries are always read that way.
"""

from __future__ import annotations

import re
from typing import Any

import lxml.etree  # type: ignore[import-untyped]  # no stubs ship with lxml
import trafilatura

from peacetrack.errors import InputError
from peacetrack.ingest.metadata import Meta, parse_date

#: Fewer words than this is what trafilatura's fallbacks return for pages with no article
#: (a menu item, a cookie banner), not a report worth extracting claims from.
MIN_WORDS = 5
#: How deep libxml2 builds a tree of an HTML page; deeper content is dropped from it.
TREE_DEPTH = 256
_BLOCKS = frozenset(
    ("p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr")
)
_HIDDEN = frozenset(("script", "style", "noscript", "template", "title"))


def article(data: bytes | str, url: str | None, origin: str) -> tuple[str, Meta]:
    """The main text of a page and what the page says about itself."""
    try:
        found = trafilatura.bare_extraction(data, url=url, with_metadata=True)
    except Exception as exc:  # a parser failing on one odd page must not end the run
        raise InputError(f"{origin}: cannot parse HTML ({type(exc).__name__}: {exc})") from exc
    info: dict[str, Any] = {}
    if found is not None:
        info = found if isinstance(found, dict) else found.as_dict()
    text = str(info.get("text") or "")
    if len(text.split()) < MIN_WORDS:
        text = _deep_page_text(data, origin)
    meta = Meta(
        title=info.get("title") or None,
        outlet=info.get("sitename") or None,
        author=info.get("author") or None,
        published=parse_date(info.get("date")),
    )
    return text, meta


def _deep_page_text(data: bytes | str, origin: str) -> str:
    """All the text of a page too deep for trafilatura to see whole; InputError otherwise."""
    text, depth = _stream_text(data)
    if depth <= TREE_DEPTH:
        raise InputError(f"{origin}: no article text found")
    if text is None or len(text.split()) < MIN_WORDS:
        raise InputError(
            f"{origin}: no article text found (the page is nested more than "
            f"{TREE_DEPTH} elements deep)"
        )
    return text


def fragment_text(markup: str) -> str:
    """Text of an HTML snippet (a feed entry's summary), with paragraphs kept apart."""
    if not markup.strip():
        return ""
    text, _ = _stream_text(markup)
    return markup if text is None else text


def _stream_text(markup: bytes | str) -> tuple[str | None, int]:
    """The text of some HTML, blocks as paragraphs, and how deep its elements nest.

    The text is None when the markup cannot be parsed at all.
    """
    collector = _TextCollector()
    parser = lxml.etree.HTMLParser(target=collector, no_network=True)
    try:
        parser.feed(markup)
        parser.close()
    except (lxml.etree.LxmlError, ValueError):
        return None, collector.deepest
    lines = (
        re.sub(r"[ \t\xa0]+", " ", line).strip() for line in "".join(collector.parts).split("\n")
    )
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip(), collector.deepest


class _TextCollector:
    """An lxml parser target that keeps visible text and the deepest nesting it saw."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.deepest = 0
        self._depth = 0
        self._hidden = 0

    def start(self, tag: str, attributes: object) -> None:
        self._depth += 1
        self.deepest = max(self.deepest, self._depth)
        if tag in _HIDDEN:
            self._hidden += 1
        elif tag in _BLOCKS:
            self.parts.append("\n\n")
        elif tag == "br":
            self.parts.append("\n")

    def end(self, tag: str) -> None:
        self._depth -= 1
        if tag in _HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n\n")

    def data(self, text: str) -> None:
        if not self._hidden:
            self.parts.append(text)

    def close(self) -> None:
        """Called by lxml at the end; the result is in ``parts``."""
