"""The spaCy pipeline and the matchers, built once per extractor from the codebook and the
language pack.

Only the tokenizer of ``spacy.blank`` for the pack's language: no model weights, so
extraction runs anywhere and is fast (sentences are split as spaCy's sentencizer splits
them, in ``segments``). Actor aliases, place aliases and issue cues come
from the codebook, stance cues from the pack, and are matched case-insensitively, except
all-capital aliases ("US", "UN", "EU"), which are matched as written so that "us" the
pronoun is never the United States.

The tokenizer reads ``bounds.tokenizer_view`` of the text (the same length, so token
offsets index into the text itself), and the rules about one segment see only the mentions
near it (``Parsed.near``), so that reading costs in proportion to the text's length.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import spacy
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from peacetrack.extract.rules.bounds import tokenizer_view
from peacetrack.extract.rules.constructions import Constructions
from peacetrack.extract.rules.language import Language, default_language
from peacetrack.extract.rules.segments import (
    Segment,
    line_start,
    line_starts,
    opens_line,
    segment,
)
from peacetrack.extract.rules.treatment import Treatment

#: How many tokens outside a segment the rules about it may look: the farthest reach is a
#: possessor seven tokens before a noun cue ("Russia's new 10-point peace plan") or a
#: passive's agents a few tokens after the cue.
REACH = 32


@dataclass(frozen=True)
class Mention:
    """A matched phrase: token range ``[first, last)`` and what it names."""

    first: int
    last: int
    key: str


@dataclass
class Parsed:
    """A document with everything the matchers found in it, in text order."""

    doc: Doc
    #: ``doc.text``, kept because spaCy rebuilds it from the tokens on every access.
    text: str
    #: Lower-cased token texts, for fast phrase comparisons.
    lower: list[str]
    segments: list[Segment]
    actors: list[Mention]
    places: list[Mention]
    issues: list[Mention]
    stances: list[Mention]
    #: Words that say which kind of recognition is meant, keyed by kind; every match, the
    #: longer first where two start at one token.
    recognitions: list[Mention]
    #: Sequencing connectives, keyed by relation; one per start, the first the pack lists.
    connectives: list[Mention]
    #: First tokens of ``stances``, for bisecting by segment.
    stance_starts: list[int]
    #: The language pack the document was read with: every word the rules compare with.
    lang: Language

    def near(self, first: int, last: int) -> Parsed:
        """This parse with only the mentions that start within ``REACH`` tokens of tokens
        ``[first, last)``: all that the rules about a segment there can see. Rules that
        look through every mention of a document for each cue would otherwise cost the
        square of its length. (Built directly: ``dataclasses.replace`` costs more than
        the slicing.)"""
        actors, places, issues, stances, recognitions, connectives = self.inside(
            first - REACH, last + REACH
        )
        return Parsed(
            self.doc,
            self.text,
            self.lower,
            self.segments,
            actors,
            places,
            issues,
            stances,
            recognitions,
            connectives,
            [m.first for m in stances],
            self.lang,
        )

    def inside(self, first: int, last: int) -> tuple[list[Mention], ...]:
        """The mentions that start in tokens ``[first, last)``: actors, places, issues,
        stances, recognitions and connectives, in that order, each in text order."""
        return tuple(
            [
                mentions[bisect_left(firsts, first) : bisect_left(firsts, last)]
                for mentions, firsts in zip(self._kinds, self._firsts, strict=True)
            ]
        )

    @cached_property
    def _firsts(self) -> tuple[list[int], ...]:
        """First tokens of the mentions of each kind, for ``near``."""
        return tuple([m.first for m in mentions] for mentions in self._kinds)

    @property
    def _kinds(self) -> tuple[list[Mention], ...]:
        """The mentions of each kind, each list in text order."""
        return (
            self.actors,
            self.places,
            self.issues,
            self.stances,
            self.recognitions,
            self.connectives,
        )


def _is_caps(alias: str) -> bool:
    letters = [c for c in alias if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters) and len(letters) <= 5


def _lower_tokens(doc: Doc, text: str) -> list[str]:
    """Lower-cased token texts, sliced from the text (much faster than ``token.lower_``)."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a few characters change length when lower-cased
        return [t.lower_ for t in doc]
    starts = doc.to_array("IDX").tolist()
    lengths = doc.to_array("LENGTH").tolist()
    return [lowered[a : a + n] for a, n in zip(starts, lengths, strict=True)]


