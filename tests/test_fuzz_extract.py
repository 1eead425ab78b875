"""Fuzzing ``extract_claims``: any string gives claims or none, never a crash (#11).

Texts are strung together from pieces that have hurt tokenizers before: random Unicode
(lone surrogates, control and format characters, combining marks), long runs of one
character, runs of repeated punctuation, whitespace of every kind, and report sentences so
that claims are made too. Every claim's evidence must stand at its offsets in the text as
read (a lone surrogate is read as U+FFFD, one for one).

The default run is small, well under 30 s; ``PEACETRACK_FUZZ_EXAMPLES`` sets the number of
examples for a longer run (the same switch as the reader fuzz suite):

    PEACETRACK_FUZZ_EXAMPLES=2000 .venv/bin/pytest tests/test_fuzz_extract.py
"""

from __future__ import annotations

import operator
import os
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import peacetrack as pt
from pathological import CLAUSE, SENTENCE
from peacetrack.extract.rules.bounds import CHUNK_CHARS, RUN_CHARS, parts, tokenizer_view

EXAMPLES = int(os.environ.get("PEACETRACK_FUZZ_EXAMPLES", "30"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,  # the first example builds the spaCy pipeline
    database=None,  # nothing written into the checkout; failures print their example
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

ANY_CHARACTER = st.one_of(
    st.characters(exclude_categories=()),
    st.characters(categories=["Cs", "Cc", "Cf", "Mn", "Zl", "Zp"]),
)
PUNCTUATION = st.characters(categories=["P", "S"])
WHITESPACE = st.sampled_from(" \t\n\r\x0b\x0c\x1c\x85\xa0\u2028\u2029\u3000")
#: Short runs and long ones: Hypothesis seldom draws large integers on its own.
REPEATS = st.one_of(st.integers(1, 64), st.sampled_from([500, 5_000, 30_000]))
PIECES = st.one_of(
    st.text(ANY_CHARACTER, max_size=40),
    st.builds(operator.mul, ANY_CHARACTER, REPEATS),
    st.builds(operator.mul, st.text(PUNCTUATION, min_size=1, max_size=3), REPEATS),
    st.builds(operator.mul, st.text(ANY_CHARACTER, min_size=1, max_size=3), REPEATS),
    st.text(WHITESPACE, min_size=1, max_size=12),
    st.sampled_from([SENTENCE, CLAUSE, "Kyiv rejected the U.S. draft.", "\n\n", "- "]),
)
TEXTS = st.lists(PIECES, max_size=8).map("".join)
SURROGATE = re.compile("[\ud800-\udfff]")


@FUZZ
@given(TEXTS)
def test_extract_claims_never_crashes_and_evidence_stays_verbatim(text: str) -> None:
    claims = pt.extract_claims(text)
    read = SURROGATE.sub("\ufffd", text)
    for claim in claims:
        assert claim.start is not None and claim.end is not None
        assert read[claim.start : claim.end] == claim.evidence
    if not text.strip():
        assert claims == []


@settings(FUZZ, max_examples=EXAMPLES * 5)
@given(TEXTS)
def test_the_tokenizer_view_keeps_every_offset(text: str) -> None:
    view = tokenizer_view(text)
    assert len(view) == len(text)
    assert all(v == t or (v == " " and not t.isspace()) for v, t in zip(view, text, strict=True))
    assert all(len(chunk) <= CHUNK_CHARS for chunk in view.split())
    assert all(len(run) <= RUN_CHARS for run in re.findall(r"[^\w\s]+", view))


@settings(FUZZ, max_examples=EXAMPLES * 5)
@given(TEXTS, st.integers(1, 5_000))
def test_parts_cover_the_text_in_order(text: str, size: int) -> None:
    cut = list(parts(text, size))
    assert "".join(part for _, part in cut) == text
    assert all(0 < len(part) <= size for _, part in cut)
    assert all(text.startswith(part, offset) for offset, part in cut)
