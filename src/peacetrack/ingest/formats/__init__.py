"""One reader per input format; each turns raw input into documents or failures."""

from __future__ import annotations

from peacetrack.ingest.base import Failure
from peacetrack.ingest.metadata import Meta
from peacetrack.language import detect_language
from peacetrack.model import Document, normalise_text


def make_document(name: str, text: str, meta: Meta, origin: str) -> Document | Failure:
    """The stored form of a report, or a failure when nothing is left of its text."""
    text = normalise_text(text)
    if not text:
        return Failure(origin, "empty: no text once whitespace is stripped")
    return Document(
        name=name,
        text=text,
        title=meta.title,
        url=meta.url,
        outlet=meta.outlet,
        author=meta.author,
        published=meta.published,
        language=detect_language(text),
        source=origin,
    )
