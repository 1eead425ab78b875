"""Filter values checked against what they can name: codebook actors and issues, stances,
the store's proposals.

A filter that matches nothing gives an empty answer, and an empty answer reads as a
finding ("Russia made no demands"). So a value that cannot match is an error that names
it and, for a near miss (``demands``, ``TER.WITHDRAWL``, ``Russia``), says what was meant.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from difflib import get_close_matches
from typing import TYPE_CHECKING

from peacetrack.errors import CodebookError, InputError
from peacetrack.model import Stance

if TYPE_CHECKING:
    from peacetrack.codebook import Codebook
    from peacetrack.store import Store


def _did_you_mean(value: str, candidates: Iterable[str]) -> str:
    """ " Did you mean X?" for the closest candidates, or nothing when none is close."""
    close = get_close_matches(value, list(dict.fromkeys(candidates)), n=3, cutoff=0.6)
    return f" Did you mean {' or '.join(close)}?" if close else ""


def _codebook() -> Codebook:
    from peacetrack.codebook import default_codebook

    return default_codebook()


def check_stances(values: Sequence[str] | None) -> list[str] | None:
    """Stance names as stored (``demand``), or InputError for a name that is not a stance."""
    if not values:
        return None
    known = [s.value for s in Stance]
    wanted = [v.strip().lower() for v in values]
    for value in wanted:
        if value not in known:
            raise InputError(
                f"unknown stance {value!r}.{_did_you_mean(value, known)} "
                f"Stances are: {', '.join(known)}"
            )
    return wanted


def check_issues(patterns: Sequence[str] | None) -> list[str] | None:
    """The issue codes that codes, groups (``TER``) or wildcards (``TER.*``) name; a pattern
    that names none is an InputError."""
    if not patterns:
        return None
    book = _codebook()
    names = [*book.issues, *(f"{i.group}.*" for i in book.issues.values())]
    codes: list[str] = []
    for pattern in patterns:
        try:
            codes += book.expand_issues([pattern])
        except CodebookError as exc:
            raise InputError(f"{exc}.{_did_you_mean(pattern.strip().upper(), names)}") from None
    return list(dict.fromkeys(codes))


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
        hint = f" Did you mean {meant}?" if meant else _did_you_mean(actor, book.actors)
        raise InputError(
            f"unknown actor {value.strip()!r}.{hint} Actors are given by id (RUS, UKR); "
            "`peacetrack codebook actors NAME` finds the id of a name"
        )
    return [v.strip().upper() for v in values]


def check_proposal(value: str | None, store: Store) -> str | None:
    """A proposal name, alias or phrase that some claim in ``store`` has, else InputError."""
    if value is None or store.claims(proposal=value, include_rejected=True, limit=1):
        return value
    from peacetrack.store.proposals import list_proposals

    names = [n for info in list_proposals(store) for n in (info.name, *info.aliases)]
    raise InputError(
        f"no claim belongs to a proposal {value!r}.{_did_you_mean(value, names)} "
        "`peacetrack proposals list` lists proposals with their aliases"
    )
