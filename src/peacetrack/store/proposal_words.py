"""The words of every proposal's names, kept so a specific name is found by index.

A report naming "the 20-point plan" months after the plan was made must still join it,
while saving it must not read every proposal in the store (issue #16: the cost of a saved
document stays the same as proposals accumulate). Keys depend on the codebook (authors
become ids), so they cannot be stored; the words they are made of do not, so each name's
and alias's words are stored (``proposal_words``) and a phrase's telling words
(``phrases.telling_words``) pick the few proposals whose keys are worth comparing.

Every write of a proposal's names calls ``index_words`` in the same transaction; deleting
a proposal deletes its words by the foreign key.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, Connection, delete, func, insert, select

from peacetrack.proposals.phrases import analysed, key_words, name_words, proposal_key
from peacetrack.store.tables import PROPOSAL_WORDS, PROPOSALS

if TYPE_CHECKING:  # the ORM loads only where proposals are written (issue #16: start-up)
    from sqlalchemy.orm import Session

    from peacetrack.store.schema import ProposalRow


def index_words(session: Session, *rows: ProposalRow) -> None:
    """Store the words of ``rows``' names and aliases as they are now, replacing the old."""
    session.flush()
    ids = [row.id for row in rows]
    session.execute(delete(PROPOSAL_WORDS).where(PROPOSAL_WORDS.c.proposal_id.in_(ids)))
    values = [
        {"word": w, "proposal_id": row.id}
        for row in rows
        for w in sorted(name_words(row.name, *row.aliases))
    ]
    if values:
        session.execute(insert(PROPOSAL_WORDS), values)


def holding(words: Collection[str]) -> ColumnElement[bool]:
    """Proposals whose names hold every one of ``words`` (an index lookup per word)."""
    found = (
        select(PROPOSAL_WORDS.c.proposal_id)
        .where(PROPOSAL_WORDS.c.word.in_(sorted(words)))
        .group_by(PROPOSAL_WORDS.c.proposal_id)
        .having(func.count() == len(words))
    )
    return PROPOSALS.c.id.in_(found)


def proposal_ids_named(connection: Connection, name: str) -> list[int]:
    """Ids of the proposals whose name or an alias is ``name`` (spelling-insensitive),
    among those whose names hold its words (``holding``), not every proposal."""
    phrase = analysed(name)
    key = phrase.key
    folded = name.strip().casefold()
    query = select(PROPOSALS.c.id, PROPOSALS.c.name, PROPOSALS.c.aliases)
    if found := key_words(phrase):
        query = query.where(holding(found))
    return [
        row.id
        for row in connection.execute(query)
        if row.name.casefold() == folded
        or key in {proposal_key(n) for n in (row.name, *row.aliases)}
    ]
