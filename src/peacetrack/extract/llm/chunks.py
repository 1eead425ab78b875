"""Cutting a document into requests: paragraphs, a cheap prefilter, chunks under a budget.

A model reads a whole news report better than a sentence, so chunks are as large as the
token budget allows and break only between paragraphs (or sentences, for a paragraph
longer than the budget). The prefilter leaves out paragraphs that cannot hold a claim:
no codebook actor named and no negotiation wording (bylines, photo credits, colour). It
only runs on English text, whose wording it knows; other languages are sent whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from importlib.resources import files

from peacetrack.codebook import Codebook
from peacetrack.extract.llm.mentions import NameFinder

_PARAGRAPH = re.compile(r"[^\n]+")
_ENDS_PARAGRAPH = re.compile(r"[.!?…\"'”’)\]]\s*$")
_QUOTE = re.compile(r"[\"“”«„]")
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+")


@dataclass(frozen=True)
class Span:
    """``text[start:end]`` of the document."""

    start: int
    end: int


@dataclass(frozen=True)
class Chunk:
    """One request's worth of a document: its index, its text and where that text lies."""

    index: int
    text: str
    spans: tuple[Span, ...]


def estimate_tokens(text: str) -> int:
    """A tokenizer-free estimate (about four bytes a token), which errs on the long side for
    non-Latin scripts; budgets only need to be about right."""
    return len(text.encode("utf-8")) // 4 + 1


def paragraphs(text: str) -> list[Span]:
    """Paragraphs: lines, except that a line not ending a sentence runs on into the next
    (statements and press releases wrap their lines at a fixed width)."""
    spans: list[Span] = []
    open_ended = False
    for match in _PARAGRAPH.finditer(text):
        line = match.group().rstrip()
        if not line.strip():
            open_ended = False
            continue
        if open_ended and spans and "\n\n" not in text[spans[-1].end : match.start()]:
            spans[-1] = Span(spans[-1].start, match.start() + len(line))
        else:
            spans.append(Span(match.start(), match.start() + len(line)))
        open_ended = not _ENDS_PARAGRAPH.search(line)
    return spans


class Prefilter:
    """Keeps a paragraph that names a codebook actor, quotes someone (a negotiator's words
    often run on over paragraphs that name nobody) or uses negotiation wording."""

    def __init__(self, codebook: Codebook, actors: NameFinder) -> None:
        self._actors = actors
        cues = {cue for issue in codebook.issues.values() for cue in issue.cues}
        cues |= set(_wording("en"))
        self._cues = cues

    @cached_property
    def _pattern(self) -> re.Pattern[str]:
        body = "|".join(re.escape(c) for c in sorted(self._cues, key=len, reverse=True))
        return re.compile(rf"\b(?:{body})", re.IGNORECASE)

    def keeps(self, paragraph: str) -> bool:
        return (
            self._actors.names_any(paragraph)
            or _QUOTE.search(paragraph) is not None
            or self._pattern.search(paragraph) is not None
        )


def _wording(language: str) -> list[str]:
    """Negotiation verbs and nouns of one language, one per line, from the package's data."""
    data = files("peacetrack.extract.llm").joinpath("data", language, "negotiation_words.txt")
    lines = data.read_text(encoding="utf-8").splitlines()
    return [w.strip() for w in lines if w.strip() and not w.startswith("#")]


def chunk_document(text: str, budget: int, prefilter: Prefilter | None) -> tuple[list[Chunk], int]:
    """The document's chunks, and how many paragraphs the prefilter left out."""
    kept: list[Span] = []
    skipped = 0
    for span in paragraphs(text):
        if prefilter is None or prefilter.keeps(text[span.start : span.end]):
            kept.extend(_pieces(text, span, budget))
        else:
            skipped += 1
    return list(_packed(text, kept, budget)), skipped


def _pieces(text: str, span: Span, budget: int) -> Iterator[Span]:
    """A paragraph as is, or cut at sentence ends (then anywhere) when over the budget."""
    if estimate_tokens(text[span.start : span.end]) <= budget:
        yield span
        return
    start = span.start
    limit = budget * 4
    while span.end - start > limit:
        window = text[start : start + limit]
        ends = [m.end() for m in _SENTENCE_END.finditer(window)]
        cut = start + (ends[-1] if ends and ends[-1] > limit // 4 else limit)
        yield Span(start, cut)
        start = cut
    yield Span(start, span.end)


def _packed(text: str, spans: Sequence[Span], budget: int) -> Iterator[Chunk]:
    groups: list[list[Span]] = []
    used = 0
    for span in spans:
        size = estimate_tokens(text[span.start : span.end])
        if not groups or used + size > budget:
            groups.append([])
            used = 0
        groups[-1].append(span)
        used += size
    for index, group in enumerate(groups):
        body = "\n\n".join(text[s.start : s.end].strip() for s in group)
        yield Chunk(index=index, text=body, spans=tuple(group))
