"""Segments: the sentences, list items and lead-ins claims are read from.

News text arrives in two shapes: one paragraph per line, and hard-wrapped official texts
where a sentence runs over several lines. Sentences end at final punctuation, as spaCy's
sentencizer splits them (``sentence_starts``, read from the token arrays rather than by
walking spaCy's token objects, which cost as much as tokenising the text); on top of that
a line break ends a segment only where it cannot be a wrap (the line before ends a
sentence, or the next line opens a list item). A segment ending in a colon is a
lead-in ("proposed the following terms:"), and the list items that follow it inherit its
actor, stance and attribution.

A sentence longer than ``bounds.SEGMENT_TOKENS`` tokens is cut into several segments, and
a position's line is found in a table of line starts rather than by scanning back: a text
of one line would otherwise cost its length for each segment.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
from spacy.pipeline import Sentencizer
from spacy.tokens import Doc

from peacetrack.extract.rules.bounds import bounded

BULLET = re.compile(r"[ \t]*(?:[*\u2022\u25aa\u25cf\u2013-]|\d{1,2}[.)])[ \t]+")
LINE_END = re.compile(r"[.!?:;\"\u201d\u2019)\]]\s*$")
NEWLINE = re.compile("\n")
#: Marks that end a sentence: those of spaCy's sentencizer.
FINAL_MARKS = frozenset(Sentencizer.default_punct_chars)
#: What may stand before a segment at the start of its line.
LEADERS = "*\u2022-\u2013 \t"


@dataclass(frozen=True)
class Segment:
    """A stretch of text read as one unit; ``start``/``end`` are character offsets."""

    start: int
    end: int
    #: Token range in the spaCy doc.
    first: int
    last: int
    item: bool = False
    lead_in: bool = False
    #: Index of the lead-in segment a list item hangs from, if any.
    parent: int | None = None
    #: Index of the first segment of the paragraph (line block) this one is in.
    paragraph: int = 0


def _hard_wrapped(lines: list[str]) -> bool:
    """True for texts wrapped at a fixed width: many long lines end mid-sentence. Texts
    with one paragraph per line end almost every long line with punctuation."""
    long = [line for line in lines if len(line.strip()) >= 50]
    open_ended = [line for line in long if not LINE_END.search(line)]
    return len(open_ended) > 0.3 * len(long)


def _breaks(text: str) -> list[int]:
    """Character offsets of line starts where a line break must end a segment."""
    lines = text.split("\n")
    wrapped = _hard_wrapped(lines)
    cuts: list[int] = []
    offset = 0
    for previous, following in pairwise(lines):
        offset += len(previous) + 1
        if (
            not wrapped
            or not previous.strip()
            or not following.strip()
            or LINE_END.search(previous)
            or BULLET.match(following)
            or len(previous.strip()) < 40
        ):
            cuts.append(offset)
    return cuts


def _trim(lower: Sequence[str], first: int, last: int) -> tuple[int, int]:
    """Drop whitespace tokens and bullet marks at the edges of a token range (``lower``
    are the lower-cased token texts: read from a list, not from spaCy's token objects)."""
    while first < last and (lower[first].isspace() or lower[first] in "*\u2022-\u2013"):
        first += 1
    while last > first and lower[last - 1].isspace():
        last -= 1
    return first, last


def sentence_starts(doc: Doc, lower: Sequence[str]) -> list[int]:
    """The first tokens of the sentences spaCy's sentencizer finds: the first token, and
    every word (a token that is no punctuation) whose nearest word or sentence-final mark
    before it is such a mark ("." "!" "?" and their kin in other scripts); other
    punctuation (quotes, brackets) stands between unseen. ``lower`` are the lower-cased
    token texts (a final mark is its own lower case)."""
    if not lower:
        return []
    final = np.fromiter(map(FINAL_MARKS.__contains__, lower), dtype=bool, count=len(lower))
    word = ~final & (doc.to_array("IS_PUNCT") == 0)
    marks = np.flatnonzero(final | word)
    closing = final[marks]
    opens = marks[1:][closing[:-1] & ~closing[1:]]
    return [0, *opens.tolist()]


def _pieces(
    doc: Doc, text: str, lower: Sequence[str], offsets: Sequence[int]
) -> list[tuple[int, int]]:
    """Token ranges of sentences, cut again at the line breaks that end a segment and
    wherever a sentence is too long to read in bounded time (``offsets`` are the tokens'
    character offsets)."""
    cuts = {bisect_left(offsets, cut) for cut in _breaks(text)}
    starts = sorted(cuts | set(sentence_starts(doc, lower)))
    edges = [0, *(i for i in starts if 0 < i < len(doc)), len(doc)]
    return [piece for a, b in pairwise(edges) for piece in bounded(doc, offsets, a, b)]


def line_starts(text: str) -> list[int]:
    """Offsets at which the lines of ``text`` start, for ``line_start``."""
    return [0, *(m.end() for m in NEWLINE.finditer(text))]


def line_start(starts: Sequence[int], at: int) -> int:
    """Start of the line holding offset ``at`` (as ``text.rfind("\\n", 0, at) + 1``)."""
    return starts[bisect_right(starts, at) - 1]


def opens_line(text: str, line: int, at: int, leader: Callable[[str], bool] = str.isspace) -> bool:
    """True when only characters ``leader`` accepts (blanks by default) stand between the
    start of a line, ``line``, and ``at``. It scans back over those only, so each gap is
    read once: slicing from the line's start would cost a text of one long line its
    length for every mention."""
    while at > line and leader(text[at - 1]):
        at -= 1
    return at == line


MARKER_ONLY = re.compile(r"^(?:[*\u2022\u25aa\u25cf\u2013-]|\d{1,2}[.)]|[a-z][.)])$")


def segment(doc: Doc, full: str, lines: Sequence[int], lower: Sequence[str]) -> list[Segment]:
    """Split a parsed document (``full`` is its text, ``lines`` its ``line_starts``,
    ``lower`` its lower-cased token texts) into segments, marking list items and their
    lead-ins.

    Pieces with no letters (markup remnants) are dropped; a piece that is only a list
    marker ("1.") makes the next piece a list item.
    """
    segments: list[Segment] = []
    lead: int | None = None
    paragraph = 0
    marker = False
    offsets = doc.to_array("IDX").tolist()
    lengths = doc.to_array("LENGTH").tolist()
    for raw_first, raw_last in _pieces(doc, full, lower, offsets):
        first, last = _trim(lower, raw_first, raw_last)
        if first >= last:
            continue
        start, end = offsets[first], offsets[last - 1] + lengths[last - 1]
        text = full[start:end]
        if MARKER_ONLY.match(text):
            marker = True
            continue
        if not any(c.isalpha() for c in text):
            continue
        line = line_start(lines, start)
        new_line = marker or opens_line(full, line, start, LEADERS.__contains__)
        bullet = marker or (new_line and bool(BULLET.match(full, line, start + 1)))
        after_lead = bool(segments) and segments[-1].lead_in
        is_item = new_line and (bullet or after_lead)
        marker = False
        if new_line and not is_item:
            lead = None
        if new_line:
            paragraph = len(segments)
        segments.append(
            Segment(
                start,
                end,
                first,
                last,
                item=is_item,
                lead_in=text.endswith(":"),
                parent=lead if is_item else None,
                paragraph=paragraph,
            )
        )
        if text.endswith(":"):
            lead = len(segments) - 1
    return segments
