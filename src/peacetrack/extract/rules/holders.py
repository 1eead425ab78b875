"""Holders: who takes the stance of a cue, as a reader resolves it.

The nearest actor named before the cue in its own clause holds it; names inside an aside
(", which wants to join NATO,") or before a "but" that opens a new subject do not. Actors
joined by "and" hold it together. With no name before the cue, "we" is the statement's
authors (or the speaker named after a quote), "the two sides" the document's main pair,
and a pronoun the last actor named.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from spacy.tokens import Doc

import peacetrack.extract.rules.actors as act
from peacetrack.extract.rules.language import Language
from peacetrack.extract.rules.pipeline import Mention, Parsed
from peacetrack.extract.rules.segments import Segment
from peacetrack.extract.rules.stance import Cue
from peacetrack.model import Stance

QUOTE_CLOSERS = frozenset({'"', "\u201d"})


@dataclass
class Context:
    """What the reader remembers across segments of one document."""

    pair: tuple[str, ...] = ()
    we: tuple[str, ...] = ()
    #: The document is a signed text ("the undersigned", "Signed at"): its commitments
    #: are agreements of all signatories, not offers.
    signed: bool = False
    #: The subject of the last segment that named an actor: what "he" or "they" refer to.
    last_actors: tuple[str, ...] = ()
    #: Authors of the last proposal read: what "the document" or "the draft" refers to.
    proposers: tuple[str, ...] = ()
    #: Parties of the last agreement read: who agreed the terms "the deal" goes on to list.
    agreed: tuple[str, ...] = ()

    def remember(self, parsed: Parsed, seg: Segment) -> None:
        named = [m for m in parsed.actors if seg.first <= m.first < seg.last]
        if named:
            self.last_actors = (named[0].key,)


def named_holders(
    doc: Doc, parsed: Parsed, seg: Segment, m: Mention, cue: Cue, starts: set[int]
) -> tuple[str, ...]:
    """Who holds the stance of cue ``m``: passive agent, possessor, owner or subject."""
    if cue.nominal:
        owner = act.possessor(doc, parsed.actors, m.first, parsed.lang)
        return (owner.key,) if owner else ()
    if cue.stance is Stance.ABSENT:
        owner = act.proposal_owner(doc, parsed.actors, seg.first, seg.last, parsed.lang)
        return (owner.key,) if owner else ()
    agents = act.after_by(doc, parsed.actors, m.last, parsed.lang)
    if agents:
        return agents
    asides = _asides(parsed.lower, seg.first, m.first, parsed.lang)
    subjects = [
        a
        for a in act.holders(doc, parsed.actors, starts, seg.first, m.first, parsed.lang)
        if not any(lo <= a.first < hi for lo, hi in asides)
    ]
    subjects = _in_last_clause(parsed.lower, subjects, seg.first, m.first, parsed.lang)
    if not subjects:
        return ()
    cue_ends = {n.last - 1 for n in parsed.stances if seg.first <= n.first < m.first}
    covered = {i for a in parsed.actors for i in range(a.first, a.last)}
    joint = _joint(doc, subjects, covered, parsed.lang, headline=_headline(doc, seg))
    if joint:
        return joint
    # The object of an earlier cue ("demanded Ukraine pull out and said ...") is not a
    # subject; the nearest other name is.
    free = [s for s in subjects if s.first - 1 not in cue_ends] or subjects
    return (free[-1].key,)


def _in_last_clause(
    lower: Sequence[str], subjects: list[Mention], first: int, cue: int, lang: Language
) -> list[Mention]:
    """Subjects of the clause the cue is in: after ", but the army rejected ..." the names
    before "but" are another clause's, unless a pronoun takes them up ("but it rejected")."""
    words = lang.words.holders
    bounds = [i for i in range(first, cue) if lower[i] in words.clause_breaks]
    if not bounds:
        return subjects
    after = [a for a in subjects if a.first > bounds[-1]]
    skip = words.hedge_adverbs
    between = [w for w in lower[bounds[-1] + 1 : cue] if w.strip() and w not in skip]
    # "open to talks but rules out ...": no new subject, the verbs share the old one.
    return after or (subjects if not between or between[0] in words.take_up else [])


def _asides(lower: Sequence[str], first: int, last: int, lang: Language) -> list[tuple[int, int]]:
    """Token ranges of non-restrictive relative clauses (", which wants to join NATO,"):
    names inside them are not the subject of the main verb."""
    prepositions, relatives = lang.words.actors.prepositions, lang.words.holders.relatives
    ranges: list[tuple[int, int]] = []
    for i in range(first + 1, last):
        opens = lower[i - 1] == "," or (
            i - 2 >= first and lower[i - 1] in prepositions and lower[i - 2] == ","
        )
        if lower[i] in relatives and opens:  # ", which", ", in which", ", among whom"
            end = next((j for j in range(i + 1, last) if lower[j] == ","), None)
            if end is not None:  # closed before the cue: the cue is in the main clause
                ranges.append((i, end))
    return ranges


