"""Extraction costs in proportion to a text's length, whatever its shape or size (#11).

Most tests assert on bounded work, which does not depend on the machine: how many
characters spaCy reads per call, the longest whitespace-free chunk and run of punctuation
it sees, how many tokens a segment holds. Where the time is the point (a pathological
megabyte), the bound is on CPU time as a ratio to a megabyte of ordinary reports measured in
the same run (``ordinary_megabyte``), so neither a slower machine nor other work on a shared
one makes it fail: the shapes take 1-2 times an ordinary megabyte; quadratic cost, hundreds.
"""

from __future__ import annotations

import copy
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import spacy

import peacetrack as pt
from pathological import SENTENCE, SHAPES, report_texts, reports
from peacetrack.extract import get_extractor
from peacetrack.extract.rules import RulesExtractor
from peacetrack.extract.rules.bounds import (
    CHUNK_CHARS,
    PART_CHARS,
    RUN_CHARS,
    SEGMENT_CHARS,
    SEGMENT_TOKENS,
    parts,
    tokenizer_view,
)
from peacetrack.extract.rules.pipeline import Parsed
from peacetrack.extract.rules.segments import sentence_starts
from peacetrack.model import Claim, Document, Stance

MEGABYTE = 1_000_000
CHUNK = re.compile(r"\S+")
RUN = re.compile(r"[^\w\s]+")


@dataclass
class Spy:
    """Records what one extractor's spaCy pipeline and parser are given."""

    sizes: list[int] = field(default_factory=list)
    longest_chunk: int = 0
    longest_run: int = 0
    longest_segment: tuple[int, int] = (0, 0)

    def nlp(self, nlp: Callable[[str], Any]) -> Callable[[str], Any]:
        def reading(text: str) -> Any:
            self.sizes.append(len(text))
            self.longest_chunk = max([self.longest_chunk, *map(len, CHUNK.findall(text))])
            self.longest_run = max([self.longest_run, *map(len, RUN.findall(text))])
            return nlp(text)

        return reading

    def parse(self, parse: Callable[[str], Parsed]) -> Callable[[str], Parsed]:
        def parsing(text: str) -> Parsed:
            parsed = parse(text)
            for seg in parsed.segments:
                tokens, chars = seg.last - seg.first, seg.end - seg.start
                self.longest_segment = max(self.longest_segment, (tokens, chars))
            return parsed

        return parsing


@pytest.fixture(scope="module")
def extractor() -> RulesExtractor:
    return RulesExtractor()


@pytest.fixture(scope="module")
def ordinary_megabyte() -> float:
    """CPU seconds ``rules.v1`` takes over a megabyte of ordinary reports, here and now (its
    pipeline built first, so the figure is reading alone)."""
    pt.extract_claims(SENTENCE, "rules.v1")
    began = time.process_time()
    pt.extract_claims(reports(MEGABYTE), "rules.v1")
    return time.process_time() - began


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> Iterator[Spy]:
    """Watches the pipeline of ``rules.v1``, the one ``extract_claims(text, "rules.v1")`` uses."""
    extractor = get_extractor("rules.v1")
    assert isinstance(extractor, RulesExtractor)
    pipeline, watching = extractor.pipeline, Spy()
    monkeypatch.setattr(pipeline, "nlp", watching.nlp(pipeline.nlp))
    monkeypatch.setattr(pipeline, "parse", watching.parse(pipeline.parse))
    yield watching


def assert_verbatim(claims: list[Claim], text: str) -> None:
    for claim in claims:
        assert claim.start is not None and claim.end is not None
        assert text[claim.start : claim.end] == claim.evidence


def test_ordinary_reports_are_read_exactly_as_written() -> None:
    for text in report_texts():
        assert tokenizer_view(text) == text
        assert list(parts(text)) == [(0, text)]


@pytest.mark.parametrize("shape", SHAPES)
def test_the_tokenizer_view_only_turns_characters_into_spaces(shape: str) -> None:
    text = SHAPES[shape](50_000)
    view = tokenizer_view(text)
    assert len(view) == len(text)
    assert all(v == t or (v == " " and not t.isspace()) for v, t in zip(view, text, strict=True))
    assert max(map(len, CHUNK.findall(view))) <= CHUNK_CHARS
    assert max(map(len, RUN.findall(view)), default=0) <= RUN_CHARS


