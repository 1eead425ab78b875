"""Which language a report is written in, recorded at ingest.

The language decides what reads a report: the rules and the ``llm.v1`` prefilter know
English only, while a language model reads Russian, Ukrainian, Arabic, French or Spanish
and quotes its evidence in the report's own words. Detection uses py3langid, whose model
ships inside the package (nothing is downloaded); it is loaded on first use, because
loading takes about a second and most commands never need it.
"""

from __future__ import annotations

from functools import cache
from typing import Any

#: Characters looked at: enough to be sure, bounded so a huge report costs no more.
SAMPLE = 4000
#: Below this many letters, or this probability, the language is left unknown.
MIN_LETTERS = 20
MIN_PROBABILITY = 0.5


@cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def load_identifier() -> None:
    """Load the model now rather than on first use: a process about to fork workers that
    detect languages loads it once for all of them."""
    _identifier()


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language ("en", "uk"), or None when unsure."""
    sample = text[:SAMPLE]
    if sum(ch.isalpha() for ch in sample) < MIN_LETTERS:
        return None
    code, probability = _identifier().classify(sample)
    return str(code) if probability >= MIN_PROBABILITY else None
