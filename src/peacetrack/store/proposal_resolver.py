"""Which proposal row a claim belongs to, decided as its document is saved.

Each claim keeps the proposal phrase the extractor found ("U.S. draft", "draft deal", "U.S.
proposal"); ``ProposalResolver`` links it to ONE proposal row, so the three phrasings of one
U.S. draft show as one column. It tries, in order:

1. aliases: a proposal whose name or an alias has the phrase's key. Renames, merges and
   splits are recorded as aliases, so a person's decisions survive re-extraction;
2. grouping: a proposal with the same authors and kind family, made within ``WINDOW`` of the
   document's date (undated: in the same document), which then gains the phrase as alias;
3. a new proposal, named readably ("U.S. draft", "Russian demands").

A phrase that says nothing beyond its authors and kind ("the draft deal") is generic: its
key alone cannot tell two drafts apart, so its alias matches only proposals of the same
authors within the window. A specific phrase ("Trump's 20-point Gaza plan") matches its
alias whenever it was made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from peacetrack.errors import StoreError
from peacetrack.model import Claim, ProposalKind, Stance
from peacetrack.store.engine import serialise
from peacetrack.store.proposal_phrases import (
    Phrase,
    analysed,
    author_label,
    clean,
    family,
    is_agreement_phrase,
    proposal_key,
)
from peacetrack.store.schema import ClaimRow, DocumentRow, ProposalRow

#: How far apart two reports may be and still speak of one generic "U.S. draft".
WINDOW = timedelta(days=45)
#: Stances whose actors are the proposal's authors (or, for agreements, its parties).
_AUTHOR_STANCES = frozenset(
    {Stance.DEMAND, Stance.PROPOSE, Stance.OFFER, Stance.ABSENT, Stance.AGREE}
    | {Stance.NO_AGREEMENT}
)
_PUT_FORWARD = frozenset({Stance.DEMAND, Stance.PROPOSE, Stance.OFFER, Stance.ABSENT})


@dataclass
class _Known:
    """A proposal row as the resolver sees it while one document is saved."""

    id: int
    name: str
    kind: str
    date: date | None
    authors: frozenset[str]
    keys: set[str]
    generic: bool
    in_document: bool
    #: False for a proposal whose claims are all gone (its document is being re-extracted).
    has_claims: bool


@dataclass(frozen=True)
class _Mention:
    phrase: Phrase
    authors: tuple[str, ...]
    kind: ProposalKind


class _NameTaken(Exception):
    """A concurrent writer created the name first; reload and resolve again."""


def _mention(claim: Claim, phrase: Phrase) -> _Mention:
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
    return _Mention(phrase, authors, kind)


def _readable_name(mention: _Mention) -> str:
    """Authors + kind for a generic phrase ("U.S. draft"); the cleaned phrase otherwise."""
    phrase = mention.phrase
    if not phrase.generic or not mention.authors:
        return clean(phrase.text)
    if mention.kind == "verbal_demands":  # "terms for a peace deal" are its demands
        body = "demands"
    elif mention.kind == "draft" and is_agreement_phrase(phrase):
        body = "draft"
    else:
        body = phrase.body
    return f"{author_label(mention.authors)} {body}".strip()


@dataclass
class ProposalResolver:
    """Links the claims of one document being saved to proposal rows, inside its transaction.

    Creations run in savepoints: when a concurrent extraction creates the same name first
    (PostgreSQL), only that creation fails, and the proposals are read again.
    """

    session: Session
    document_id: int
    published: date | None = None
    _known: list[_Known] = field(default_factory=list)
    _done: dict[tuple[str, tuple[str, ...], str], int] = field(default_factory=dict)
    _loaded: bool = False

    def _load(self) -> None:
        """Read the proposals, once a claim names one (most documents' claims name none).

        Writers resolving proposals take turns (on PostgreSQL; SQLite already does), so two
        extractions never group one phrase differently or create names in opposite orders.
        """
        self._loaded = True
        serialise(self.session.connection(), "proposals")
        self.published = self.session.scalar(
            select(DocumentRow.published).where(DocumentRow.id == self.document_id)
        )
        here = set(
            self.session.scalars(
                select(ClaimRow.proposal_id).where(ClaimRow.document_id == self.document_id)
            )
        )
        self._known = [
            _Known(
                id=row.id,
                name=row.name,
                kind=row.kind,
                date=row.date,
                authors=frozenset(row.authors or ()),
                keys={proposal_key(n) for n in (row.name, *(row.aliases or ()))},
                generic=analysed(row.name).generic,
                in_document=row.id in here,
                has_claims=has_claims,
            )
            for row, has_claims in self.session.execute(
                select(
                    ProposalRow, exists().where(ClaimRow.proposal_id == ProposalRow.id)
                ).order_by(ProposalRow.id)
            )
        ]

    def resolve(self, claim: Claim) -> int | None:
        """The id of the proposal ``claim`` belongs to; None when it names none."""
        if not claim.proposal:
            return None
        if not self._loaded:
            self._load()
        mention = _mention(claim, analysed(claim.proposal))
        memo = (claim.proposal, mention.authors, mention.kind)
        if memo not in self._done:
            for _ in range(3):
                try:
                    self._done[memo] = self._resolve(mention)
                    break
                except _NameTaken:
                    self._load()
            else:
                raise StoreError(
                    f"could not record proposal {claim.proposal!r}: other writers kept creating "
                    "the same name; run the extraction again"
                )
        return self._done[memo]

    def _resolve(self, mention: _Mention) -> int:
        found = self._by_alias(mention) or self._by_group(mention)
        if found is None:
            return self._create(mention)
        self._remember(found, mention.phrase.text)
        return found.id

    def _compatible(self, known: _Known) -> bool:
        """Made at about the same time: same document, dates within the window, or a
        proposal left without claims (its document is being extracted again)."""
        if known.in_document or not known.has_claims:
            return True
        if known.date is None or self.published is None:
            return False
        return abs(known.date - self.published) <= WINDOW

    def _best(self, candidates: list[_Known]) -> _Known | None:
        def distance(k: _Known) -> int:
            if k.date is None or self.published is None:
                return WINDOW.days + 1
            return abs((k.date - self.published).days)

        ranked = sorted(candidates, key=lambda k: (not self._compatible(k), distance(k), k.id))
        return ranked[0] if ranked else None

    def _by_alias(self, mention: _Mention) -> _Known | None:
        hits = [k for k in self._known if mention.phrase.key in k.keys]
        if mention.phrase.generic:
            wanted = set(mention.authors)
            hits = [
                k
                for k in hits
                if self._compatible(k) and (not wanted or not k.authors or wanted <= k.authors)
            ]
        return self._best(hits)

    def _by_group(self, mention: _Mention) -> _Known | None:
        kind = family(mention.kind)
        if kind == "other":
            return None  # nothing says two unclassified phrases name one thing
        hits = [k for k in self._known if family(k.kind) == kind and self._compatible(k)]
        # Two specific names ("Trump's 20-point plan", "the Witkoff memo") are two things.
        hits = [k for k in hits if mention.phrase.generic or k.generic]
        if mention.authors:
            return self._best([k for k in hits if k.authors == set(mention.authors)])
        in_document = [k for k in hits if k.in_document]
        return in_document[0] if len(in_document) == 1 else None

    def _remember(self, known: _Known, phrase: str) -> None:
        """Add ``phrase`` as an alias (row locked, so concurrent additions are not lost)."""
        key = proposal_key(phrase)
        moved_earlier = self.published is not None and (
            known.date is None or self.published < known.date
        )
        if key in known.keys and not moved_earlier:
            known.has_claims = True
            known.in_document = True
            return
        row = self.session.get(ProposalRow, known.id, with_for_update=True, populate_existing=True)
        if row is None:  # deleted by a concurrent merge: treat as a new name next time
            raise _NameTaken
        if key not in {proposal_key(n) for n in (row.name, *row.aliases)}:
            row.aliases = [*row.aliases, clean(phrase)]
        if moved_earlier:
            row.date = self.published
            known.date = self.published
        known.keys.add(key)
        known.has_claims = True
        known.in_document = True

    def _create(self, mention: _Mention) -> int:
        name = self._free_name(_readable_name(mention))
        alias = clean(mention.phrase.text)
        row = ProposalRow(
            name=name,
            kind=mention.kind,
            date=self.published,
            authors=list(mention.authors),
            aliases=[alias] if proposal_key(alias) != proposal_key(name) else [],
        )
        try:
            with self.session.begin_nested():
                self.session.add(row)
        except IntegrityError:
            raise _NameTaken from None
        self._known.append(
            _Known(
                id=row.id,
                name=name,
                kind=row.kind,
                date=row.date,
                authors=frozenset(mention.authors),
                keys={proposal_key(name), mention.phrase.key},
                generic=analysed(name).generic,
                in_document=True,
                has_claims=True,
            )
        )
        return row.id

    def _free_name(self, name: str) -> str:
        """``name``, or with the month or a number added when another proposal has it."""
        taken = {k.name.casefold() for k in self._known}
        options = [name]
        if self.published is not None:
            options.append(f"{name} ({self.published:%b %Y})")
        options += [f"{name} ({n})" for n in range(2, 1000)]
        return next(o for o in options if o.casefold() not in taken)


def proposal_ids_named(session: Session, name: str) -> list[int]:
    """Ids of the proposals whose name or an alias is ``name`` (spelling-insensitive)."""
    key = proposal_key(name)
    folded = name.strip().casefold()
    return [
        row.id
        for row in session.scalars(select(ProposalRow))
        if row.name.casefold() == folded
        or key in {proposal_key(n) for n in (row.name, *row.aliases)}
    ]
