"""Bounds on the work one text can cause, so that reading costs in proportion to its length.

Three things used to grow with the square of a text's shape rather than its length:

* spaCy's tokenizer strips prefixes and suffixes one at a time, searching the whole rest of
  the whitespace-free chunk each time: 16,000 quote marks in a row took 25 s;
* the reading rules compare the mentions of a segment with each other, so a "sentence" of
  200 KB (no full stop anywhere) took minutes;
* spaCy refuses a text over ``nlp.max_length`` (E088), so a long document could be stored
  but not extracted.

So a text is read in parts of at most ``PART_CHARS`` characters cut at paragraph breaks
(offsets are mapped back); the tokenizer reads a *view* of each part that has the same
length, in which long runs of punctuation are cut short by spaces and no whitespace-free
chunk is longer than ``CHUNK_CHARS`` (offsets and evidence still index into the original
text, since only the view changes); and a segment holds at most ``SEGMENT_TOKENS`` tokens
and about ``SEGMENT_CHARS`` characters.

Every limit lies far above what reports contain (in the evaluation corpora the longest
sentence has 138 tokens and 804 characters, the longest run of punctuation 4 characters, the
longest whitespace-free chunk 25 characters and the longest report 12,000 characters), so
ordinary text is read exactly as before; only pathological text is read differently.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator, Sequence

from spacy.tokens import Doc

#: Longest stretch of text handed to spaCy at once: far below its ``max_length`` (1,000,000),
#: and long enough that no report is ever cut.
PART_CHARS = 200_000
#: A run of punctuation or symbols longer than this keeps ``RUN_CHARS // 2`` characters at
#: each end in the tokenizer's view; the middle becomes spaces.
RUN_CHARS = 16
#: Longest whitespace-free chunk in the tokenizer's view: a space replaces one character
#: after each ``CHUNK_CHARS`` (a URL of 400 characters stays whole).
CHUNK_CHARS = 400
#: Longest segment in tokens, and (roughly: its last token may reach past) in characters.
SEGMENT_TOKENS = 200
SEGMENT_CHARS = 4_000
#: Tokens after which an over-long segment is preferably cut.
CLAUSE_MARKS = frozenset({",", ";", ":", "\u2014", "\u2013"})

LONG_RUN = re.compile(r"[^\w\s]{" + str(RUN_CHARS + 1) + ",}")
LONG_CHUNK = re.compile(r"\S{" + str(CHUNK_CHARS + 1) + ",}")
#: Where a part may end, best first: after a blank line, a line break, any whitespace.
PART_BREAKS = ("\n\n", "\n", " ")


def parts(text: str, size: int = PART_CHARS) -> Iterator[tuple[int, str]]:
    """``(offset, part)`` pairs that cover ``text`` in order, each at most ``size``
    characters. A part ends after the last paragraph break in its second half, else the
    last line break, else the last space; a text with none of these is cut at ``size``.
    Each part is at least half of ``size`` (except the last), so the search is linear."""
    start = 0
    while len(text) - start > size:
        end = _part_end(text, start, start + size)
        yield start, text[start:end]
        start = end
    if start < len(text):
        yield start, text[start:]


def _part_end(text: str, start: int, limit: int) -> int:
    lowest = start + (limit - start) // 2
    for mark in PART_BREAKS:
        at = text.rfind(mark, lowest, limit)
        if at >= 0:
            return at + len(mark)
    return limit


def tokenizer_view(text: str) -> str:
    """``text`` as the tokenizer should see it: the same length and the same characters,
    except that a run of punctuation over ``RUN_CHARS`` keeps only its ends and a
    whitespace-free chunk over ``CHUNK_CHARS`` gets a space after every ``CHUNK_CHARS``.
    Ordinary text comes back unchanged. Because only spaces replace characters, every
    token offset still indexes into ``text``.

    Both runs lie inside a whitespace-free chunk longer than they are, so a text whose
    chunks (``str.split`` splits at the whitespace ``\\s`` matches) are all short is
    returned as it is, without scanning it with the patterns character by character."""
    long = [chunk for chunk in text.split() if len(chunk) > RUN_CHARS]
    view = text
    if any(LONG_RUN.search(chunk) for chunk in long):
        view = LONG_RUN.sub(_shortened_run, view)
    if any(len(chunk) > CHUNK_CHARS for chunk in long):
        view = LONG_CHUNK.sub(_broken_chunk, view)
    return view


def _shortened_run(match: re.Match[str]) -> str:
    run = match.group()
    keep = RUN_CHARS // 2
    return run[:keep] + " " * (len(run) - 2 * keep) + run[-keep:]


def _broken_chunk(match: re.Match[str]) -> str:
    chunk = match.group()
    pieces: list[str] = []
    for at in range(0, len(chunk), CHUNK_CHARS + 1):
        pieces.append(chunk[at : at + CHUNK_CHARS])
        if at + CHUNK_CHARS < len(chunk):
            pieces.append(" ")  # stands in for the character at at + CHUNK_CHARS
    return "".join(pieces)


def bounded(doc: Doc, offsets: Sequence[int], first: int, last: int) -> Iterator[tuple[int, int]]:
    """Token ranges that cover ``[first, last)``, each at most ``SEGMENT_TOKENS`` tokens
    whose starts lie within ``SEGMENT_CHARS`` characters of the first; a range that has to
    be cut ends after the last clause mark (comma, semicolon, colon, dash) in its second
    half where there is one. ``offsets`` are the tokens' character offsets."""
    while first < last:
        end = min(last, first + SEGMENT_TOKENS)
        end = max(first + 1, bisect_left(offsets, offsets[first] + SEGMENT_CHARS, first, end))
        if end < last:
            end = _clause_end(doc, first, end)
        yield first, end
        first = end


def _clause_end(doc: Doc, first: int, end: int) -> int:
    """After the last clause mark in the second half of ``[first, end)``, else ``end``."""
    for i in range(end - 1, first + (end - first) // 2, -1):
        if doc[i].text in CLAUSE_MARKS:
            return i + 1
    return end
