"""Filter values checked against what they can name: codebook actors, issues and conflicts,
stances, the store's proposals.

A filter that matches nothing gives an empty answer, and an empty answer reads as a
finding ("Russia made no demands"). So a value that cannot match is an error that names
it and, for a near miss (``demands``, ``TER.WITHDRAWL``, ``Russia``), says what was meant.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from peacetrack import source
from peacetrack.errors import InputError
from peacetrack.source import did_you_mean

if TYPE_CHECKING:
    from peacetrack.codebook import Codebook
    from peacetrack.store import Store


def _codebook() -> Codebook:
    from peacetrack.codebook import default_codebook

    return default_codebook()


def check_stances(values: Sequence[str] | None) -> list[str] | None:
    """Stance names as stored (``demand``), or InputError for a name that is not a stance."""
    return list(source.check_stances(values)) if values else None


def check_issues(patterns: Sequence[str] | None) -> list[str] | None:
    """The issue codes that codes, groups (``TER``) or wildcards (``TER.*``) name; a pattern
    that names none is an InputError (``peacetrack.source.expand_issues``)."""
    return list(source.expand_issues(patterns)) if patterns else None


def check_conflict(value: str | None) -> str | None:
    """A conflict's id (or ``unassigned``) for an id, name or alias; else InputError naming
    the near miss (``peacetrack.source.check_conflict``)."""
    return source.check_conflict(value) if value else None


def check_actors(values: Sequence[str] | None, store: Store | None = None) -> list[str] | None:
    """Actor ids (upper case) known to the codebook or to claims in ``store``, else InputError.

    Ids outside the codebook are accepted when the store holds claims by them (added by a
    reviewer, or extracted with another codebook), so every stored claim stays reachable.
    """
    if not values:
        return None
    book = _codebook()
    for value in values:
        actor = value.strip().upper()
        if actor in book.actors:
            continue
        if store is not None and store.claims(actors=[actor], include_rejected=True, limit=1):
            continue
        meant = book.resolve_actor(value)
        hint = f" Did you mean {meant}?" if meant else did_you_mean(actor, book.actors)
        raise InputError(
            f"unknown actor {value.strip()!r}.{hint} Actors are given by id (RUS, UKR); "
            "`peacetrack codebook actors NAME` finds the id of a name"
        )
    return [v.strip().upper() for v in values]


def check_proposal(value: str | None, store: Store) -> str | None:
    """A proposal name, alias or phrase that some claim in ``store`` has, else InputError."""
    if value is None or store.claims(proposal=value, include_rejected=True, limit=1):
        return value
    names = [n for info in store.proposals.list() for n in (info.name, *info.aliases)]
    raise InputError(
        f"no claim belongs to a proposal {value!r}.{did_you_mean(value, names)} "
        "`peacetrack proposals list` lists proposals with their aliases"
    )
