"""Proposals as first-class things: list, show, rename, merge and split them.

Claims are linked to proposals as they are saved (``proposal_resolver``). A person's
corrections are recorded where that resolver looks first, the names and aliases: a rename
keeps the old name as an alias, a merge gives the target every name of the source, a split
moves an alias to the new proposal. So each correction survives re-extraction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, delete, func, select, update

from peacetrack.errors import StoreError
from peacetrack.proposals import clean, proposal_key
from peacetrack.proposals.grouping import mention_of
from peacetrack.source import Filters
from peacetrack.store.queries import chunked, load_claims
from peacetrack.store.tables import CLAIMS, DOCUMENTS, PROPOSALS
from peacetrack.vocabulary import UNASSIGNED

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    # Changing a proposal works on its row object: the ORM and the modules that index its
    # names are imported by the functions that change one, so listing and showing
    # proposals (a read) loads none of them.
    from peacetrack.store.schema import ProposalRow
    from peacetrack.store.store import Store

_LIST_HINT = "list them with `peacetrack proposals list`"


@dataclass(frozen=True)
class ProposalInfo:
    """A proposal as listed: ``claims`` counts its claims that are not rejected."""

    id: int
    name: str
    kind: str
    date: date | None
    authors: tuple[str, ...]
    aliases: tuple[str, ...]
    claims: int
    #: The conflict its claims belong to (None: unassigned claims).
    conflict: str | None = None


def _names(row: Any) -> set[str]:
    return {proposal_key(n) for n in (row.name, *row.aliases)}


def _locked(session: Session, ref: str | int) -> ProposalRow:
    """``_find``'s proposal as a row object to change, locked until the transaction ends."""
    from peacetrack.store.schema import ProposalRow

    found = _find(session.connection(), ref)
    return session.get_one(ProposalRow, found.id, with_for_update=True)


def _find(connection: Connection, ref: str | int) -> Any:
    """A proposal (its columns) by id, name, alias, or a unique part of a name (in that
    order), read on a connection: showing one loads no ORM, changing one locks it after."""
    text = str(ref).strip()
    rows = connection.execute(select(PROPOSALS).order_by(PROPOSALS.c.id)).all()
    key = proposal_key(text) if text else ""
    folded = text.casefold()
    levels = [
        [r for r in rows if text.isdigit() and r.id == int(text)],
        [r for r in rows if r.name.casefold() == folded],
        [r for r in rows if key and key in _names(r)],
        [r for r in rows if folded and folded in r.name.casefold()],
    ]
    for found in levels:
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            names = "; ".join(f"{r.id}: {r.name}" for r in found[:8])
            raise StoreError(
                f"{text!r} matches several proposals ({names}): give the id or the full name "
                f"({_LIST_HINT})"
            )
    raise StoreError(f"no proposal {text!r} in the store: {_LIST_HINT}")


def _info(session: Session | Connection, row: Any) -> ProposalInfo:
    return ProposalInfo(
        id=row.id,
        name=row.name,
        kind=row.kind,
        date=row.date,
        authors=tuple(row.authors or ()),
        aliases=tuple(row.aliases or ()),
        claims=_claim_counts(session, row.id).get(row.id, 0),
        conflict=row.conflict,
    )


def _claim_counts(session: Session | Connection, proposal_id: int | None = None) -> dict[int, int]:
    query = (
        select(CLAIMS.c.proposal_id, func.count())
        .where(CLAIMS.c.proposal_id.is_not(None), CLAIMS.c.status != "rejected")
        .group_by(CLAIMS.c.proposal_id)
    )
    if proposal_id is not None:
        query = query.where(CLAIMS.c.proposal_id == proposal_id)
    return {id_: n for id_, n in session.execute(query) if id_ is not None}


