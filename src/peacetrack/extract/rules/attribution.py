"""Attribution: whom the report credits for a claim.

Reporters credit a claim with a speech verb ("said", "told Reuters", "according to") and
hide a source behind a description ("a senior official familiar with the talks", "sources
familiar with", "on condition of anonymity"). The source is kept as written; a source with
no proper name in it is anonymous. A claim the outlet states as fact has no attribution.
"""

from __future__ import annotations

import re

from peacetrack.model import Attribution

ACCORDING = re.compile(r"\baccording to ((?:[^,.;:\u2014]){3,80})", re.I)
#: "..., a senior official told Reuters", "Kremlin spokesman Dmitry Peskov said": the
#: speaker is the stretch before the verb, back to a clause boundary.
SPEAKER_BEFORE = re.compile(
    r"(?:^|[,;:\u2014\"\u201c\u201d]\s*|\bthat\s)((?:[^,;:\u2014\"\u201c\u201d]){3,90}?)\s+"
    r"(?:said|says|told|stated|added|noted|announced|confirmed|reported|claimed)\b"
)
#: "..., said Kremlin spokesman Dmitry Peskov."
SPEAKER_AFTER = re.compile(r"\b(?:said|says|according to)\s+([A-Z][^,.;:]{3,80})[.,]?$")
PRONOUN = re.compile(r"^(?:he|she|they|it|we|i|this|that|the statement|the readout)$", re.I)
UNNAMED = re.compile(
    r"\b(?:officials?|sources?|diplomats?|person|people|aides?|insiders?)\b|anonymity", re.I
)
FUNCTION_WORDS = frozenset(
    {
        "and",
        "but",
        "which",
        "who",
        "that",
        "also",
        "it",
        "he",
        "she",
        "they",
        "then",
        "has",
        "have",
        "had",
        "later",
        "previously",
        "had also",
        "repeatedly",
    }
)
NAMED = re.compile(r"\b[A-Z][a-z]+\s+[A-Z][a-z]+")


def _clean(source: str) -> str | None:
    source = source.strip(" \"\u201c\u201d'")
    source = re.sub(r"^(?:and|but|while|as|meanwhile)\s+", "", source, flags=re.I)
    source = re.sub(
        r"\s+(?:on|in|at)\s+(?:monday|tuesday|wednesday|thursday|friday|saturday|"
        r"sunday)\b.*$",
        "",
        source,
        flags=re.I,
    )
    words = source.lower().split()
    if not words or PRONOUN.match(source) or len(words) > 12 or set(words) <= FUNCTION_WORDS:
        return None
    return source


def _anonymous(source: str, text: str) -> bool:
    if "anonymity" in text.lower() or re.search(r"\bsources? familiar\b", text, re.I):
        return True
    named = NAMED.search(source)
    return bool(UNNAMED.search(source)) and not named


def attribution(text: str) -> Attribution | None:
    """The speaker a sentence credits, or None when the sentence states a fact."""
    flat = " ".join(text.split())
    for pattern in (ACCORDING, SPEAKER_BEFORE, SPEAKER_AFTER):
        match = pattern.search(flat)
        if match:
            source = _clean(match.group(1))
            if source:
                return Attribution(source=source, anonymous=_anonymous(source, flat))
    if "anonymity" in flat.lower():
        return Attribution(source=None, anonymous=True)
    return None
