"""Attribution: whom the report credits for a claim.

Reporters credit a claim with a speech verb ("said", "told Reuters", "according to") and
hide a source behind a description ("a senior official familiar with the talks", "sources
familiar with", "on condition of anonymity"). The source is kept as written; a source with
no proper name in it is anonymous. A claim the outlet states as fact has no attribution.
The verbs, descriptions and function words are the language pack's.
"""

from __future__ import annotations

from peacetrack.extract.rules.lexicon import AttributionPatterns, AttributionWords, may_hold
from peacetrack.model import Attribution


def _clean(source: str, patterns: AttributionPatterns, words: AttributionWords) -> str | None:
    """The source without quotes, a leading conjunction or a trailing day; None for a
    pronoun, function words only, or a stretch too long to be a name."""
    source = source.strip(" \"\u201c\u201d'")
    source = patterns.leading_conjunction.sub("", source)
    source = patterns.weekday_tail.sub("", source)
    lowered = source.lower().split()
    if (
        not lowered
        or patterns.pronoun.match(source)
        or len(lowered) > 12
        or set(lowered) <= words.function_words
    ):
        return None
    return source


def _anonymous(
    source: str, text: str, patterns: AttributionPatterns, words: AttributionWords
) -> bool:
    """True for a source the report hides: anonymity asked for, or an unnamed official."""
    if words.anonymity in text.lower() or patterns.sources_familiar.search(text):
        return True
    named = patterns.named.search(source)
    return bool(patterns.unnamed.search(source)) and not named


def attribution(
    text: str, patterns: AttributionPatterns, words: AttributionWords
) -> Attribution | None:
    """The speaker a sentence credits, or None when the sentence states a fact. The
    patterns are searched only in a sentence that holds one of their ``markers``."""
    flat = " ".join(text.split())
    searched = (patterns.according, patterns.speaker_before, patterns.speaker_after)
    for pattern in searched if may_hold(flat, patterns.markers) else ():
        match = pattern.search(flat)
        if match:
            source = _clean(match.group(1), patterns, words)
            if source:
                anonymous = _anonymous(source, flat, patterns, words)
                return Attribution(source=source, anonymous=anonymous)
    if words.anonymity in flat.lower():
        return Attribution(source=None, anonymous=True)
    return None