def _headline(doc: Doc, seg: Segment) -> bool:
    """True for a headline: a segment that ends without final punctuation."""
    return doc[seg.last - 1].text not in {".", "!", "?", '"', "\u201d", ":", ";"}


def _joint(
    doc: Doc,
    subjects: Sequence[Mention],
    covered: set[int],
    lang: Language,
    headline: bool = False,
) -> tuple[str, ...]:
    """Actors joined by "and" or commas in one subject: "Kyiv and European allies";
    headlines join with a bare comma ("Thailand, Cambodia agree ..."). ``covered`` are the
    tokens of all actor mentions, which may stand inside a conjunct ("and Yemen's Houthi
    movement")."""
    if len(subjects) < 2:
        return ()
    group = [subjects[-1]]
    joined_by_and = False
    for m in reversed(subjects[:-1]):
        between = [t.lower_ for t in doc[m.last : group[0].first]]
        indices = range(m.last, group[0].first)
        if not between or not _conjuncts(between, indices, covered, lang):
            break
        joined_by_and = joined_by_and or lang.words.holders.conjunction in between
        group.insert(0, m)
    ids = act.unique_ids(group)
    # "NATO, Kyiv signed ..." is two clauses, not a list: a list ends in "and".
    return ids if len(ids) > 1 and (joined_by_and or headline) else ()


def _conjuncts(words: Sequence[str], indices: range, covered: set[int], lang: Language) -> bool:
    """True when the words between two names may all belong to one joint subject; plain
    modifiers may stand before an agent noun ("Yemen's internationally recognised
    government and the Houthis")."""
    agents = [i for i, w in enumerate(words) if w in lang.words.pipeline.agency]
    breaks = lang.words.holders.joint_breaks
    for i, (word, at) in enumerate(zip(words, indices, strict=True)):
        modifier = word.isalpha() and any(j > i and not breaks & set(words[i:j]) for j in agents)
        if not (_joins(word, lang) or at in covered or modifier):
            return False
    return True


def _joins(word: str, lang: Language) -> bool:
    """True for a word that may stand between two conjuncts of one subject."""
    words = lang.words
    return (
        word in words.holders.joiners
        or word in words.actors.possessive
        or word in words.holders.conjunct_words
        or word in words.pipeline.agency
        or word in {"(", ")"}  # "the National Liberation Army (ELN) and ..."
    )


def fallback_holders(
    doc: Doc, parsed: Parsed, seg: Segment, m: Mention, cue: Cue, ctx: Context
) -> tuple[str, ...]:
    """Holders not named before the cue: "we", the two sides, or a pronoun's antecedent."""
    if cue.nominal:
        return ()
    region = doc[seg.first : m.first]
    lexicon = parsed.lang.words
    if any(t.lower_ in lexicon.holders.first_person for t in region):
        return ctx.we or _quoted_speaker(doc, parsed, seg, m)
    if ctx.pair and act.mentions_both_sides(region.text, parsed.lang):
        return ctx.pair
    if ctx.pair and cue.stance in (Stance.AGREE, Stance.NO_AGREEMENT):
        return ctx.pair
    if cue.stance is Stance.ABSENT:
        # "The document did not mention ...": the last proposal's authors; an absence
        # with no proposal named ("he did not specify when") says nothing.
        texts = lexicon.actors.proposal_nouns & {t.lower_ for t in region}
        return ctx.proposers if texts else ()
    words = {t.lower_ for t in region}
    if cue.stance is Stance.PROPOSE and lexicon.holders.its_pronouns & words:
        return ctx.proposers  # "Here's what it would include:": the proposal just named
    pronoun = act.opens_with_pronoun(doc, seg.first, m.first, parsed.lang)
    if pronoun or act.personal_pronoun(region, parsed.lang):
        # "In Putin's speech, he set out ...": a name earlier in the sentence comes first.
        named = [a for a in parsed.actors if seg.first <= a.first < m.first]
        return (named[-1].key,) if named else ctx.last_actors
    return ()


def _quoted_speaker(doc: Doc, parsed: Parsed, seg: Segment, m: Mention) -> tuple[str, ...]:
    """The speaker named after a quote that holds the cue: '"We will not give up our
    weapons," a senior Hamas official said' is Hamas speaking."""
    closing = next(
        (t.i for t in doc[m.last : seg.last] if t.text in QUOTE_CLOSERS and t.i > m.last), None
    )
    if closing is None:
        return ()
    tail = [w for w in parsed.lower[closing : seg.last] if w.strip()]
    if not parsed.lang.words.holders.speech_verbs & set(tail):
        return ()
    speakers = act.holders(doc, parsed.actors, set(), closing, seg.last, parsed.lang)
    return (speakers[0].key,) if speakers else ()
