"""Which codebook actors and places a text names: for the prompt and for the prefilter.

Names are matched as written in the codebook (case-sensitive, with or without a leading
"the"), because reporters capitalise parties, capitals and people, while a case-blind match
would take the pronoun "us" for the United States. One compiled pattern per codebook serves
every document, so the cost is one regex scan per text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cached_property

from peacetrack.codebook import Codebook
from peacetrack.codebook.names import APOSTROPHES


class NameFinder:
    """Finds which entries (actors, places) a text names, by their spellings."""

    def __init__(self, names: Iterable[tuple[str, str]]) -> None:
        """``names``: (spelling, entry id) pairs; the first owner of a spelling keeps it."""
        self._owner: dict[str, str] = {}
        for name, owner in names:
            spelling = _bare(name.translate(APOSTROPHES))
            if len(spelling) >= 2:
                self._owner.setdefault(spelling, owner)

    @classmethod
    def actors(cls, codebook: Codebook) -> NameFinder:
        """Actors by name, alias and adjective ("Russian negotiators" names Russia)."""
        return cls(
            (name, actor.id)
            for actor in codebook.actors.values()
            for name in (actor.name, *actor.aliases, *actor.adjectives)
        )

    @classmethod
    def places(cls, codebook: Codebook) -> NameFinder:
        return cls(
            (name, place.code)
            for place in codebook.places.values()
            for name in (place.name, *place.aliases)
        )

    @cached_property
    def _pattern(self) -> re.Pattern[str]:
        # Longest first, so "Russian Federation" wins over "Russia" at the same place.
        names = sorted(self._owner, key=len, reverse=True)
        body = "|".join(re.escape(n) for n in names) or r"(?!x)x"
        return re.compile(rf"(?<![\w-])(?:{body})(?![\w-])")

    def mentions(self, text: str) -> dict[str, list[str]]:
        """Entry id -> the distinct spellings found, in order of first appearance."""
        found: dict[str, list[str]] = {}
        for match in self._pattern.finditer(text.translate(APOSTROPHES)):
            spellings = found.setdefault(self._owner[match.group()], [])
            if match.group() not in spellings:
                spellings.append(match.group())
        return found

    def names_any(self, text: str) -> bool:
        return self._pattern.search(text.translate(APOSTROPHES)) is not None


def _bare(name: str) -> str:
    name = name.strip()
    return name[4:] if name.lower().startswith("the ") else name
