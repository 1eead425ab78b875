"""One reader per input format; each turns raw input into documents or failures."""

from __future__ import annotations

import re

from peacetrack.ingest.base import Failure
from peacetrack.ingest.metadata import Meta, clean_value
from peacetrack.language import detect_language
from peacetrack.model import Document, normalise_text

#: What no store keeps (PostgreSQL refuses NUL) and no encoder writes (lone surrogates).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def make_document(name: str, text: str, meta: Meta, origin: str) -> Document | Failure:
    """The stored form of a report, or a failure when its text cannot be stored as it is.

    Every reader ends here, so this is where text the store would refuse is caught, as a
    failure of this one input rather than an error that stops the run. Text is evidence
    and is never repaired; metadata is a convenience and is cleaned instead.
    """
    text = normalise_text(text)
    if not text:
        return Failure(origin, "empty: no text once whitespace is stripped")
    problem = unstorable(text)
    if problem:
        return Failure(origin, problem)
    meta = meta.cleaned()
    return Document(
        name=clean_value(name) or "document",
        text=text,
        title=meta.title,
        url=meta.url,
        outlet=meta.outlet,
        author=meta.author,
        published=meta.published,
        language=detect_language(text),
        source=origin,
    )


def unstorable(text: str) -> str | None:
    """Why ``text`` cannot be stored (a NUL, an unpaired surrogate, with where), or None."""
    found = _UNSTORABLE.search(text)
    if found is None:
        return None
    where = f"at character {found.start():,}"
    if found.group() == "\x00":
        return (
            f"contains a NUL character {where}: binary data, or text in another encoding "
            "mixed in; remove it or leave this input out"
        )
    return (
        f"contains an unpaired surrogate (\\u{ord(found.group()):04x}) {where}: not valid "
        "Unicode, often a broken \\u escape in JSON; fix or remove it"
    )
