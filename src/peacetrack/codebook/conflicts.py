"""Which conflict a claim belongs to, decided from its actors and places: pure functions.

A claim names actors (parties, mediators, backers) and sometimes places; a conflict of the
codebook lists its parties, the actors usually around it and its places. Each conflict gets
a score from what the claim names (a party 2, an actor around it 1, one of its places 3, an
actor foreign to it -1). A claim is assigned when it names two parties of one conflict only,
or when one conflict leads every other by a clear margin. A claim ambiguous on its own (the
United States alone, Israel alone) goes to its document's dominant conflict when that
conflict fits it nearly as well as the best; otherwise it stays unassigned (None), never a
guess: an analyst must see it as such.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from peacetrack.codebook.book import Codebook
from peacetrack.vocabulary import Conflict

PARTY, AROUND, PLACE, FOREIGN = 2, 1, 3, -1
#: How far the best conflict must lead the next one for a claim to be assigned on its own.
MARGIN = 2


def covers(place: str, territory: str) -> bool:
    """True when a conflict's place covers a claim's territory: the same code, or a country
    code and one of its subdivisions (UA covers UA-14)."""
    return territory == place or ("-" in territory and territory.split("-", 1)[0] == place)


def score(conflict: Conflict, actors: Iterable[str], territories: Iterable[str]) -> int:
    """How well a claim's actors and territories fit ``conflict`` (see the module docstring)."""
    total = 0
    for actor in set(actors):
        if actor in conflict.parties:
            total += PARTY
        elif actor in conflict.around:
            total += AROUND
        else:
            total += FOREIGN
    if any(covers(p, t) for p in conflict.places for t in territories):
        total += PLACE
    return total


def candidates(
    actors: Sequence[str], territories: Sequence[str], codebook: Codebook
) -> list[tuple[int, str]]:
    """(score, conflict id) for every conflict the claim names something of, best first."""
    found = []
    for conflict in codebook.conflicts.values():
        named = set(actors) & {*conflict.parties, *conflict.around}
        placed = any(covers(p, t) for p in conflict.places for t in territories)
        if named or placed:
            found.append((score(conflict, actors, territories), conflict.id))
    return sorted(found, key=lambda pair: -pair[0])


def assign_conflict(
    claim_actors: Sequence[str],
    territories: Sequence[str],
    codebook: Codebook,
    document_hint: str | None = None,
) -> str | None:
    """The conflict id a claim belongs to, or None when none fits or the evidence is split.

    ``document_hint`` is the conflict most of the claim's document is about: it settles a
    claim that fits it within the margin of the best conflict, and nothing else.
    """
    ranked = candidates(claim_actors, territories, codebook)
    if not ranked:
        return None
    between = [
        c.id for c in codebook.conflicts.values() if len(set(claim_actors) & set(c.parties)) > 1
    ]
    if len(between) == 1:
        return between[0]
    best, winner = ranked[0]
    second = ranked[1][0] if len(ranked) > 1 else 0
    if best >= PARTY and best - second >= MARGIN:
        return winner
    scores = dict((cid, s) for s, cid in ranked)
    hinted = scores.get(document_hint or "")
    if hinted is not None and hinted > 0 and best - hinted < MARGIN:
        return document_hint
    return None


def _leader(counts: Counter[str], margin: int) -> str | None:
    top = counts.most_common(2)
    if not top or (len(top) > 1 and top[0][1] - top[1][1] < margin):
        return None
    return top[0][0]


def dominant_conflict(
    claims: Sequence[tuple[Sequence[str], Sequence[str]]],
    assigned: Sequence[str | None],
    codebook: Codebook,
) -> str | None:
    """The conflict a document is about: the one most of its assigned claims belong to, or,
    when none was assigned on its own, the one its claims fit best taken together (a report
    on Russia and the United States alone still names Russia as a party again and again)."""
    counts = Counter(a for a in assigned if a is not None)
    if counts:
        return _leader(counts, 1)
    totals: Counter[str] = Counter()
    for actors, territories in claims:
        for points, cid in candidates(actors, territories, codebook):
            totals[cid] += points
    return _leader(+totals, MARGIN)


def assign_document(
    claims: Sequence[tuple[Sequence[str], Sequence[str]]], codebook: Codebook
) -> list[str | None]:
    """The conflict of each of a document's claims, given as (actors, territories) pairs.

    Claims are first assigned on their own; the conflict most of them then belong to is the
    hint for the rest, so an ambiguous claim follows its document and a clear one does not.
    """
    alone = [assign_conflict(a, t, codebook) for a, t in claims]
    hint = dominant_conflict(claims, alone, codebook)
    if hint is None:
        return alone
    return [
        found if found is not None else assign_conflict(a, t, codebook, document_hint=hint)
        for found, (a, t) in zip(alone, claims, strict=True)
    ]