def _check_free(session: Session, name: str, allowed: int | None = None) -> str:
    """``name`` cleaned, unless another proposal (not ``allowed``) has it as name or alias."""
    from peacetrack.store.proposal_words import proposal_ids_named
    from peacetrack.store.schema import ProposalRow

    cleaned = clean(name)
    if not cleaned:
        raise StoreError(f"{name!r} is not a usable proposal name: give some words")
    session.flush()  # the lookup runs on the connection: it must see this session's changes
    for other in proposal_ids_named(session.connection(), cleaned):
        if other != allowed:
            holder = session.get_one(ProposalRow, other)
            raise StoreError(
                f"proposal {holder.id} ({holder.name!r}) is already called {cleaned!r}: merge "
                "into it with `peacetrack proposals merge`, or choose another name"
            )
    return cleaned


def _rederive(session: Session, *rows: ProposalRow) -> None:
    """Give each proposal the kind, date and authors its non-rejected claims make of it,
    after a split moved claims between them: copied values would describe claims a
    proposal no longer holds. Extraction's rule (``proposal_resolver``): the mention of
    the oldest report makes the proposal (kind, authors, that report's date), so only
    that one claim is read, whatever the proposal's size.

    Nothing records a person's choice of kind, date or authors (no command sets them), so
    nothing is overridden; a proposal left without such claims keeps what it had.
    """
    session.flush()  # the claims are read on the connection: it must see the moves
    oldest = (DOCUMENTS.c.published.asc().nulls_last(), CLAIMS.c.id)
    for row in rows:
        where = [CLAIMS.c.proposal_id == row.id, CLAIMS.c.status != "rejected"]
        for first in load_claims(session.connection(), where, 1, first=oldest):
            mention = mention_of(first.claim, conflict=first.conflict)
            row.kind, row.date, row.authors = mention.kind, first.published, list(mention.authors)


def list_proposals(store: Store, conflict: str | None = None) -> list[ProposalInfo]:
    """Every proposal (of ``conflict``: an id, name or alias, or ``unassigned``), oldest
    first (undated last), with its count of non-rejected claims."""
    query = select(PROPOSALS).order_by(
        PROPOSALS.c.date.asc().nulls_last(), PROPOSALS.c.name, PROPOSALS.c.id
    )
    wanted = Filters(conflict=conflict).conflict
    if wanted == UNASSIGNED:
        query = query.where(PROPOSALS.c.conflict.is_(None))
    elif wanted is not None:
        query = query.where(PROPOSALS.c.conflict == wanted)
    with store.reading() as connection:
        counts = _claim_counts(connection)
        return [
            ProposalInfo(
                id=row.id,
                name=row.name,
                kind=row.kind,
                date=row.date,
                authors=tuple(row.authors or ()),
                aliases=tuple(row.aliases or ()),
                claims=counts.get(row.id, 0),
                conflict=row.conflict,
            )
            for row in connection.execute(query)
        ]


def get_proposal(store: Store, ref: str | int) -> ProposalInfo:
    """One proposal by id, name, alias or a unique part of its name."""
    with store.reading() as connection:
        return _info(connection, _find(connection, ref))


def rename_proposal(store: Store, ref: str | int, new_name: str) -> ProposalInfo:
    """Rename; the old name stays an alias, so re-extraction still finds this proposal."""
    from peacetrack.store.proposal_words import index_words

    with store.transaction() as session:
        row = _locked(session, ref)
        name = _check_free(session, new_name, allowed=row.id)
        key = proposal_key(name)
        aliases = [a for a in row.aliases if proposal_key(a) != key]
        if proposal_key(row.name) != key:
            aliases.append(row.name)
        row.name, row.aliases = name, aliases
        index_words(session, row)
        return _info(session, row)