def _dateline(doc: Doc, text: str, lines: Sequence[int], mention: Mention) -> bool:
    """True for a capital opening a dateline ("BEIRUT, Nov 27 -"): the place filed from,
    never the holder of a stance."""
    token = doc[mention.first]
    return (
        token.text.isupper()
        and len(token.text) > 3
        and opens_line(text, line_start(lines, token.idx), token.idx)
        and mention.last < len(doc)
        and doc[mention.last].text in {",", "("}
    )


def _with_recognition(
    lower: Sequence[str], issues: list[Mention], named: list[Mention], lang: Language, code: str
) -> list[Mention]:
    """Add "recognise Kosovo", "recognize Crimea as Russian": a recognition verb whose object
    is a state or a territory names the issue ``code``. Other objects ("recognise each
    other's documents", "recognize the committee") are not about sovereignty. ``lower``
    are the lower-cased token texts."""
    words = lang.words.pipeline
    starts = {m.first for m in named}
    taken = {i for m in issues for i in range(m.first, m.last)}
    extra = [
        Mention(i, i + 1, code)
        for i, word in enumerate(lower)
        if word in words.recognise
        and i not in taken
        and (i + 1 in starts or (i + 2 in starts and lower[i + 1] == words.article))
    ]
    return sorted(issues + extra, key=lambda m: m.first) if extra else issues


