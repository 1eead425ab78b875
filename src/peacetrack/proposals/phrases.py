"""What a proposal phrase says: its comparison key, kind, named authors, and a readable name.

Reporters name one plan many ways ("the U.S. draft", "the US proposal", "the draft deal
prepared by the United States"). Resolving them to one proposal needs a key on which the
spellings of an author compare equal, the kind of thing named (a written plan, spoken
demands, an agreement, a round of talks) and whether the phrase names anything beyond its
author and kind: "the draft deal" could be any draft, "Trump's 20-point Gaza plan" is one.
The words are language data (``data/en.toml``), so a new wording is a line there.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any, cast

from peacetrack.codebook import Codebook, default_codebook
from peacetrack.codebook.names import fold
from peacetrack.model import ProposalKind

_WORD = re.compile(r"\w+(?:['’.]\w+)*\.?")


@dataclass(frozen=True)
class Words:
    """A language's proposal words, as ``data/<language>.toml`` lists them."""

    articles: frozenset[str]
    #: Head nouns and the kind they name; the first one in a phrase is its head.
    kinds: Mapping[str, ProposalKind]
    #: Nouns naming a kind only when nothing else does ("a limited 30-day ceasefire").
    fallback_kinds: Mapping[str, ProposalKind]
    #: The kind a draft noun names: it makes any phrase a draft.
    draft_nouns: frozenset[str]
    #: Words that add nothing to a kind noun (kind nouns included).
    generic: frozenset[str]
    connectives: frozenset[str]
    leading_articles: tuple[str, ...]
    agreement_nouns: frozenset[str]
    families: Mapping[str, str]
    demands_name: str
    draft_name: str


def _by_word(table: Mapping[str, list[str]]) -> dict[str, ProposalKind]:
    return {word: cast(ProposalKind, kind) for kind, words in table.items() for word in words}


@cache
def words(language: str = "en") -> Words:
    """The proposal words of ``language``, read once from the package data."""
    text = (
        resources.files("peacetrack.proposals")
        .joinpath(f"data/{language}.toml")
        .read_text(encoding="utf-8")
    )
    data: dict[str, Any] = tomllib.loads(text)
    kinds, fallback = _by_word(data["kinds"]), _by_word(data["fallback_kinds"])
    listed = data["words"]
    return Words(
        articles=frozenset(data["articles"]),
        kinds=kinds,
        fallback_kinds=fallback,
        draft_nouns=frozenset(w for w, k in kinds.items() if k == "draft"),
        generic=frozenset({*kinds, *fallback, *listed["generic"]}),
        connectives=frozenset(listed["connectives"]),
        leading_articles=tuple(listed["leading_articles"]),
        agreement_nouns=frozenset(w for w, k in kinds.items() if k == "agreement"),
        families=dict(data["families"]),
        demands_name=listed["demands_name"],
        draft_name=listed["draft_name"],
    )


def family(kind: str) -> str:
    """The group of kinds a proposal may be matched within."""
    return words().families.get(kind, kind)


@dataclass(frozen=True)
class _Token:
    norm: str
    start: int
    end: int


@dataclass(frozen=True)
class Phrase:
    """A proposal phrase taken apart. ``authors``: the actors the phrase itself names."""

    text: str
    key: str
    kind: ProposalKind
    authors: tuple[str, ...]
    generic: bool
    #: The phrase without articles and author mentions, as written ("draft deal").
    body: str


def _tokens(text: str) -> list[_Token]:
    found = []
    for match in _WORD.finditer(text):
        norm = fold(match.group()).replace(".", "")
        norm = norm[:-2] if norm.endswith("'s") else norm.rstrip("'")
        if norm:
            found.append(_Token(norm, match.start(), match.end()))
    return found


@lru_cache(maxsize=4)
def _actor_index(codebook: Codebook) -> tuple[dict[tuple[str, ...], str], int]:
    """Token sequences of every actor alias and adjective -> actor id, and the longest one."""
    index: dict[tuple[str, ...], str] = {}
    names: list[tuple[str, str]] = list(codebook.actor_aliases().items())
    names += [(adj, a.id) for a in codebook.actors.values() for adj in a.adjectives]
    for name, actor in names:
        words = tuple(t.norm for t in _tokens(name))
        if words[:1] == ("the",):
            words = words[1:]
        if words:
            index.setdefault(words, actor)
    return index, max((len(w) for w in index), default=1)


def _mentions(tokens: list[_Token], codebook: Codebook) -> list[tuple[int, int, str]]:
    """(first token, end token, actor id) of each author mention, longest match first."""
    index, longest = _actor_index(codebook)
    norms = [t.norm for t in tokens]
    found, i = [], 0
    while i < len(tokens):
        for size in range(min(longest, len(tokens) - i), 0, -1):
            actor = index.get(tuple(norms[i : i + size]))
            if actor is not None:
                found.append((i, i + size, actor))
                i += size
                break
        else:
            i += 1
    return found


