"""The codebook in force: issues, actors, places and conflicts, and the lookups on them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict
from datetime import date
from fnmatch import fnmatchcase
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any

from peacetrack.codebook.names import AliasIndex
from peacetrack.codebook.territory import is_iso_territory, iso_state_name
from peacetrack.errors import CodebookError
from peacetrack.vocabulary import Actor, Conflict, Issue, Place, check_issue


class Codebook:
    """A loaded, validated codebook. Build it with ``load_codebook``; treat it as read-only."""

    def __init__(
        self,
        *,
        issues: Mapping[str, Issue],
        actors: Mapping[str, Actor],
        places: Mapping[str, Place],
        actor_index: AliasIndex[str],
        place_index: AliasIndex[tuple[str, ...]],
        sources: tuple[Path, ...],
        conflicts: Mapping[str, Conflict] | None = None,
        conflict_index: AliasIndex[str] | None = None,
    ) -> None:
        self.issues: Mapping[str, Issue] = MappingProxyType(dict(issues))
        self.actors: Mapping[str, Actor] = MappingProxyType(dict(actors))
        self.places: Mapping[str, Place] = MappingProxyType(dict(places))
        self.conflicts: Mapping[str, Conflict] = MappingProxyType(dict(conflicts or {}))
        self.sources = sources
        self._conflict_index = conflict_index or AliasIndex()
        self._actor_index = actor_index
        self._place_index = place_index

    def __repr__(self) -> str:
        return (
            f"<Codebook {len(self.issues)} issues, {len(self.actors)} actors, "
            f"{len(self.places)} places, {len(self.conflicts)} conflicts "
            f"from {', '.join(p.name for p in self.sources)}>"
        )

    @cached_property
    def _actor_aliases(self) -> Mapping[str, str]:
        return MappingProxyType(self._actor_index.as_dict())

    @cached_property
    def _place_aliases(self) -> Mapping[str, tuple[str, ...]]:
        return MappingProxyType(self._place_index.as_dict())

    def actor_aliases(self) -> Mapping[str, str]:
        """Casefolded alias -> actor id, every spelling in the files ("the kremlin": "RUS")."""
        return self._actor_aliases

    def place_aliases(self) -> Mapping[str, tuple[str, ...]]:
        """Casefolded alias -> place codes; an area gives several ("donbas": UA-14, UA-09)."""
        return self._place_aliases

    def resolve_actor(self, text: str) -> str | None:
        """The actor a name stands for, or None; case, a leading "the", "'s" do not matter."""
        return self._actor_index.get(text)

    def resolve_places(self, text: str) -> tuple[str, ...]:
        """The place codes a name (or a code) stands for; empty when unknown."""
        code = text.strip()
        if code in self.places:
            return (code,)
        return self._place_index.get(text) or ()

    def resolve_conflict(self, text: str) -> str | None:
        """The conflict an id, name or alias stands for ("the war in Ukraine" -> "ru-ua"), or
        None; case and a leading "the" do not matter, so a user can type either."""
        key = text.strip().lower()
        if key in self.conflicts:
            return key
        return self._conflict_index.get(text)

    def actor_name(self, actor: str) -> str:
        """A readable name for an actor id: the codebook's, else the ISO name of a state a
        conflict names by alpha-3 code (GUY: Guyana), else the id itself."""
        known = self.actors.get(actor)
        if known is not None:
            return known.name
        return iso_state_name(actor) or actor

    def expand_issues(self, patterns: Iterable[str]) -> list[str]:
        """Issue codes for patterns: a code, a group ("TER"), or a wildcard ("TER.*", "*.STATUS").

        An unknown pattern is an error rather than an empty result, so a typo in a filter
        never reads as "no claims on this issue".
        """
        codes: list[str] = []
        for pattern in patterns:
            wanted = pattern.strip().upper()
            if wanted and "." not in wanted and "*" not in wanted:
                wanted += ".*"
            matched = [code for code in self.issues if wanted and fnmatchcase(code, wanted)]
            if not matched:
                groups = ", ".join(dict.fromkeys(i.group for i in self.issues.values()))
                raise CodebookError(
                    f"no issue matches {pattern!r}; use a code (CF.GENERAL), a group "
                    f"({groups}) or a wildcard (TER.*); `peacetrack codebook issues` lists them"
                )
            codes.extend(c for c in matched if c not in codes)
        return codes

    def check_issue(self, code: str) -> str:
        """``code`` if it is one of this codebook's issues, else a ValueError saying so."""
        return check_issue(code, self)

    def claim_context(self) -> dict[str, Codebook]:
        """The validation context under which claims' issue codes are checked against this
        codebook: ``Claim.model_validate(data, context=book.claim_context())``."""
        return {"codebook": self}

    def is_known_territory(self, code: str) -> bool:
        """True for a place in this codebook or any ISO 3166 country or subdivision code."""
        return code in self.places or is_iso_territory(code)

    def to_data(self) -> dict[str, Any]:
        """Everything this codebook holds, as JSON-ready data that ``from_data`` reads back
        into an equal codebook (the parsed-codebook cache, ``codebook/cache.py``)."""
        return {
            "issues": [asdict(issue) for issue in self.issues.values()],
            "actors": [actor.model_dump() for actor in self.actors.values()],
            "places": [asdict(place) for place in self.places.values()],
            "conflicts": [
                asdict(c) | {"start": c.start and c.start.isoformat()}
                for c in self.conflicts.values()
            ],
            "actor_index": self._actor_index.to_data(),
            "place_index": self._place_index.to_data(),
            "conflict_index": self._conflict_index.to_data(),
            "sources": [str(path) for path in self.sources],
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Codebook:
        """The codebook ``to_data`` described, taken as checked: its entries were validated,
        and against each other, when it was built (a damaged description raises)."""
        conflicts = [
            Conflict(**_tuples(c) | {"start": c["start"] and date.fromisoformat(c["start"])})
            for c in data["conflicts"]
        ]
        return cls(
            issues={i["code"]: Issue(**_tuples(i)) for i in data["issues"]},
            actors={a["id"]: Actor.model_construct(**_tuples(a)) for a in data["actors"]},
            places={p["code"]: Place(**_tuples(p)) for p in data["places"]},
            conflicts={c.id: c for c in conflicts},
            actor_index=AliasIndex.from_data(data["actor_index"]),
            place_index=AliasIndex.from_data(data["place_index"], tuple),
            conflict_index=AliasIndex.from_data(data["conflict_index"]),
            sources=tuple(Path(path) for path in data["sources"]),
        )


def _tuples(fields: dict[str, Any]) -> dict[str, Any]:
    """JSON's lists back into the tuples the entries hold."""
    return {k: tuple(v) if isinstance(v, list) else v for k, v in fields.items()}
