"""Proposals as a domain: what a phrase naming one says (``phrases``, from language data),
and which known proposal a mention belongs to (``grouping``, pure functions over plain
values). The store keeps the rows and calls these; nothing here touches a database.
"""

from peacetrack.proposals.grouping import (
    WINDOW,
    Candidate,
    Mention,
    match,
    mention_of,
    readable_name,
)
from peacetrack.proposals.phrases import Phrase, analyse, analysed, clean, proposal_key

__all__ = [
    "WINDOW",
    "Candidate",
    "Mention",
    "Phrase",
    "analyse",
    "analysed",
    "clean",
    "match",
    "mention_of",
    "proposal_key",
    "readable_name",
]
