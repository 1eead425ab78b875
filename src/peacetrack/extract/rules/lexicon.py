"""The schema of a language pack's ``lexicon.toml`` and ``patterns.toml``.

One table per part of the rules, one entry per word class a rule compares against, so
that every entry a rule reads is declared here and checked when the pack loads: a pack
that lacks one, or has one the rules do not read, is refused with the entry's name. Word
sets (``Words``) are compared for membership; sequences (``Seq``) are phrases or markers
whose order matters (the first that matches wins) or that are compared word by word.
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

Words = frozenset[str]
Seq = tuple[str, ...]
#: The characters other than ASCII letters that a case-insensitive pattern (``(?i)``)
#: takes for an ASCII letter (dotted and dotless i, long s, the Kelvin sign), which
#: ``str.lower`` does not turn into that letter.
FOLDED = frozenset("\u0130\u0131\u017f\u212a")


def may_hold(text: str, words: Seq) -> bool:
    """False only when no pattern, even a case-insensitive one, can find any of ``words``
    (lower-case) in ``text``: a test of a few substrings that spares a costly pattern
    every match of which holds one of the words. A text with a character in ``FOLDED``
    always may."""
    lowered = text.lower()
    return any(word in lowered for word in words) or not FOLDED.isdisjoint(text)


class Section(BaseModel):
    """A table of the pack: every entry required, none unknown, read-only."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class StanceWords(Section):
    """``[stance]`` of lexicon.toml: the words ``stance.py`` compares with."""

    #: Words just before a cue that cancel it ("did not demand").
    negators: Words
    #: Words just before a cue that make it a guess or a condition.
    hedges: Words
    #: "no longer insists": a demand dropped.
    no_longer: Seq
    #: "has yet to accept": not yet done.
    yet_to: Seq


class DealsWords(Section):
    """``[deals]`` of lexicon.toml: the words ``deals.py`` compares with."""

    deal_nouns: Words
    definite: Words


class DetailsWords(Section):
    """``[details]`` of lexicon.toml: the words ``details.py`` compares with."""

    land_nouns: Words
    setting_words: Words
    setting_verbs: Words
    transfer_verbs: Words
    articles: Words
    recipient: str


class ActorsWords(Section):
    """``[actors]`` of lexicon.toml: the words ``actors.py`` compares with."""

    possessive: Words
    prepositions: Words
    modified: Words
    noun_modifiers: Words
    proposal_nouns: Words
    auxiliaries: Words
    expletive_verbs: Words
    both_sides: Seq
    talks: Seq
    mediating: Seq
    non_parties: Words
    articles: Words
    subject_relative: str
    agents_of: Words
    pair_joiners: Words
    by: str
    participle_ending: str
    bare_sides: Words
    personal_pronouns: Words
    subject_pronouns: Words
    openers: Words
    pronoun_nouns: Seq
    expletive: str
    agent_joiners: Words
    list_joiners: Words
    object_lead: Words

    @cached_property
    def pronoun_noun_words(self) -> frozenset[Seq]:
        """ "the group", "the movement": compared with a segment's first two words."""
        return frozenset(tuple(p.split()) for p in self.pronoun_nouns)


class HoldersWords(Section):
    """``[holders]`` of lexicon.toml: the words ``holders.py`` compares with."""

    speech_verbs: Words
    clause_breaks: Words
    take_up: Words
    hedge_adverbs: Words
    joiners: Words
    conjunct_words: Words
    relatives: Words
    first_person: Words
    conjunction: str
    joint_breaks: Words
    its_pronouns: Words


class FramesWords(Section):
    """``[frames]`` of lexicon.toml: the words ``frames.py`` compares with."""

    subordinate: Words
    purpose: Words
    noun_like: Words
    determiners: Words
    adjectival: Words
    function_after_verb: Words
    written_nouns: Words
    conditional: Words
    links: Words
    noun_stops: Words
    clause_stops: Words
    welcome: Seq
    relative_heads: Words
    request_verbs: Words
    brokering: Words
    articles: Words
    participle_endings: Seq
    help_cues: Words
    infinitive: str
    comment_cues: Words
    comment_words: Words
    coordinators: Words
    conditional_openers: Words
    complementizer: str
    conjunctions: Words
    it: str
    object_pronouns: Words
    relative_pronouns: Words
    only: str
    only_conditions: Words
    we: str


class PipelineWords(Section):
    """``[pipeline]`` of lexicon.toml: the words ``pipeline.py`` compares with."""

    agency: Words
    recognise: Words
    article: str
    adjective_joiners: Words


class ExtractorWords(Section):
    """``[extractor]`` of lexicon.toml: the words ``extractor.py`` compares with."""

    weak_words: Words
    setting: Words
    talk_verbs: Words
    international: str
    international_actor: str


class AttributionWords(Section):
    """``[attribution]`` of lexicon.toml: the words ``attribution.py`` compares with."""

    function_words: Words
    anonymity: str


class Lexicon(Section):
    """All word classes of a pack, by the part of the rules that reads them."""

    stance: StanceWords
    deals: DealsWords
    details: DetailsWords
    actors: ActorsWords
    holders: HoldersWords
    frames: FramesWords
    pipeline: PipelineWords
    extractor: ExtractorWords
    attribution: AttributionWords


class AttributionPatterns(Section):
    """``[attribution]`` of patterns.toml: the patterns ``attribution.py`` reads text with."""

    #: Lower-case words one of which every match of ``according``, ``speaker_before`` and
    #: ``speaker_after`` holds (``may_hold``): a sentence with none is not searched.
    markers: Seq
    according: re.Pattern[str]
    speaker_before: re.Pattern[str]
    speaker_after: re.Pattern[str]
    pronoun: re.Pattern[str]
    unnamed: re.Pattern[str]
    named: re.Pattern[str]
    leading_conjunction: re.Pattern[str]
    weekday_tail: re.Pattern[str]
    sources_familiar: re.Pattern[str]


class ProposalsPatterns(Section):
    """``[proposals]`` of patterns.toml: the patterns ``proposals.py`` reads text with."""

    #: Lower-case words one of which every match of ``proposal`` holds (``may_hold``).
    kinds: Seq
    proposal: re.Pattern[str]
    empty: re.Pattern[str]


class DetailsPatterns(Section):
    """``[details]`` of patterns.toml: the patterns ``details.py`` reads text with."""

    defer: re.Pattern[str]
    first: re.Pattern[str]


class ExtractorPatterns(Section):
    """``[extractor]`` of patterns.toml: the patterns ``extractor.py`` reads text with."""

    anaphor: re.Pattern[str]
    absent_anaphor: re.Pattern[str]
    signed: re.Pattern[str]


class Patterns(Section):
    """Regular expressions read on raw text (flags inline, e.g. ``(?i)``), and for the
    costliest, the words every match holds, so that most sentences are never searched."""

    attribution: AttributionPatterns
    proposals: ProposalsPatterns
    details: DetailsPatterns
    extractor: ExtractorPatterns


class Construction(Section):
    """A spaCy ``Matcher`` pattern and what a match of it means."""

    label: str
    pattern: list[dict[str, Any]]


class RecognitionKind(Construction):
    label: Literal["de_jure", "de_facto"]


class Connective(Construction):
    label: Literal["before", "after"]


class Constructions(Section):
    """Constructions matched on tokens with spaCy's ``Matcher`` (``constructions.toml``)."""

    #: Words that say which kind of recognition is meant ("de jure", "in practice").
    recognition: tuple[RecognitionKind, ...]
    #: Sequencing connectives, labelled with the relation they give ("before", "after").
    sequencing: tuple[Connective, ...]
