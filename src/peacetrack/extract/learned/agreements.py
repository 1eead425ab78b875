"""The parties an agreement binds: actor options for a segment whose position an
agreement carries without naming who it binds.

Reporters state an agreement's terms with the agreement as their subject ("the accord
obliges both sides to pull back heavy weapons", "the text says nothing about
prisoners"), after "under" ("under the deal, prisoners will be exchanged"), or as bare
obligations in the passive or in treaty language ("elections will be held by June",
"the government shall begin reconstruction"). The guideline codes such a term as
``agree`` for every signatory, and a plan's term as its author's: so the actors such a
segment is about are the parties the report names with its agreement, not the last two
actors named. Which parties those are is read once per report: those the rules read
agreeing together, and those named in a segment that speaks of signing an agreement
("the deal between A and B", "A, B and C signed the accord"); with the report's most
named actors as a fall-back.

Whether such a party holds the segment's position is left to the holder model: each
option of a segment with such a frame carries which frame it is, whether the actor is
one of the report's parties and how, and its rank among the actors the report names
most, so that the model can learn when the parties hold and when they do not.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from peacetrack.extract.learned.lexicon import language_file
from peacetrack.extract.rules.extractor import TextReading

#: How many of the report's parties a segment is offered, and of its most named actors.
PARTIES, MOST_NAMED = 4, 2
#: How far after "under" ("as part of", ...) the agreement's noun may come.
UNDER_REACH = 4
_RANK = tuple(f"ag:rank={k}" for k in range(4))


@dataclass(frozen=True)
class AgreementWords:
    """A language's words for agreements and their terms (``lang/<code>/agreements.toml``,
    whose comments say what each list is for)."""

    agreements: frozenset[str]
    providing: frozenset[str]
    reach: int
    under: frozenset[str]
    signing: frozenset[str]
    modals: frozenset[str]
    passive: str
    participles: tuple[str, ...]
    binding: frozenset[str]


@cache
def agreement_words(code: str = "en") -> AgreementWords:
    """The agreement words of a language shipped with the package."""
    sets = ("agreements", "providing", "under", "signing", "modals", "binding")
    table = language_file(
        code, "agreements.toml", "agreement words", (*sets, "reach", "passive", "participles")
    )
    return AgreementWords(
        **{name: frozenset(table[name]) for name in sets},
        reach=int(table["reach"]),
        passive=str(table["passive"]),
        participles=tuple(table["participles"]),
    )


def frames(words: Sequence[str], lead_in: Sequence[str], vocab: AgreementWords) -> tuple[str, ...]:
    """How a segment's words put its term under an agreement, if they do: the agreement
    as subject ("the accord obliges"), "under the deal", an obligation in the passive or
    in treaty language with an agreement named, or a list item of a lead-in naming one."""
    found: list[str] = []
    named = vocab.agreements
    places = [i for i, w in enumerate(words) if w in named] if not named.isdisjoint(words) else []
    if any(not vocab.providing.isdisjoint(words[i + 1 : i + 1 + vocab.reach]) for i in places):
        found.append("subject")
    if not vocab.under.isdisjoint(words) and any(
        w in vocab.under and not named.isdisjoint(words[i + 1 : i + 1 + UNDER_REACH])
        for i, w in enumerate(words)
    ):
        found.append("under")
    if not vocab.binding.isdisjoint(words) or _passive(words, vocab):
        found.append("passive" if places else "passive_bare")
    if not named.isdisjoint(lead_in):
        found.append("item")
    return tuple(found)


def _passive(words: Sequence[str], vocab: AgreementWords) -> bool:
    """Whether the words hold a modal passive: "will be held", "are to be released"."""
    return vocab.passive in words and any(
        w == vocab.passive
        and i > 0
        and words[i - 1] in vocab.modals
        and words[i + 1 : i + 2]
        and words[i + 1].endswith(vocab.participles)
        for i, w in enumerate(words)
    )


@dataclass(frozen=True)
class Parties:
    """A report's parties to its agreements, and its actors by how often it names them."""

    #: The parties, likeliest first: how often named with an agreement, then in all.
    parties: tuple[str, ...]
    #: Those the rules read agreeing together.
    agreeing: frozenset[str]
    #: Those named in a segment that speaks of signing an agreement.
    with_deal: frozenset[str]
    #: Every actor the report names, the most named first.
    ranked: tuple[str, ...]

    @classmethod
    def of(cls, reading: TextReading, words: Sequence[str], vocab: AgreementWords) -> Parties:
        """Read from the rules' agreement frames and from the segments that speak of an
        agreement being made (``words``: the report's words as the models see them)."""
        parsed = reading.parsed
        named = Counter(m.key for m in parsed.actors)
        agreeing: Counter[str] = Counter()
        for segment in reading.readings.values():
            for frame in segment.frames:
                if frame.stance.coarse == "agree" and len(frame.actors) > 1:
                    agreeing.update(frame.actors)
        with_deal: Counter[str] = Counter()
        for seg in parsed.segments:
            seen = set(words[seg.first : seg.last])
            if seen.isdisjoint(vocab.agreements) or seen.isdisjoint(vocab.signing):
                continue
            keys = {m.key for m in parsed.inside(seg.first, seg.last)[0]}
            if len(keys) > 1:
                with_deal.update(keys)
        both = agreeing + with_deal
        parties = sorted(both, key=lambda a: (-both[a], -named[a], a))
        ranked = sorted(named, key=lambda a: (-named[a], a))
        return cls(tuple(parties), frozenset(agreeing), frozenset(with_deal), tuple(ranked))

    def options(self) -> list[str]:
        """The actors a segment under an agreement may be about: the parties, then the
        report's most named actors."""
        return [*self.parties[:PARTIES], *self.ranked[:MOST_NAMED]]

    def features(self, actor: str, how: tuple[str, ...], source: str) -> list[str]:
        """What tells whether an actor holds a term stated under an agreement: the frame,
        whether the actor is one of the report's parties and how it is known to be, and
        its rank among the actors the report names most."""
        if not how:
            return []
        party = (
            "both"
            if actor in self.agreeing and actor in self.with_deal
            else "agreeing"
            if actor in self.agreeing
            else "with_deal"
            if actor in self.with_deal
            else "not_party"
        )
        rank = _RANK[min(self.ranked.index(actor), 3)] if actor in self.ranked else "ag:rank=none"
        feats = [f"ag:party={party}", rank, f"ag:party={party}:src={source}"]
        for frame in how:
            feats += [f"ag:{frame}", f"ag:{frame}:{party}", f"ag:{frame}:{rank}"]
        n = min(len(self.parties), 4)
        feats.append(f"ag:parties={n}")
        return feats
