"""How names are compared: one folding rule shared by conflict checks and lookups.

Reporters write the same name with different case, curly or straight apostrophes and with
or without a leading "the" ("the Kremlin", "Kremlin"); all of these must land on one key, or
two actors could claim what is really the same alias.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any, Generic, TypeVar

#: Every apostrophe reporters type, as one (a one-for-one mapping: offsets are kept).
APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'"})
_DASHES = str.maketrans({"‐": "-", "‑": "-", "–": "-", "—": "-"})
_SPACES = re.compile(r"\s+")

T = TypeVar("T")


def fold(text: str) -> str:
    """The alias as written, made comparable: NFC, casefolded, one kind of apostrophe."""
    text = unicodedata.normalize("NFC", text).translate(APOSTROPHES).translate(_DASHES)
    return _SPACES.sub(" ", text).strip().casefold()


def bare(folded: str) -> str:
    """A folded alias without a leading article: the key two aliases clash on."""
    return folded[4:] if folded.startswith("the ") else folded


def lookup_keys(text: str) -> tuple[str, ...]:
    """Keys to try for free text, the possessive form last ("Russia's" -> "russia")."""
    key = bare(fold(text).strip(" .,;:"))
    if key.endswith("'s"):
        return key, key[:-2]
    return (key,)


class AliasIndex(Generic[T]):
    """Which owner (an actor id, a tuple of place codes) each alias belongs to.

    Aliases clash on their bare key, so "the Kremlin" and "Kremlin" cannot go to two
    owners. A weak claim (a name generated from ISO data) yields to a later strong one
    from a codebook file, so a hand-written alias can take over a generated country name.
    """

    def __init__(self) -> None:
        self._owner: dict[str, T] = {}
        self._spellings: dict[str, str] = {}
        self._weak: set[str] = set()

    def claim(self, alias: str, owner: T, *, weak: bool = False) -> T | None:
        """Give ``alias`` to ``owner``; return the other owner holding it (and change nothing)."""
        folded = fold(alias)
        key = bare(folded)
        current = self._owner.get(key)
        if current is not None and current != owner:
            if weak:
                return None
            if key not in self._weak:
                return current
        self._owner[key] = owner
        self._spellings[folded] = key
        if weak:
            self._weak.add(key)
        else:
            self._weak.discard(key)
        return None

    def get(self, text: str) -> T | None:
        for key in lookup_keys(text):
            if key in self._owner:
                return self._owner[key]
        return None

    def as_dict(self) -> dict[str, T]:
        """Every alias spelling, folded, with its owner."""
        return {folded: self._owner[key] for folded, key in self._spellings.items()}

    def to_data(self) -> dict[str, Any]:
        """The index as JSON-ready data (owners as given: a tuple becomes a list)."""
        return {"owner": self._owner, "spellings": self._spellings, "weak": sorted(self._weak)}

    @classmethod
    def from_data(
        cls, data: dict[str, Any], owner: Callable[[Any], Any] | None = None
    ) -> AliasIndex[Any]:
        """The index ``to_data`` described; ``owner`` turns each stored owner back into
        its type (a list of place codes into a tuple)."""
        index: AliasIndex[Any] = cls()
        index._owner = {str(k): owner(v) if owner else v for k, v in data["owner"].items()}
        index._spellings = {str(k): str(v) for k, v in data["spellings"].items()}
        index._weak = set(data["weak"])
        return index
