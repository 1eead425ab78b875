"""Placing a model's evidence in the document, so that nothing it invented is stored.

Models copy well but not perfectly: they straighten quotes, fold line breaks, swap a dash
or drop a word. Evidence is looked for exactly, then after normalising whitespace, quotes
and dashes, then by fuzzy alignment (rapidfuzz) to the closest span of the chunk it came
from, above a similarity threshold. Whatever matched, the stored evidence is the
document's own span with its offsets, never the model's wording; evidence that matches
nothing well enough is not placed, and the claim is dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from peacetrack.extract.llm.chunks import Span

#: Lowest rapidfuzz partial-ratio (0-100) at which a passage counts as the evidence.
FUZZY_THRESHOLD = 90.0

_SAME = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ",
}  # fmt: skip


@dataclass(frozen=True)
class Placed:
    """Where evidence lies in the document, and how it was found (exact, normalised, fuzzy)."""

    start: int
    end: int
    how: str


@dataclass(frozen=True)
class Normalised:
    """A text in normal form, with each of its characters' offset in the original."""

    text: str
    origin: tuple[int, ...]

    @classmethod
    def of(cls, text: str, offset: int = 0) -> Normalised:
        out: list[str] = []
        origin: list[int] = []
        for i, char in enumerate(text):
            char = _SAME.get(char, char)
            if char.isspace():
                if not out or out[-1] == " ":
                    continue
                char = " "
            out.append(char)
            origin.append(offset + i)
        return cls("".join(out), tuple(origin))

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original offsets of ``self.text[start:end]``."""
        return self.origin[start], self.origin[end - 1] + 1


def place(evidence: str, text: str, spans: Sequence[Span]) -> Placed | None:
    """Locate ``evidence`` in ``text``, preferring the ``spans`` it was read from."""
    wanted = evidence.strip()
    if not wanted:
        return None
    for span in (*spans, Span(0, len(text))):
        at = text.find(wanted, span.start, span.end)
        if at >= 0:
            return Placed(at, at + len(wanted), "exact")
    target = Normalised.of(wanted).text.strip()
    for span in (*spans, Span(0, len(text))):
        region = Normalised.of(text[span.start : span.end], span.start)
        at = region.text.find(target)
        if at >= 0 and target:
            start, end = region.span(at, at + len(target))
            return Placed(start, end, "normalised")
    return _fuzzy(target, text, spans)


def _fuzzy(target: str, text: str, spans: Sequence[Span]) -> Placed | None:
    from rapidfuzz import fuzz

    best: tuple[float, int, int] | None = None
    for span in spans:
        region = Normalised.of(text[span.start : span.end], span.start)
        if len(region.text) < len(target) * 0.8 or not target:
            continue
        found = fuzz.partial_ratio_alignment(target, region.text, score_cutoff=FUZZY_THRESHOLD)
        if found is None or (best is not None and found.score <= best[0]):
            continue
        length = found.dest_end - found.dest_start
        if not 0.8 <= length / len(target) <= 1.25:
            continue
        start, end = region.span(found.dest_start, found.dest_end)
        best = (found.score, *_whole_words(text, start, end))
    if best is None:
        return None
    return Placed(best[1], best[2], "fuzzy")


def _whole_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a span to whole words and trim spaces, so evidence never cuts a word in two."""
    while start > 0 and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
        end += 1
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