def merge_proposals(store: Store, source_ref: str | int, into_ref: str | int) -> ProposalInfo:
    """Move every claim and name of ``source`` into ``into`` and delete ``source``.

    The source's name and aliases become aliases of the target, so phrases that resolved to
    the source resolve to the target after re-extraction.
    """
    from peacetrack.store.proposal_words import index_words
    from peacetrack.store.schema import ProposalRow

    with store.transaction() as session:
        source, target = _locked(session, source_ref), _locked(session, into_ref)
        if source.id == target.id:
            raise StoreError(
                f"{source_ref!r} and {into_ref!r} are both proposal {source.name!r}: "
                f"nothing to merge ({_LIST_HINT})"
            )
        if source.conflict != target.conflict:
            raise StoreError(
                f"proposal {source.name!r} belongs to {source.conflict or UNASSIGNED} and "
                f"{target.name!r} to {target.conflict or UNASSIGNED}: proposals are merged "
                "within one conflict; reassign the claims first (`peacetrack reassign`)"
            )
        keys = _names(target)
        aliases = list(target.aliases)
        for name in (source.name, *source.aliases):
            if proposal_key(name) not in keys:
                keys.add(proposal_key(name))
                aliases.append(name)
        target.aliases = aliases
        target.authors = list(dict.fromkeys([*target.authors, *source.authors]))
        dates = [d for d in (target.date, source.date) if d is not None]
        target.date = min(dates, default=None)
        session.execute(
            update(CLAIMS).where(CLAIMS.c.proposal_id == source.id).values(proposal_id=target.id)
        )
        session.execute(delete(ProposalRow).where(ProposalRow.id == source.id))
        index_words(session, target)
        return _info(session, target)


def split_proposal(store: Store, ref: str | int, alias: str, new_name: str) -> ProposalInfo:
    """Move the alias ``alias``, and the claims whose phrase is that alias, to a new proposal.

    The alias moves with them, so re-extraction sends that phrase to the new proposal.
    Both proposals then take their kind, date and authors from the claims each holds.
    """
    from peacetrack.store.proposal_words import index_words
    from peacetrack.store.schema import ProposalRow

    with store.transaction() as session:
        row = _locked(session, ref)
        key = proposal_key(alias)
        if key == proposal_key(row.name):
            raise StoreError(
                f"{alias!r} is the name of proposal {row.name!r}: rename it first "
                "(`peacetrack proposals rename`), then split the alias off"
            )
        moving = [a for a in row.aliases if proposal_key(a) == key]
        if not moving:
            raise StoreError(
                f"proposal {row.name!r} has no alias {alias!r}; its aliases: "
                f"{'; '.join(row.aliases) or 'none'} (`peacetrack proposals show` lists them)"
            )
        # Kind, date and authors until the claims it takes decide them (``_rederive``).
        new = ProposalRow(
            name=_check_free(session, new_name),
            kind=row.kind,
            date=row.date,
            authors=list(row.authors),
            aliases=moving,
            conflict=row.conflict,
        )
        session.add(new)
        row.aliases = [a for a in row.aliases if proposal_key(a) != key]
        index_words(session, new, row)
        claims = session.execute(
            select(CLAIMS.c.id, CLAIMS.c.proposal).where(CLAIMS.c.proposal_id == row.id)
        )
        ids = [id_ for id_, phrase in claims if phrase and proposal_key(phrase) == key]
        for chunk in chunked(ids):
            session.execute(update(CLAIMS).where(CLAIMS.c.id.in_(chunk)).values(proposal_id=new.id))
        _rederive(session, new, row)
        session.flush()
        return _info(session, new)


class Proposals:
    """Proposals through the store's door (``store.proposals``)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def list(self, conflict: str | None = None) -> list[ProposalInfo]:
        return list_proposals(self._store, conflict)

    def get(self, ref: str | int) -> ProposalInfo:
        return get_proposal(self._store, ref)

    def rename(self, ref: str | int, new_name: str) -> ProposalInfo:
        return rename_proposal(self._store, ref, new_name)

    def merge(self, source_ref: str | int, into_ref: str | int) -> ProposalInfo:
        return merge_proposals(self._store, source_ref, into_ref)

    def split(self, ref: str | int, alias: str, new_name: str) -> ProposalInfo:
        return split_proposal(self._store, ref, alias, new_name)
