"""Cutting a document's text into pieces so that claims' evidence can be highlighted.

Offsets are the store's (``text[start:end] == evidence``, in code points); claims may
overlap, so the text is cut at every start and end and each piece knows every claim that
covers it. Templates escape each piece: the text is never trusted as HTML.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from peacetrack.store import StoredClaim

#: Context shown around evidence when its paragraph is longer than this on either side.
CONTEXT_CHARS = 400


@dataclass(frozen=True)
class Segment:
    text: str
    start: int
    claims: tuple[StoredClaim, ...] = ()

    @property
    def stance_class(self) -> str:
        """The coarse stance of the innermost claim covering the piece ("" when none)."""
        if not self.claims:
            return ""
        inner = min(self.claims, key=lambda s: (s.claim.end or 0) - (s.claim.start or 0))
        return inner.claim.stance.coarse


def segments(text: str, claims: Sequence[StoredClaim]) -> list[Segment]:
    """The whole text in order, cut wherever a claim's evidence starts or ends."""
    located = [s for s in claims if s.claim.start is not None and s.claim.end is not None]
    cuts = sorted(
        {0, len(text)}
        | {s.claim.start or 0 for s in located}
        | {min(s.claim.end or 0, len(text)) for s in located}
    )
    pieces = []
    for start, end in pairwise(cuts):
        covering = tuple(
            s for s in located if (s.claim.start or 0) <= start and end <= (s.claim.end or 0)
        )
        pieces.append(Segment(text[start:end], start, covering))
    return pieces


@dataclass(frozen=True)
class InContext:
    """Evidence with the rest of its paragraph (clipped to CONTEXT_CHARS each side)."""

    before: str
    evidence: str
    after: str


def in_context(text: str, start: int, end: int, limit: int = CONTEXT_CHARS) -> InContext:
    head = text.rfind("\n", 0, start) + 1
    tail = text.find("\n", end)
    tail = len(text) if tail < 0 else tail
    head = max(head, start - limit)
    tail = min(tail, end + limit)
    before = ("…" if head > 0 and text[head - 1] != "\n" else "") + text[head:start]
    after = text[end:tail] + ("…" if tail < len(text) and text[tail] != "\n" else "")
    return InContext(before, text[start:end], after)
