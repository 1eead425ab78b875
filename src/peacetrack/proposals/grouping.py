"""Which known proposal a mention of one belongs to: the grouping policy, over plain values.

A claim keeps the proposal phrase the report used ("U.S. draft", "draft deal", "U.S.
proposal"); saving it links it to ONE proposal, so three phrasings of one U.S. draft show
as one column. ``match`` tries, in order:

1. aliases: a proposal whose name or an alias has the phrase's key. Renames, merges and
   splits are recorded as aliases, so a person's decisions survive re-extraction;
2. grouping: a proposal with the same authors and kind family, made within ``WINDOW`` of
   the report's date (undated: in the same document);

both among the proposals of the claim's conflict only (unassigned claims among the
unassigned), so a U.S. draft on Gaza never absorbs a U.S. draft on Ukraine;

and failing both, the caller creates a proposal named ``readable_name(mention)``.

A phrase that says nothing beyond its authors and kind ("the draft deal") is generic: its
key alone cannot tell two drafts apart, so its alias matches only proposals of the same
authors within the window. A specific phrase ("Trump's 20-point Gaza plan") matches its
alias whenever it was made. Everything here is a pure function of its arguments, so the
policy is tested without a database (``tests/test_proposal_grouping.py``); the store's
resolver (``peacetrack.store.proposal_resolver``) adds locks, savepoints and rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from peacetrack.model import Claim, ProposalKind, Stance
from peacetrack.proposals.phrases import (
    Phrase,
    analysed,
    author_label,
    clean,
    family,
    is_agreement_phrase,
    words,
)

#: How far apart two reports may be and still speak of one generic "U.S. draft".
WINDOW = timedelta(days=45)
#: Stances whose actors are the proposal's authors (or, for agreements, its parties).
_AUTHOR_STANCES = frozenset(
    {Stance.DEMAND, Stance.PROPOSE, Stance.OFFER, Stance.ABSENT, Stance.AGREE}
    | {Stance.NO_AGREEMENT}
)
_PUT_FORWARD = frozenset({Stance.DEMAND, Stance.PROPOSE, Stance.OFFER, Stance.ABSENT})


@dataclass
class Candidate:
    """A known proposal as the policy sees it while one document is saved."""

    id: int
    name: str
    kind: str
    date: date | None
    authors: frozenset[str]
    keys: set[str]
    generic: bool
    #: Some claim of the document being saved already belongs to it.
    in_document: bool
    #: False for a proposal whose claims are all gone (its document is being re-extracted).
    has_claims: bool
    #: The conflict its claims belong to (None: unassigned).
    conflict: str | None = None


@dataclass(frozen=True)
class Mention:
    """A claim's proposal phrase with the authors and kind the claim gives it."""

    phrase: Phrase
    authors: tuple[str, ...]
    kind: ProposalKind
    #: The conflict of the claim (None: unassigned): it groups only with that conflict's.
    conflict: str | None = None


def mention_of(claim: Claim, phrase: Phrase | None = None, conflict: str | None = None) -> Mention:
    """The mention in ``claim`` (which names a proposal) in ``conflict``: who made it and
    what kind it is."""
    phrase = phrase or analysed(claim.proposal or "")
    kind = phrase.kind
    if phrase.authors and family(kind) != "talks":
        authors = phrase.authors  # a place in "Riyadh talks" is the venue, not an author
    elif claim.stance in _AUTHOR_STANCES:
        authors = tuple(claim.actors)
    else:
        authors = ()  # who accepts or rejects a plan is not its author
    if kind == "agreement" and claim.stance in _PUT_FORWARD and authors:
        # One side putting a "peace deal" forward states its terms: nobody agreed to them.
        kind = "verbal_demands"
    return Mention(phrase, authors, kind, conflict)


def readable_name(mention: Mention) -> str:
    """Authors + kind for a generic phrase ("U.S. draft"); the cleaned phrase otherwise."""
    phrase = mention.phrase
    if not phrase.generic or not mention.authors:
        return clean(phrase.text)
    if mention.kind == "verbal_demands":  # "terms for a peace deal" are its demands
        body = words().demands_name
    elif mention.kind == "draft" and is_agreement_phrase(phrase):
        body = words().draft_name
    else:
        body = phrase.body
    return f"{author_label(mention.authors)} {body}".strip()


def window(published: date) -> tuple[date, date]:
    """The dates a proposal may have and still be grouped with a report of ``published``."""
    return published - WINDOW, published + WINDOW


def compatible(candidate: Candidate, published: date | None) -> bool:
    """Made at about the same time: same document, dates within the window, or a proposal
    left without claims (its document is being extracted again)."""
    if candidate.in_document or not candidate.has_claims:
        return True
    if candidate.date is None or published is None:
        return False
    return abs(candidate.date - published) <= WINDOW


def _best(candidates: Sequence[Candidate], published: date | None) -> Candidate | None:
    """The compatible candidate nearest in time (then the oldest), else the nearest."""

    def distance(c: Candidate) -> int:
        if c.date is None or published is None:
            return WINDOW.days + 1
        return abs((c.date - published).days)

    ranked = sorted(candidates, key=lambda c: (not compatible(c, published), distance(c), c.id))
    return ranked[0] if ranked else None


def by_alias(
    mention: Mention, candidates: Sequence[Candidate], published: date | None
) -> Candidate | None:
    """A proposal one of whose names has the phrase's key (a generic phrase: of the same
    authors, within the window)."""
    hits = [c for c in candidates if mention.phrase.key in c.keys]
    if mention.phrase.generic:
        wanted = set(mention.authors)
        hits = [
            c
            for c in hits
            if compatible(c, published) and (not wanted or not c.authors or wanted <= c.authors)
        ]
    return _best(hits, published)


def by_group(
    mention: Mention, candidates: Sequence[Candidate], published: date | None
) -> Candidate | None:
    """A proposal of the same authors and kind family within the window; without authors,
    the only such proposal of the same document."""
    kind = family(mention.kind)
    if kind == "other":
        return None  # nothing says two unclassified phrases name one thing
    hits = [c for c in candidates if family(c.kind) == kind and compatible(c, published)]
    # Two specific names ("Trump's 20-point plan", "the Witkoff memo") are two things.
    hits = [c for c in hits if mention.phrase.generic or c.generic]
    if mention.authors:
        return _best([c for c in hits if c.authors == set(mention.authors)], published)
    in_document = [c for c in hits if c.in_document]
    return in_document[0] if len(in_document) == 1 else None


def match(
    mention: Mention, candidates: Sequence[Candidate], published: date | None
) -> Candidate | None:
    """The known proposal ``mention`` belongs to, or None for a new one; only proposals of
    the mention's conflict can be it."""
    same = [c for c in candidates if c.conflict == mention.conflict]
    return by_alias(mention, same, published) or by_group(mention, same, published)


def free_name(
    name: str, taken: set[str], published: date | None, conflict: str | None = None
) -> str:
    """``name``, or with the conflict, the month or a number added when another proposal
    has it (``taken`` are casefolded names): the U.S. draft of another war is
    "U.S. draft (il-gaza)"."""
    options = [name, *([f"{name} ({conflict})"] if conflict else [])]
    if published is not None:
        options.append(f"{name} ({published:%b %Y})")
    options += [f"{name} ({n})" for n in range(2, 1000)]
    return next(o for o in options if o.casefold() not in taken)
