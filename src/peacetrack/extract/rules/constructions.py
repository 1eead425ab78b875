"""Matching a pack's constructions (spaCy ``Matcher`` patterns) at the cost of a phrase lookup.

spaCy's token ``Matcher`` costs about as much per document as all the rest of the rules'
matching together, and most constructions are fixed word sequences ("as a precondition
for"). So a pattern that is only ``{"LOWER": word}`` specifications goes to a
``PhraseMatcher`` on the same attribute, which finds exactly the same spans; the others go
to a ``Matcher`` that runs only on a text containing one of the words they start with (when
each of them starts with such a word), and then only on a few tokens from each of those
words (when no pattern repeats a token, which bounds its length): spaCy's ``Matcher``
walks every token object of what it is given, which costs a report about a third of
tokenising it. What a text matches is the same either way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

#: The token attribute a plain pattern compares.
ATTR = "LOWER"


def _plain_words(pattern: Sequence[dict[str, Any]]) -> list[str] | None:
    """The words of a pattern made only of ``{"LOWER": word}``, else None."""
    words = [spec.get(ATTR) for spec in pattern]
    plain = all(
        len(spec) == 1 and isinstance(w, str) for spec, w in zip(pattern, words, strict=True)
    )
    return [str(w) for w in words] if plain and words else None


class Constructions:
    """Every match of a list of patterns, as ``(index in the list, first, last)``."""

    def __init__(self, vocab: Vocab, patterns: Sequence[Sequence[dict[str, Any]]]) -> None:
        self.phrases = PhraseMatcher(vocab, attr=ATTR)
        self.tokens = Matcher(vocab)
        starts: set[str] = set()
        gated = True
        for index, pattern in enumerate(patterns):
            words = _plain_words(pattern)
            if words is not None:
                self.phrases.add(str(index), [Doc(vocab, words=words)])
                continue
            self.tokens.add(str(index), [list(pattern)])
            first = pattern[0].get(ATTR) if pattern else None
            if isinstance(first, str) and len(pattern[0]) == 1:
                starts.add(first)
            else:
                gated = False
        self.has_tokens = len(self.tokens) > 0
        #: Words one of which a text must contain for the token matcher to be run at all.
        self.starts: frozenset[str] | None = frozenset(starts) if gated else None
        #: The longest the token patterns can match, when none repeats a token.
        tokens = [p for p in patterns if _plain_words(p) is None]
        bounded = all("OP" not in spec for p in tokens for spec in p)
        self.reach = max(map(len, tokens), default=0) if bounded else None

    def __call__(self, doc: Doc, lower: Sequence[str]) -> list[tuple[int, int, int]]:
        """All matches in ``doc`` (``lower`` are its lower-cased token texts)."""
        strings = doc.vocab.strings
        found = [(int(strings[key]), a, b) for key, a, b in self.phrases(doc)]
        if not self.has_tokens:
            return found
        if self.starts is None or self.reach is None:
            return found + [(int(strings[key]), a, b) for key, a, b in self.tokens(doc)]
        for i in [i for i, word in enumerate(lower) if word in self.starts]:
            # Matches in a span are counted from its start; those starting later in it
            # are found from their own first word.
            matches = self.tokens(doc[i : i + self.reach])
            found += [(int(strings[key]), i, i + b) for key, a, b in matches if a == 0]
        return found