def test_parts_cover_the_text_and_end_at_paragraph_breaks() -> None:
    text = reports(3 * PART_CHARS)
    cut = list(parts(text))
    assert "".join(part for _, part in cut) == text
    assert [offset for offset, _ in cut] == [
        sum(len(part) for _, part in cut[:i]) for i in range(len(cut))
    ]
    assert all(PART_CHARS // 2 <= len(part) <= PART_CHARS for _, part in cut[:-1])
    assert all(part.endswith("\n\n") for _, part in cut[:-1])


def test_a_text_without_whitespace_is_cut_at_the_limit() -> None:
    text = "a" * (2 * PART_CHARS + 10)
    assert [len(part) for _, part in parts(text)] == [PART_CHARS, PART_CHARS, 10]


@pytest.mark.slow
@pytest.mark.parametrize("shape", SHAPES)
def test_a_pathological_megabyte_is_read_in_bounded_pieces(
    ordinary_megabyte: float, spy: Spy, shape: str
) -> None:
    text = SHAPES[shape](MEGABYTE)
    began = time.process_time()
    claims = pt.extract_claims(text, "rules.v1")
    took = time.process_time() - began
    assert max(spy.sizes) <= PART_CHARS
    assert sum(spy.sizes) == len(text)  # every character read once
    assert spy.longest_chunk <= CHUNK_CHARS
    assert spy.longest_run <= RUN_CHARS
    tokens, chars = spy.longest_segment
    assert tokens <= SEGMENT_TOKENS
    assert chars <= SEGMENT_CHARS + CHUNK_CHARS  # the last token may reach past the limit
    # The sentence after the pathological stretch is still read, at its own offsets.
    at = text.index(SENTENCE)
    assert any(
        c.actors == ["RUS"] and c.stance is Stance.DEMAND and c.start <= at < c.end
        for c in claims
        if c.start is not None and c.end is not None
    )
    assert_verbatim(claims, text)
    assert took < 5 * ordinary_megabyte, (
        f"{shape}: {took:.1f} s of CPU for a megabyte, "
        f"{ordinary_megabyte:.1f} s for ordinary reports"
    )


@pytest.mark.slow
def test_five_megabytes_of_reports_are_extracted_to_the_end(spy: Spy) -> None:
    text = reports(5 * MEGABYTE)
    claims = pt.extract_claims(text, "rules.v1")
    assert max(spy.sizes) <= PART_CHARS < len(text)
    assert sum(spy.sizes) == len(text)
    assert_verbatim(claims, text)
    starts = [c.start for c in claims if c.start is not None]
    first = sum(1 for s in starts if s < MEGABYTE)
    last = sum(1 for s in starts if s >= len(text) - MEGABYTE)
    assert first > 100
    assert abs(last - first) <= 0.1 * first  # as many claims at the end as at the start
    assert max(starts) > len(text) - 5_000


def test_offsets_of_a_later_part_index_into_the_whole_text(extractor: RulesExtractor) -> None:
    filler = "Heavy rain slowed the trucks on the main road.\n\n" * (PART_CHARS // 20)
    text = filler + SENTENCE + "\n\n" + filler
    claims = extractor.extract(Document(name="long", text=text))
    assert [(c.start, c.end) for c in claims] == [(len(filler), len(filler) + len(SENTENCE))]


@pytest.mark.parametrize("text", ["", " ", "\n\t\n"])
def test_a_blank_text_has_no_claims(text: str) -> None:
    assert pt.extract_claims(text) == []


def test_a_lone_surrogate_is_read_as_a_replacement_character() -> None:
    text = "Moscow demanded a ceasefire \ud800 now."
    (claim,) = pt.extract_claims(text)
    assert claim.evidence == text.replace("\ud800", "\ufffd")
    assert (claim.start, claim.end) == (0, len(text))
    assert pt.extract_claims("\udc00") == []


TRICKY = [
    'He said: "No." Then left!! Talks resume?! (Maybe.) Next...',
    "\u0644\u0627\u061f \u0646\u0639\u0645 \u0968\u0964 \u0939\u093e\u0964",  # Arabic ?, Devanagari
    "\u5426\u3002\u662f\uff01\u597d",  # CJK full stop and exclamation
    "U.S. officials met at 3 p.m. Mr. Smith left... and (then) 'it' ended.\n\n- one\n- two.",
    ".,;!?",
    "word",
]


@pytest.mark.parametrize(
    "text", [*TRICKY, *report_texts()[:4], *(f(2_000) for f in SHAPES.values())]
)
def test_sentences_start_where_spacys_sentencizer_starts_them(
    extractor: RulesExtractor, text: str
) -> None:
    # The rules read sentence starts from token arrays (#15); spaCy's own pipe is the spec.
    doc = extractor.pipeline.nlp(text)
    lower = [t.lower_ for t in doc]
    sentencizer = spacy.blank("en")
    sentencizer.add_pipe("sentencizer")
    expected = [t.i for t in sentencizer(text) if t.is_sent_start]
    assert sentence_starts(doc, lower) == expected


def test_bounded_token_patterns_match_on_windows_as_on_the_whole_text(
    extractor: RulesExtractor,
) -> None:
    # Token patterns are matched only from the words they start with (#15): the same
    # matches as spaCy's Matcher over the whole text.
    pipeline = extractor.pipeline
    text = "Within 72 hours of the signing, within the next two days of talks, within 5 5 of."
    doc = pipeline.nlp(text)
    lower = [t.lower_ for t in doc]
    windowed = pipeline.connectives
    whole = copy.copy(windowed)
    whole.reach = None
    found = sorted(windowed(doc, lower))
    assert found == sorted(whole(doc, lower))
    assert sum(1 for _, first, _ in found if lower[first] == "within") == 2
