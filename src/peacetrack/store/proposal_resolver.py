"""Linking the claims of a document being saved to proposal rows, inside its transaction.

The policy (aliases, then grouping within ``WINDOW``, then a new readable name) is
``peacetrack.proposals.grouping``, pure functions over plain values; this module feeds it
the candidate rows and writes its decisions: it reads only the proposals that can group
with the document (dated within the window, by ``ix_proposals_date``; undated ones the
document's claims already name; those its replaced claims belonged to, by id; for an
undated document, undated ones left without claims), plus, when a specific name is not
found among them, the proposals whose names hold its telling words (``proposal_words``);
it takes the locks and savepoints that keep concurrent extractions agreeing. No candidate
is found by testing every proposal, so its cost stays the same as proposals accumulate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement, exists, func, literal, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from peacetrack.codebook import Codebook, default_codebook
from peacetrack.errors import StoreError
from peacetrack.model import Claim
from peacetrack.proposals.grouping import (
    Candidate,
    Mention,
    free_name,
    match,
    mention_of,
    readable_name,
    window,
)
from peacetrack.proposals.phrases import (
    analysed,
    clean,
    proposal_key,
    telling_words,
)
from peacetrack.store.engine import serialise
from peacetrack.store.proposal_words import holding, index_words
from peacetrack.store.schema import ClaimRow, DocumentRow, ProposalRow
from peacetrack.vocabulary import UNASSIGNED


class _NameTaken(Exception):
    """A concurrent writer created the name first; reload and resolve again."""


@dataclass
class ProposalResolver:
    """Links the claims of one document being saved to proposal rows, inside its transaction.

    Creations run in savepoints: when a concurrent extraction creates the same name first
    (PostgreSQL), only that creation fails, and the proposals are read again. Phrases are
    read under ``codebook``, looked up once per resolver rather than once per phrase.
    """

    session: Session
    document_id: int
    #: The proposals of the claims a re-extraction just replaced: left without claims,
    #: they are the document's own and group with it whatever their date.
    replaced: frozenset[int] = frozenset()
    published: date | None = None
    codebook: Codebook = field(default_factory=default_codebook)
    _known: list[Candidate] = field(default_factory=list)
    _done: dict[tuple[str, tuple[str, ...], str, str | None], int] = field(default_factory=dict)
    _loaded: bool = False

    def _load(self) -> None:
        """Read the candidates, once a claim names a proposal (most documents' name none).

        Writers resolving proposals take turns (on PostgreSQL; SQLite already does), so two
        extractions never group one phrase differently or create names in opposite orders.
        """
        self._loaded = True
        serialise(self.session.connection(), "proposals")
        self.published = self.session.scalar(
            select(DocumentRow.published).where(DocumentRow.id == self.document_id)
        )
        self._known = self._candidates(self._near())

    def _here(self) -> ColumnElement[bool]:
        here = select(ClaimRow.proposal_id).where(ClaimRow.document_id == self.document_id)
        return ProposalRow.id.in_(here)

    def _near(self) -> ColumnElement[bool]:
        """Proposals that may group with this document: the policy's only candidates
        (``_candidates`` reads whether each still has claims). A proposal left without
        claims was made by a document being extracted again: one of the replaced claims',
        or dated like the document it came from, or (for an undated document) undated."""
        near = [self._here(), ProposalRow.id.in_(sorted(self.replaced))]
        if self.published is not None:
            near.append(ProposalRow.date.between(*window(self.published)))
        else:
            orphan = ~exists().where(ClaimRow.proposal_id == ProposalRow.id)
            near.append(ProposalRow.date.is_(None) & orphan)
        return or_(*near)

    def _candidates(self, where: ColumnElement[bool]) -> list[Candidate]:
        here = set(
            self.session.scalars(
                select(ClaimRow.proposal_id).where(ClaimRow.document_id == self.document_id)
            )
        )
        query = select(ProposalRow, exists().where(ClaimRow.proposal_id == ProposalRow.id))
        return [
            Candidate(
                id=row.id,
                name=row.name,
                kind=row.kind,
                date=row.date,
                authors=frozenset(row.authors or ()),
                keys={self._key(n) for n in (row.name, *(row.aliases or ()))},
                generic=analysed(row.name, self.codebook).generic,
                in_document=row.id in here,
                has_claims=has_claims,
                conflict=row.conflict,
            )
            for row, has_claims in self.session.execute(query.where(where).order_by(ProposalRow.id))
        ]

    def resolve(self, claim: Claim, conflict: str | None = None) -> int | None:
        """The id of the proposal ``claim`` (of ``conflict``, None: unassigned) belongs to;
        None when it names none."""
        if not claim.proposal:
            return None
        if not self._loaded:
            self._load()
        mention = mention_of(claim, analysed(claim.proposal, self.codebook), conflict)
        memo = (claim.proposal, mention.authors, mention.kind, conflict)
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

    def _resolve(self, mention: Mention) -> int:
        found = match(mention, self._known, self.published)
        if found is None and (telling := telling_words(mention.phrase)):
            # A specific name matches its alias whenever it was made: look further back.
            known = [k.id for k in self._known]
            self._known += self._candidates(holding(telling) & ProposalRow.id.not_in(known))
            found = match(mention, self._known, self.published)
        if found is None:
            return self._create(mention)
        self._remember(found, mention.phrase.text)
        return found.id

    def _remember(self, known: Candidate, phrase: str) -> None:
        """Add ``phrase`` as an alias (row locked, so concurrent additions are not lost)."""
        key = self._key(phrase)
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
        if key not in {self._key(n) for n in (row.name, *row.aliases)}:
            row.aliases = [*row.aliases, clean(phrase)]
            index_words(self.session, row)
        if moved_earlier:
            row.date = self.published
            known.date = self.published
        known.keys.add(key)
        known.has_claims = True
        known.in_document = True

    def _create(self, mention: Mention) -> int:
        name = self._free_name(readable_name(mention), mention.conflict)
        alias = clean(mention.phrase.text)
        row = ProposalRow(
            name=name,
            kind=mention.kind,
            date=self.published,
            authors=list(mention.authors),
            aliases=[alias] if self._key(alias) != self._key(name) else [],
            conflict=mention.conflict,
        )
        try:
            with self.session.begin_nested():
                self.session.add(row)
                index_words(self.session, row)
        except IntegrityError:
            raise _NameTaken from None
        self._known.append(
            Candidate(
                id=row.id,
                name=name,
                kind=row.kind,
                date=row.date,
                authors=frozenset(mention.authors),
                keys={self._key(name), mention.phrase.key},
                generic=analysed(name, self.codebook).generic,
                in_document=True,
                has_claims=True,
                conflict=mention.conflict,
            )
        )
        return row.id

    def _key(self, text: str) -> str:
        return proposal_key(text, self.codebook)

    def _free_name(self, name: str, conflict: str | None) -> str:
        """``name``, or with the conflict, the month or a number added, among every
        proposal's names (those that start alike, read by name, not the candidates only).

        The conflict is added when another conflict's proposal holds ``name`` ("U.S. draft
        (il-gaza)"); a proposal of the same conflict holding it is told apart by the month.
        """
        # Lowered by the database on both sides, so backends agree on non-ASCII letters; a
        # wildcard in ``name`` only widens the read, the comparison below is exact.
        like = func.lower(ProposalRow.name).startswith(func.lower(literal(name)))
        rows = self.session.execute(select(ProposalRow.name, ProposalRow.conflict).where(like))
        holders = {n.casefold(): c for n, c in rows}
        folded = name.casefold()
        scope = None
        if folded in holders and holders[folded] != conflict:
            scope = conflict or UNASSIGNED
        return free_name(name, set(holders), self.published, scope)
