"""Web pages: the article's main text and metadata, without navigation and footers."""

from __future__ import annotations

import re
from typing import Any

import lxml.html  # type: ignore[import-untyped]  # no stubs ship with lxml
import trafilatura

from peacetrack.errors import InputError
from peacetrack.ingest.metadata import Meta, parse_date

#: Fewer words than this is what trafilatura's fallbacks return for pages with no article
#: (a menu item, a cookie banner), not a report worth extracting claims from.
MIN_WORDS = 5
_BLOCKS = ("p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr")


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
        raise InputError(f"{origin}: no article text found")
    meta = Meta(
        title=info.get("title") or None,
        outlet=info.get("sitename") or None,
        author=info.get("author") or None,
        published=parse_date(info.get("date")),
    )
    return text, meta


def fragment_text(markup: str) -> str:
    """Text of an HTML snippet (a feed entry's summary), with paragraphs kept apart."""
    if not markup.strip():
        return ""
    try:
        root = lxml.html.fragment_fromstring(markup, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return markup
    for element in root.iter(*_BLOCKS):
        element.text = "\n\n" + (element.text or "")
        element.tail = "\n\n" + (element.tail or "")
    for element in root.iter("br"):
        element.tail = "\n" + (element.tail or "")
    lines = (re.sub(r"[ \t\xa0]+", " ", line).strip() for line in root.text_content().split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