class Pipeline:
    """Tokenizer and phrase matchers for one codebook."""

    def __init__(self, codebook: Any, language: Language | None = None) -> None:
        self.lang = language or default_language()
        self.nlp = spacy.blank(self.lang.code)
        vocab = self.nlp.vocab
        self.actor_lower = PhraseMatcher(vocab, attr="LOWER")
        self.actor_exact = PhraseMatcher(vocab, attr="ORTH")
        self.adjectives = PhraseMatcher(vocab, attr="ORTH")
        self.places = PhraseMatcher(vocab, attr="LOWER")
        self.issues = PhraseMatcher(vocab, attr="LOWER")
        self.stances = PhraseMatcher(vocab, attr="LOWER")
        for actor in codebook.actors.values():
            self._add_actor(actor.id, (actor.name, *actor.aliases), actor.adjectives)
        for alias in codebook.place_aliases():
            self.places.add(alias, [self.nlp.make_doc(alias)])
        for issue in codebook.issues.values():
            self.issues.add(issue.code, list(self._docs(issue.cues)))
        for phrase in self.lang.cues:
            self.stances.add(phrase, [self.nlp.make_doc(phrase)])
        built = self.lang.constructions
        self.recognition_kinds = Constructions(vocab, [c.pattern for c in built.recognition])
        self.connectives = Constructions(vocab, [c.pattern for c in built.sequencing])
        #: How the codebook's issues behave; the recognition issue is matched here too.
        self.treatment = Treatment.of(codebook)
        #: Single-word adjectives and their actor: "the Russian proposed ..." uses one as a noun.
        self.bare_adjectives = {
            adj: actor.id
            for actor in codebook.actors.values()
            for adj in actor.adjectives
            if " " not in adj
        }

    def _add_actor(self, ident: str, aliases: Iterable[str], adjectives: Iterable[str]) -> None:
        exact = [a for a in aliases if _is_caps(a)]
        lower = [a for a in aliases if not _is_caps(a)]
        self.actor_exact.add(ident, list(self._docs(exact)))
        self.actor_lower.add(ident, list(self._docs(lower)))
        for adjective in adjectives:
            # Adjectives keep their case ("US negotiators", never "us"); nouns come lower-case
            # or capitalised as in titles ("Russian Foreign Minister").
            agency = self.lang.words.pipeline.agency
            phrases = [f"{adjective} {noun}" for noun in agency]
            phrases += [f"{adjective} {noun.capitalize()}" for noun in agency]
            self.adjectives.add(ident, self._docs(phrases))

    def _docs(self, phrases: Iterable[str]) -> list[Doc]:
        return [self.nlp.make_doc(p) for p in phrases]

    def _spans(self, doc: Doc, *matchers: PhraseMatcher) -> list[Mention]:
        """Matches of all ``matchers``, longest first where they overlap (as spaCy's
        ``filter_spans``), in text order."""
        found = [(first, last, key) for m in matchers for key, first, last in m(doc)]
        found.sort(key=lambda f: (f[0] - f[1], f[0]))
        taken: set[int] = set()
        kept: list[Mention] = []
        strings = doc.vocab.strings
        for first, last, key in found:
            if not taken.intersection(range(first, last)):
                kept.append(Mention(first, last, strings[key]))
                taken.update(range(first, last))
        kept.sort(key=lambda m: m.first)
        return kept

    def _recognition_kinds(self, doc: Doc, lower: Sequence[str]) -> list[Mention]:
        """Every recognition-kind match, overlaps kept, by start and the longer first."""
        listed = self.lang.constructions.recognition
        found = sorted((a, a - b, i) for i, a, b in self.recognition_kinds(doc, lower))
        return [Mention(a, a - size, listed[i].label) for a, size, i in found]

    def _connectives(self, doc: Doc, lower: Sequence[str]) -> list[Mention]:
        """One sequencing connective per start token, the first the pack lists, labelled
        with its relation."""
        listed = self.lang.constructions.sequencing
        best: dict[int, tuple[int, int]] = {}
        for index, first, last in self.connectives(doc, lower):
            if first not in best or index < best[first][0]:
                best[first] = (index, last)
        return [
            Mention(first, last, listed[index].label)
            for first, (index, last) in sorted(best.items())
        ]

    def parse(self, text: str) -> Parsed:
        """Tokens, sentences, segments and mentions of ``text`` (at most ``nlp.max_length``
        characters: ``bounds.parts`` cuts longer texts)."""
        view = tokenizer_view(text)
        doc = self.nlp(view)
        lines = line_starts(text)
        stances = self._spans(doc, self.stances)
        actors = [
            m
            for m in self._spans(doc, self.actor_exact, self.actor_lower, self.adjectives)
            if not _dateline(doc, text, lines, m)
        ]
        places = self._spans(doc, self.places)
        issues = self._spans(doc, self.issues)
        lower = _lower_tokens(doc, view)
        return Parsed(
            doc=doc,
            text=text,
            lower=lower,
            segments=segment(doc, text, lines, lower),
            actors=self._with_nominal_adjectives(doc, actors, stances),
            places=places,
            issues=self._with_recognition(lower, issues, actors + places),
            stances=stances,
            recognitions=self._recognition_kinds(doc, lower),
            connectives=self._connectives(doc, lower),
            stance_starts=[m.first for m in stances],
            lang=self.lang,
        )

    def _with_recognition(
        self, lower: Sequence[str], issues: list[Mention], named: list[Mention]
    ) -> list[Mention]:
        """Issue mentions plus recognition verbs with a state as object, when the codebook
        has a recognition issue."""
        code = self.treatment.recognition
        return issues if code is None else _with_recognition(lower, issues, named, self.lang, code)

    def _with_nominal_adjectives(
        self, doc: Doc, actors: list[Mention], stances: list[Mention]
    ) -> list[Mention]:
        """Bare actor adjectives that still name an actor: right before a verb cue ("the
        Russian proposed"), or coordinated with one that has its noun ("American, Ukrainian
        and Russian negotiators")."""
        taken = {i for m in actors for i in range(m.first, m.last)}
        heads = [(m.first, False) for m in stances] + [(m.first, True) for m in actors]
        joiners = self.lang.words.pipeline.adjective_joiners
        extra: list[Mention] = []
        for head, needs_joiner in heads:
            i = head - 1
            while i >= 0:
                if needs_joiner:
                    if doc[i].text not in joiners:
                        break
                    i -= 1 if doc[i].text == "," or doc[i - 1].text != "," else 2
                if i < 0 or i in taken or doc[i].text not in self.bare_adjectives:
                    break
                extra.append(Mention(i, i + 1, self.bare_adjectives[doc[i].text]))
                taken.add(i)
                i, needs_joiner = i - 1, True
        return sorted(actors + extra, key=lambda m: m.first)
