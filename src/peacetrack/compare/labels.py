"""Human names for codes (actors, issues, places, conflicts), so tables read as words, not ids.

A code the codebook does not know (a user's own group, an old issue) falls back to the code
itself: a comparison must never fail because a label is missing.
"""

from __future__ import annotations

from collections.abc import Iterable

from peacetrack.codebook import default_codebook
from peacetrack.vocabulary import UNASSIGNED

#: Not an actor in the codebook but a value of ``recognition.by`` in the guideline.
_SPECIAL_ACTORS = {"INTL": "international community"}


def actor_name(actor_id: str) -> str:
    """The codebook's name, else the guideline's special values, else the ISO name of a
    state a conflict names by code (GUY: Guyana), else the id itself."""
    book = default_codebook()
    if actor_id in book.actors or actor_id not in _SPECIAL_ACTORS:
        return book.actor_name(actor_id)
    return _SPECIAL_ACTORS[actor_id]


def actor_names(actor_ids: Iterable[str]) -> str:
    return ", ".join(actor_name(a) for a in actor_ids)


def issue_label(code: str) -> str:
    issue = default_codebook().issues.get(code)
    return issue.label if issue is not None else code


def place_name(code: str) -> str:
    """The short everyday name (Donetsk, Crimea) where the codebook's first alias is shorter."""
    place = default_codebook().places.get(code)
    if place is None:
        return code
    return min((place.name, *place.aliases[:1]), key=len)


def issue_order() -> dict[str, int]:
    """Position of each issue in the codebook, the order rows are shown in."""
    return {code: i for i, code in enumerate(default_codebook().issues)}


def conflict_name(conflict: str | None) -> str:
    """A conflict's name (``ru-ua``: Russia-Ukraine war); "unassigned" for claims of none."""
    if conflict is None or conflict == UNASSIGNED:
        return "unassigned (fits no conflict)"
    found = default_codebook().conflicts.get(conflict)
    return found.name if found is not None else conflict


def conflict_parties(conflict: str | None) -> tuple[str, ...]:
    """The parties of a conflict of the codebook, in its order; none for anything else."""
    found = default_codebook().conflicts.get(conflict or "")
    return found.parties if found is not None else ()


def conflict_ids() -> list[tuple[str, str]]:
    """(id, name) of every conflict of the codebook in force, in its order."""
    return [(c.id, c.name) for c in default_codebook().conflicts.values()]