def _kind(norms: list[str]) -> ProposalKind:
    known = words()
    if known.draft_nouns.intersection(norms):
        return "draft"
    for table in (known.kinds, known.fallback_kinds):
        for word in norms:
            if word in table:
                return table[word]
    return "other"


def analyse(text: str, codebook: Codebook | None = None) -> Phrase:
    """Take a proposal phrase apart; ``codebook`` (default: the one in force) names actors."""
    known = words()
    tokens = _tokens(text)
    mentions = _mentions(tokens, codebook or default_codebook())
    actor_at = {start: (end, actor) for start, end, actor in mentions}
    parts: list[str] = []
    kept: list[_Token] = []
    i = 0
    while i < len(tokens):
        if i in actor_at:
            end, actor = actor_at[i]
            parts.append(f"@{actor}")
            i = end
            continue
        if tokens[i].norm not in known.articles:
            parts.append(tokens[i].norm)
            kept.append(tokens[i])
        i += 1
    norms = [t.norm for t in kept]
    return Phrase(
        text=text,
        key=" ".join(parts),
        kind=_kind(norms),
        authors=tuple(dict.fromkeys(actor for _, _, actor in mentions)),
        generic=all(w in known.generic for w in norms),
        body=_body(text, kept, mentions, tokens),
    )


def _body(
    text: str, kept: list[_Token], mentions: list[tuple[int, int, str]], tokens: list[_Token]
) -> str:
    """The kept words as written, from the first to the last that is not a connective."""
    connectives = words().connectives
    while kept and kept[0].norm in connectives:
        kept = kept[1:]
    while kept and kept[-1].norm in connectives:
        kept = kept[:-1]
    if not kept:
        return ""
    start, end = kept[0].start, kept[-1].end
    cut = [(tokens[s].start, tokens[e - 1].end) for s, e, _ in mentions]
    pieces, at = [], start
    for a, b in sorted(c for c in cut if start <= c[0] and c[1] <= end):
        pieces.append(text[at:a])
        at = b
    pieces.append(text[at:end])
    return clean("".join(pieces))


def clean(text: str) -> str:
    """A phrase as a name: one space between words, no leading article or stray punctuation."""
    text = " ".join(text.split()).strip(" -–—,;:.")
    leading = "|".join(map(re.escape, words().leading_articles))
    text = re.sub(rf"^(?:{leading})\s+", "", text, flags=re.IGNORECASE)
    return text.strip(" -–—,;:")


def is_agreement_phrase(phrase: Phrase) -> bool:
    return any(t.norm in words().agreement_nouns for t in _tokens(phrase.text))


def author_label(authors: Iterable[str], codebook: Codebook | None = None) -> str:
    """Authors' short names as a prefix: "U.S.", "Russian", "Ukrainian-European allies"."""
    book = codebook or default_codebook()
    labels = []
    for actor_id in authors:
        actor = book.actors.get(actor_id)
        if actor is None:
            labels.append(actor_id)
            continue
        # Two-letter adjectives ("US", "UK") read as codes inside a name.
        adjectives = sorted((a for a in actor.adjectives if len(a) > 2), key=len)
        labels.append(adjectives[0] if adjectives else re.sub(r"\s*\(.*\)$", "", actor.name))
    return "-".join(labels)


@lru_cache(maxsize=65536)
def _analysed(text: str, codebook: Codebook) -> Phrase:
    return analyse(text, codebook)


def analysed(text: str, codebook: Codebook | None = None) -> Phrase:
    """``analyse`` under ``codebook`` (default: the one in force), remembered: every save of
    a document that names a proposal looks at its candidates' names and aliases again.
    A caller reading many phrases hands its codebook in, since looking up the one in
    force per phrase was a measurable share of extraction (issue #16)."""
    return _analysed(text, codebook or default_codebook())


def proposal_key(text: str, codebook: Codebook | None = None) -> str:
    """The comparison key of a name or alias: casefolded, no articles, authors as ids."""
    return analysed(text, codebook).key


def name_words(*names: str) -> frozenset[str]:
    """Every word of ``names`` (a proposal's name and aliases), folded as keys fold them,
    whatever the codebook: the words of a key other than its authors are some of these,
    so a store can index them and find a name by its key without reading every proposal."""
    return frozenset(t.norm for text in names for t in _tokens(text))


def key_words(phrase: Phrase) -> frozenset[str]:
    """The words of ``phrase``'s key that are not authors: every name with that key, or
    spelt like the phrase, holds them."""
    return frozenset(part for part in phrase.key.split() if not part.startswith("@"))


def telling_words(phrase: Phrase) -> frozenset[str]:
    """The words every name with ``phrase``'s key holds and few others do: its key's words
    that are neither authors nor generic ("20", "point" of "Trump's 20-point plan"). Empty
    for a generic phrase, which a name alone does not identify."""
    return key_words(phrase) - words().generic
