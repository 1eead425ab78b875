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

from sqlalchemy import ColumnElement, delete, func, insert, select
from sqlalchemy.orm import Session

from peacetrack.proposals.phrases import name_words
from peacetrack.store.schema import ProposalRow, ProposalWordRow


def index_words(session: Session, *rows: ProposalRow) -> None:
    """Store the words of ``rows``' names and aliases as they are now, replacing the old."""
    session.flush()
    ids = [row.id for row in rows]
    session.execute(delete(ProposalWordRow).where(ProposalWordRow.proposal_id.in_(ids)))
    values = [
        {"word": w, "proposal_id": row.id}
        for row in rows
        for w in sorted(name_words(row.name, *row.aliases))
    ]
    if values:
        session.execute(insert(ProposalWordRow), values)


def holding(words: Collection[str]) -> ColumnElement[bool]:
    """Proposals whose names hold every one of ``words`` (an index lookup per word)."""
    found = (
        select(ProposalWordRow.proposal_id)
        .where(ProposalWordRow.word.in_(sorted(words)))
        .group_by(ProposalWordRow.proposal_id)
        .having(func.count() == len(words))
    )
    return ProposalRow.id.in_(found)
