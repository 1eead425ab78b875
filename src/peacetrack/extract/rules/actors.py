"""Who holds a stance: actor mentions, joint subjects, the two sides, pronouns, passives.

The rules follow how reporters build a sentence: the holder of a stance is the nearest
actor named before its cue in the same clause ("X said Russia wants ..." gives Russia);
a passive names it after "by"; a noun cue takes its possessor ("Putin's conditions");
"the two sides" and "the parties" stand for the document's main pair; a pronoun subject
stands for the last actor named. A possessive that modifies something other than an
agent ("Kyiv's allies", "Ukraine's territory") never holds a stance itself.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from itertools import pairwise

from spacy.tokens import Doc, Span

from peacetrack.extract.rules.language import Language
from peacetrack.extract.rules.pipeline import Mention


def is_modifier(doc: Doc, mention: Mention, stance_starts: set[int], lang: Language) -> bool:
    """True for "Kyiv's allies" (a possessive whose head is not an agent or a stance noun)
    and for "a Ukraine peace deal" (a name used as an adjective)."""
    words, agency = lang.words.actors, lang.words.pipeline.agency
    if mention.last < len(doc) and doc[mention.last].lower_ in words.modified:
        return True
    if mention.last >= len(doc) or doc[mention.last].text not in words.possessive:
        return False
    head = mention.last + 1
    titled = False
    while head < len(doc) and (
        doc[head].lower_ in words.noun_modifiers or doc[head].like_num or doc[head].text == "-"
    ):
        head += 1  # "Kyiv's 10-point plan": modifiers before the head noun
    ahead = [t for t in doc[head : head + 3] if t.is_alpha and t.is_lower]
    agent = next((t.i for t in ahead if t.lower_ in agency), None)
    if agent is not None and all(t.is_lower for t in doc[head:agent]):
        return False  # "Yemen's internationally recognised government": modifiers first
    while head < len(doc) and doc[head].is_alpha and doc[head].text[0].isupper():
        head += 1  # "Russia's Foreign Minister Sergei Lavrov": titles before the name
        titled = True
    if head >= len(doc):
        return True
    return doc[head].lower_ not in agency and head not in stance_starts and not titled


def is_place_or_object(doc: Doc, mention: Mention, lang: Language) -> bool:
    """True for "in Moscow", "talks with Kyiv": a preposition makes the name a place or an
    object, never the holder of a stance."""
    words = lang.words.actors
    at = mention.first - 1
    while at >= 0 and doc[at].lower_ in words.articles:
        at -= 1
    if at < 0 or doc[at].lower_ not in words.prepositions:
        return False
    after = doc[mention.last : mention.last + 2].text.lower().lstrip(", ")
    if after.startswith(words.subject_relative):
        return False  # "a muted response from Trump, who has threatened ...": a subject
    # "delegations from the U.S. and Russia", "envoys of Kyiv": the agents' country.
    # "Negotiators for Israel and Hamas" likewise.
    agents = lang.words.pipeline.agency
    return not (doc[at].lower_ in words.agents_of and at > 0 and doc[at - 1].lower_ in agents)


def holders(
    doc: Doc,
    mentions: Sequence[Mention],
    stance_starts: set[int],
    first: int,
    last: int,
    lang: Language,
) -> list[Mention]:
    """Actor mentions in tokens ``[first, last)`` that can hold a stance."""
    return [
        m
        for m in mentions
        if first <= m.first
        and m.last <= last
        and not is_modifier(doc, m, stance_starts, lang)
        and not is_place_or_object(doc, m, lang)
        and not _owns_actor(doc, mentions, m, lang)
    ]


def _owns_actor(doc: Doc, mentions: Sequence[Mention], m: Mention, lang: Language) -> bool:
    """True for "Yemen's Houthi movement", "Sudan's RSF": a possessive naming where another
    actor comes from, not a second holder."""
    if m.last >= len(doc) or doc[m.last].text not in lang.words.actors.possessive:
        return False
    return any(o.first == m.last + 1 and o.key != m.key for o in mentions)


def unique_ids(mentions: Sequence[Mention]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(m.key for m in mentions))


def main_pair(lower: Sequence[str], mentions: Sequence[Mention], lang: Language) -> tuple[str, ...]:
    """What "the two sides" refers to: the pair a document names together most often
    ("Russia-Ukraine", "Israel and Hamas"), else the two actors it names most."""
    words = lang.words.actors
    brokers = _mediators(lower, mentions, lang)
    parties = [m for m in mentions if m.key not in words.non_parties and m.key not in brokers]
    together: Counter[tuple[str, str]] = Counter()
    for a, b in pairwise(parties):
        between = set(lower[a.last : b.first])
        in_list = "," in lower[max(0, a.first - 2) : a.first]  # "A, B and C" is no pair
        if a.key != b.key and between and between <= words.pair_joiners and not in_list:
            together[(a.key, b.key) if a.key < b.key else (b.key, a.key)] += 1
    counts = Counter(m.key for m in parties)
    ranked = counts.most_common(3)
    if len(ranked) == 3 and ranked[1][1] >= 2 * ranked[2][1]:
        return tuple(sorted(ident for ident, _ in ranked[:2]))  # two actors dominate the report
    leading = {ident for ident, _ in ranked}
    named = [pair for pair, _ in together.most_common() if set(pair) <= leading]
    if named:
        return named[0]
    pair = [ident for ident, n in counts.most_common(2) if n >= 2]
    return tuple(pair) if len(pair) == 2 else ()


def _mediators(lower: Sequence[str], mentions: Sequence[Mention], lang: Language) -> set[str]:
    """Actors the document names as go-betweens ("with Qatar and Turkey mediating", "talks
    brokered by Egypt"): often named together, they are never the two sides."""
    words = lang.words.actors
    stems, ing = words.mediating, words.participle_ending
    found: set[str] = set()
    for m in mentions:
        before = lower[max(0, m.first - 3) : m.first]
        after = lower[m.last : m.last + 4]
        agent = words.by in before[-2:] and any(w.startswith(stems) for w in before)
        acting = any(w.startswith(stems) and w.endswith(ing) for w in after)
        compound = after[:1] == ["-"] and any(w.startswith(stems) for w in after[1:2])
        if agent or acting or compound:
            found.add(m.key)
    return found


def mentions_both_sides(text: str, lang: Language, talks: bool = False) -> bool:
    """True when the text names the parties as a pair ("the two sides"), or with ``talks``
    also as the talks themselves ("the talks ended with ...")."""
    lowered = text.lower()
    words = lang.words.actors
    phrases = words.both_sides + words.talks if talks else words.both_sides
    return any(phrase in lowered for phrase in phrases)


def sides_after_names(
    doc: Doc, mentions: Sequence[Mention], first: int, cue: int, lang: Language
) -> bool:
    """True when "the two sides" (or a bare "sides", as headlines write it) stands between
    the last actor named and a cue: in "Medinsky said the two sides had agreed" the sides,
    not the speaker, agreed."""
    names = [m.last for m in mentions if first <= m.first and m.last <= cue]
    region = doc[names[-1] if names else first : cue]
    skip = lang.words.actors.auxiliaries
    words = [t.lower_ for t in region if t.is_alpha and t.lower_ not in skip]
    bare = words[-1:] and words[-1] in lang.words.actors.bare_sides
    return mentions_both_sides(region.text, lang) or bool(bare)


def personal_pronoun(region: Span, lang: Language) -> bool:
    """True when a personal pronoun stands as a subject in the region ("..., he said, ...")."""
    pronouns = lang.words.actors.personal_pronouns
    return any(t.lower_ in pronouns for t in region)


def opens_with_pronoun(doc: Doc, first: int, last: int, lang: Language) -> bool:
    """True when the segment's subject is a personal pronoun: "He said ...", "They agreed"."""
    lexicon = lang.words.actors
    words = [t.lower_ for t in doc[first:last] if not t.is_punct][:4]
    while words and words[0] in lexicon.openers:
        words.pop(0)
    if tuple(words[:2]) in lexicon.pronoun_noun_words:
        return True
    if words[:1] == [lexicon.expletive] and words[1:2] and words[1] in lexicon.expletive_verbs:
        return False  # "It was his third trip": no one is meant
    return bool(words) and words[0] in lexicon.subject_pronouns


def after_by(
    doc: Doc, mentions: Sequence[Mention], cue_last: int, lang: Language
) -> tuple[str, ...]:
    """The agents of a passive: "put forward by the mediators", "pitched by the UK and
    France"."""
    words = lang.words.actors
    at = cue_last
    while at < len(doc) and at < cue_last + 2 and doc[at].lower_ != words.by:
        at += 1
    if at >= len(doc) or doc[at].lower_ != words.by:
        return ()
    group: list[Mention] = []
    reach = at + 3
    for m in mentions:
        if at < m.first <= reach:
            if group and doc[m.first - 1].text == "," and _ends_list(doc, m, lang):
                break  # "by Israel and Hamas, Qatar's prime minister said": a new clause
            group.append(m)
            # "by Ukraine and Russia with Turkiye and the UN": co-signers join the agents.
            joined = m.last < len(doc) and doc[m.last].lower_ in words.agent_joiners
            reach = m.last + 2 if joined else m.last
    return unique_ids(group)


def _ends_list(doc: Doc, m: Mention, lang: Language) -> bool:
    """True when a name after a comma opens something else than a list item: a list of
    agents goes on with "and" or another comma."""
    nxt = doc[m.last].text if m.last < len(doc) else ""
    return nxt not in lang.words.actors.list_joiners


def possessor(
    doc: Doc, mentions: Sequence[Mention], cue_first: int, lang: Language
) -> Mention | None:
    """The actor named just before a noun cue: "Putin's conditions", "the U.S. draft",
    "Kyiv's 10-point plan"; only possessive marks and modifiers may stand between."""
    words, agency = lang.words.actors, lang.words.pipeline.agency
    for m in mentions:
        between = doc[m.last : cue_first]
        if m.first >= cue_first or cue_first > m.last + 7:
            continue
        # After a possessive any modifier may follow ("the Trump administration's
        # controversial 28-point plan"); without one only plan modifiers ("the U.S. draft").
        # The possessive must be the actor's own: in "Israel agreed to the president's
        # proposal" it is the president's.
        marks = [t.i for t in between if t.text in words.possessive]
        owned = bool(marks) and all(t.lower_ in agency for t in doc[m.last : marks[0]])
        if (cue_first <= m.last + 3 or owned) and all(
            t.text in words.possessive
            or t.lower_ in words.noun_modifiers
            or t.like_num
            or "-" in t.text
            or (owned and t.is_alpha and t.is_lower)
            or t.lower_ in agency
            for t in between
        ):
            return m
    return None


def proposal_owner(
    doc: Doc, mentions: Sequence[Mention], first: int, last: int, lang: Language
) -> Mention | None:
    """The author of a proposal named in tokens ``[first, last)``: "absent from the U.S.
    proposal", "in the draft prepared by the United States"."""
    for m in mentions:
        if not first <= m.first < last:
            continue
        near = {t.lower_ for t in doc[m.first : min(m.last + 2, len(doc))]}
        before = {t.lower_ for t in doc[max(m.first - 2, 0) : m.first]}
        if lang.words.actors.by in before or near & lang.words.actors.proposal_nouns:
            return m
    return None


def right_after(
    doc: Doc, mentions: Sequence[Mention], cue_last: int, lang: Language
) -> Mention | None:
    """The actor that follows a cue as its object: "demanded Ukraine pull ...", "urged Kyiv
    to ..."; the usual obligor of a demand."""
    lead = lang.words.actors.object_lead
    for m in mentions:
        if cue_last <= m.first <= cue_last + 1 and all(
            t.lower_ in lead for t in doc[cue_last : m.first]
        ):
            return m
    return None
