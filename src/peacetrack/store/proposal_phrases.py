"""What a proposal phrase says: its comparison key, kind, named authors, and a readable name.

Reporters name one plan many ways ("the U.S. draft", "the US proposal", "the draft deal
prepared by the United States"). Resolving them to one proposal needs a key on which the
spellings of an author compare equal, the kind of thing named (a written plan, spoken
demands, an agreement, a round of talks) and whether the phrase names anything beyond its
author and kind: "the draft deal" could be any draft, "Trump's 20-point Gaza plan" is one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from peacetrack.codebook import Codebook, default_codebook
from peacetrack.codebook.names import fold
from peacetrack.model import ProposalKind

_WORD = re.compile(r"\w+(?:['’.]\w+)*\.?")
_ARTICLES = frozenset({"a", "an", "the"})
#: Head nouns and the kind they name; the first one in a phrase is its head ("demands at
#: the Istanbul talks" are demands), except "draft", which makes any phrase a draft.
_KIND_NOUNS: Mapping[str, ProposalKind] = {
    **dict.fromkeys(["draft", "drafts"], "draft"),
    **dict.fromkeys(
        ["proposal", "proposals", "counterproposal", "plan", "plans", "framework", "blueprint"],
        "plan",
    ),
    **dict.fromkeys(["roadmap", "initiative", "package", "offer"], "plan"),
    **dict.fromkeys(["memorandum", "memo"], "memorandum"),
    **dict.fromkeys(
        ["demand", "demands", "terms", "conditions", "ultimatum", "requirements"], "verbal_demands"
    ),
    **dict.fromkeys(
        ["agreement", "agreements", "deal", "declaration", "accord", "accords", "treaty"],
        "agreement",
    ),
    **dict.fromkeys(
        ["talks", "round", "summit", "meeting", "negotiations", "consultations"], "talks"
    ),
    **dict.fromkeys(["statement", "communique"], "statement"),
}
#: Nouns that name a kind only when nothing else does ("a limited 30-day ceasefire").
_FALLBACK_NOUNS: Mapping[str, ProposalKind] = dict.fromkeys(["ceasefire", "truce"], "agreement")
#: Words that add nothing to a kind noun: a phrase made only of these, articles and authors
#: could name any proposal of its kind and authors, so it is grouped, not trusted by name.
_GENERIC = frozenset(
    {*_KIND_NOUNS, *_FALLBACK_NOUNS, "peace", "alternative", "new", "latest", "revised"}
    | {"updated", "initial", "proposed", "final", "interim", "counter", "joint", "its"}
    | {"their", "his", "her", "this", "that", "such", "own", "written", "verbal", "possible"}
    | {"emerging", "settlement", "comprehensive", "prepared", "drafted", "presented", "put"}
    | {"forward", "offered", "by", "from", "for", "of", "to", "on", "and", "&"}
)
#: Words that cannot start or end a readable name ("draft deal prepared by" -> "draft deal").
_CONNECTIVES = frozenset(
    {"by", "from", "for", "of", "to", "on", "and", "&", "prepared", "drafted", "presented"}
    | {"put", "forward", "offered", "proposed"}
)
_AGREEMENT_NOUNS = frozenset(n for n, k in _KIND_NOUNS.items() if k == "agreement")
#: Kinds that group together: a "draft" and a "proposal" of one author are one written plan.
_FAMILY: Mapping[str, str] = {"draft": "written", "plan": "written"}


def family(kind: str) -> str:
    """The group of kinds a proposal may be matched within."""
    return _FAMILY.get(kind, kind)


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


def _kind(words: list[str]) -> ProposalKind:
    if "draft" in words or "drafts" in words:
        return "draft"
    for table in (_KIND_NOUNS, _FALLBACK_NOUNS):
        for word in words:
            if word in table:
                return table[word]
    return "other"


def analyse(text: str, codebook: Codebook | None = None) -> Phrase:
    """Take a proposal phrase apart; ``codebook`` (default: the one in force) names actors."""
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
        if tokens[i].norm not in _ARTICLES:
            parts.append(tokens[i].norm)
            kept.append(tokens[i])
        i += 1
    words = [t.norm for t in kept]
    return Phrase(
        text=text,
        key=" ".join(parts),
        kind=_kind(words),
        authors=tuple(dict.fromkeys(actor for _, _, actor in mentions)),
        generic=all(w in _GENERIC for w in words),
        body=_body(text, kept, mentions, tokens),
    )


def _body(
    text: str, kept: list[_Token], mentions: list[tuple[int, int, str]], tokens: list[_Token]
) -> str:
    """The kept words as written, from the first to the last that is not a connective."""
    while kept and kept[0].norm in _CONNECTIVES:
        kept = kept[1:]
    while kept and kept[-1].norm in _CONNECTIVES:
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
    text = re.sub(r"^(?:the|a|an)\s+", "", text, flags=re.IGNORECASE)
    return text.strip(" -–—,;:")


def is_agreement_phrase(phrase: Phrase) -> bool:
    return any(t.norm in _AGREEMENT_NOUNS for t in _tokens(phrase.text))


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


def analysed(text: str) -> Phrase:
    """``analyse`` under the codebook in force, remembered: every save of a document that
    names a proposal looks at every proposal's name and aliases again."""
    return _analysed(text, default_codebook())


def proposal_key(text: str) -> str:
    """The comparison key of a name or alias: casefolded, no articles, authors as ids."""
    return analysed(text).key
