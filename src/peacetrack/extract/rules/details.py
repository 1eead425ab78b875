"""The details of a term: territories, obligor, sequencing and recognition.

Sequencing is read from the connectives reporters use: "only after which", "before",
"as a precondition for", "first ... then", "deferred until later". An issue named inside
such a clause is the condition, not a term of its own ("demanded a withdrawal before they
would agree to a ceasefire" demands the withdrawal, not the ceasefire).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pycountry
from spacy.tokens import Doc

from peacetrack.extract.rules.actors import is_place_or_object
from peacetrack.extract.rules.language import Language
from peacetrack.extract.rules.lexicon import DetailsWords
from peacetrack.extract.rules.pipeline import Mention


@dataclass(frozen=True)
class Conditions:
    """Sequencing found in a segment: condition issue mentions, and per issue its relations."""

    tokens: frozenset[int]
    relations: Mapping[str, tuple[tuple[str, str], ...]]


def _condition_issues(
    connectives: Sequence[Mention], issues: Sequence[Mention], first: int, last: int
) -> list[tuple[str, Mention]]:
    """(relation, issue mention) for issues opened by a sequencing connective starting in
    ``[first, last)``; a connective inside another one read before it is part of it."""
    found: list[tuple[str, Mention]] = []
    at = first
    for c in connectives:
        if c.first < at:
            continue
        if c.first >= last:
            break
        near = [m for m in issues if c.last <= m.first < c.last + 8 and m.last <= last]
        if near:
            found.append((c.key, near[0]))
        at = c.last
    return found


def conditions(
    doc: Doc,
    connectives: Sequence[Mention],
    issues: Sequence[Mention],
    first: int,
    last: int,
    lang: Language,
) -> Conditions:
    """Sequencing relations of the issues named in one segment (``connectives`` are the
    pack's sequencing constructions found in the text)."""
    in_segment = [m for m in issues if first <= m.first and m.last <= last]
    relations: dict[str, list[tuple[str, str]]] = {}
    tokens: set[int] = set()
    for relation, mention in _condition_issues(connectives, in_segment, first, last):
        tokens.add(mention.first)
        for other in in_segment:
            if other.first < mention.first and other.key != mention.key:
                relations.setdefault(other.key, []).append((relation, mention.key))
    _first_then_later(doc, in_segment, relations, lang)
    return Conditions(frozenset(tokens), {k: tuple(dict.fromkeys(v)) for k, v in relations.items()})


def _first_then_later(
    doc: Doc, issues: Sequence[Mention], rel: dict[str, list[tuple[str, str]]], lang: Language
) -> None:
    """ "a ceasefire first ..., and territory later": the first before, the deferred after."""
    first, defer = lang.patterns.details.first, lang.patterns.details.defer
    firsts = [m for m in issues if m.last < len(doc) and first.fullmatch(doc[m.last].text)]
    if not firsts:
        return
    lead = firsts[0].key
    for m in issues:
        window = doc[max(m.first - 4, 0) : m.last + 4].text
        if m.key != lead and defer.search(window):
            rel.setdefault(m.key, []).append(("after", lead))
            rel.setdefault(lead, []).append(("before", m.key))


def territories(
    doc: Doc,
    places: Sequence[Mention],
    actors: Sequence[Mention],
    place_codes: Mapping[str, tuple[str, ...]],
    first: int,
    last: int,
    lang: Language,
) -> list[str]:
    """Places named in tokens ``[first, last)``, as codes, plus "Ukrainian soil" as UA.

    A name that is also an actor ("Kyiv demanded") is the actor, not a place; a country
    named beside its own regions ("the Donetsk region of Ukraine") adds nothing to them.
    """
    words = lang.words.details
    codes: list[str] = []
    named = [m for m in places if first <= m.first and m.last <= last]
    if named:  # which names are no place is worked out only when a place is named here
        taken = _not_places(doc, places, actors, lang)
        for m in named:
            if m.first not in taken:
                codes.extend(place_codes.get(m.key, ()))
    for m in actors:
        nxt = doc[m.last].lower_ if first <= m.first and m.last < last else ""
        if nxt in words.land_nouns:
            country = pycountry.countries.get(alpha_3=m.key)
            if country is not None:
                codes.append(country.alpha_2)
    return [c for c in dict.fromkeys(codes) if not any(o.startswith(c + "-") for o in codes)]


def _not_places(
    doc: Doc, places: Sequence[Mention], actors: Sequence[Mention], lang: Language
) -> set[int]:
    """The tokens of names that are no place a term is about: actors that act, and names
    of where something was said or held, or of who receives."""
    words = lang.words.details
    # "Kyiv demanded" is the actor; "in Kyiv", "from Khartoum" are places.
    actor_tokens = {
        i for m in actors if not is_place_or_object(doc, m, lang) for i in range(m.first, m.last)
    }
    # "told reporters in Kyiv", "met at Riyadh": a capital named as where something was said
    # or held is not what a term is about ("a buffer zone in Kyiv" is).
    # "cede territory to Russia": the country after "to" receives; it is not the place.
    settings = {
        i
        for m in (*actors, *places)
        if _setting(doc, m.first, words) or _recipient(doc, m.first, words)
        for i in range(m.first, m.last)
    }
    return actor_tokens | settings


def _setting(doc: Doc, index: int, words: DetailsWords) -> bool:
    """True for "told reporters in Kyiv", "met at Riyadh": the name at ``index`` says where
    something was said or held."""
    at = index - 1
    while at >= 0 and doc[at].lower_ in words.articles:
        at -= 1
    return (
        at > 0
        and doc[at].lower_ in words.setting_words
        and doc[at - 1].lower_ in words.setting_verbs
    )


def _recipient(doc: Doc, index: int, words: DetailsWords) -> bool:
    """True for "cede territory to Russia", "hand the land over to Moscow": the name at
    ``index`` receives what is transferred."""
    at = index - 1
    while at >= 0 and doc[at].lower_ in words.articles:
        at -= 1
    if at <= 0 or doc[at].lower_ != words.recipient:
        return False
    return any(doc[j].lower_ in words.transfer_verbs for j in range(max(0, at - 4), at))


def recognition_marks(kinds: Sequence[Mention], first: int, last: int) -> list[tuple[int, str]]:
    """Token positions in ``[first, last)`` that say which kind of recognition is meant
    ("de jure", "in practice": the pack's ``recognition`` constructions), with the kind;
    where two matches inside the range start at one token, the longer one."""
    marks: dict[int, str] = {}
    for m in kinds:
        if first <= m.first and m.last <= last and m.first not in marks:
            marks[m.first] = m.key
    return list(marks.items())
