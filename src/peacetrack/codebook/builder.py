"""Merging codebook files into one codebook, checking each file against what came before.

Files apply in order (built-in first, then user files). A table naming an entry that
already exists, without its defining field (``name`` for actors and places, ``label`` for
issues), extends that entry; naming it again with that field is an error, so a user file
cannot silently redefine a built-in actor.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from pydantic import ValidationError

from peacetrack.codebook.book import Codebook
from peacetrack.codebook.names import AliasIndex, fold
from peacetrack.codebook.tables import (
    ActorTable,
    AreaTable,
    ConflictTable,
    IssueTable,
    Located,
    PlaceTable,
    Table,
    read_tables,
)
from peacetrack.codebook.territory import (
    ISO_FORM,
    SLUG_FORM,
    country_places,
    is_iso_territory,
    iso_state_name,
)
from peacetrack.vocabulary import CONFLICT_ID, ISSUE_CODE, Actor, Conflict, Issue, Place

_ISSUE_NOTES = ("definition", "include", "exclude")
#: How extractors treat an issue: given where the issue is defined, never when extending it.
_ISSUE_RULES = ("territories", "recognition", "general", "narrows", "setting")


def _merged(old: tuple[str, ...], new: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys([*old, *new]))


class Builder:
    """Accumulates entries and alias ownership over the files of one codebook."""

    def __init__(self) -> None:
        self.issues: dict[str, Issue] = {}
        self.actors: dict[str, Actor] = {}
        self.places: dict[str, Place] = {}
        self.actor_index: AliasIndex[str] = AliasIndex()
        self.adjective_index: AliasIndex[str] = AliasIndex()
        self.place_index: AliasIndex[tuple[str, ...]] = AliasIndex()
        self.conflicts: dict[str, Conflict] = {}
        self.conflict_index: AliasIndex[str] = AliasIndex()
        self.sources: list[Path] = []
        self._origin: dict[tuple[str, str], str] = {}
        #: Whether ISO codes are looked up in pycountry's subdivision table (about 0.1 s to
        #: load): for users' files, not for the package's own, which a test checks instead.
        self._check_iso = True
        for place in country_places():
            self.places[place.code] = place
            for alias in place.aliases:
                self.place_index.claim(alias, (place.code,), weak=True)

    def build(self) -> Codebook:
        return Codebook(
            issues=self.issues,
            actors=self.actors,
            places=self.places,
            actor_index=self.actor_index,
            place_index=self.place_index,
            conflicts=self.conflicts,
            conflict_index=self.conflict_index,
            sources=tuple(self.sources),
        )

    def add_file(self, path: Path, *, builtin: bool = False) -> None:
        """Add one codebook file; ``builtin`` files (the package's data) are trusted to use
        real ISO codes, so loading them never pays for pycountry's subdivision table."""
        self._check_iso = not builtin
        seen: set[tuple[str, str]] = set()
        groups: list[tuple[Located, ActorTable]] = []
        for located, table in read_tables(path):
            key = self._key(table)
            if (located.kind, key) in seen:
                raise located.error(f"{key!r} appears twice in this file; merge the two tables")
            seen.add((located.kind, key))
            if isinstance(table, IssueTable):
                self._issue(located, table)
            elif isinstance(table, PlaceTable):
                self._place(located, table)
            elif isinstance(table, AreaTable):
                self._area(located, table)
            elif isinstance(table, ActorTable):
                self._actor(located, table)
                groups.append((located, table))
            elif isinstance(table, ConflictTable):
                self._conflict(located, table)
        for located, table in groups:
            self._check_members(located, table)
        self.sources.append(path)

    @staticmethod
    def _key(table: Table) -> str:
        if isinstance(table, IssueTable | PlaceTable):
            return table.code
        if isinstance(table, ActorTable | ConflictTable):
            return table.id
        assert isinstance(table, AreaTable)
        return fold(table.name)

    def _defined_at(self, kind: str, key: str) -> str:
        return self._origin.get((kind, key), "the ISO 3166 country list")

    # --- issues ---------------------------------------------------------------------------

    def _issue(self, at: Located, table: IssueTable) -> None:
        code = table.code
        if not ISSUE_CODE.match(code):
            raise at.error(
                f"code {code!r} is not of the form GROUP.NAME in capitals (e.g. CF.GENERAL)", code
            )
        cues = [fold(c) for c in table.cues]
        old = self.issues.get(code)
        if old is not None:
            given = (*_ISSUE_NOTES, *_ISSUE_RULES)
            if table.label is not None or any(getattr(table, k) for k in given):
                raise at.error(
                    f"{code} is already defined at {self._defined_at('issue', code)}; "
                    "give only `cues` to add cues to it, or choose a new code",
                    code,
                )
            self.issues[code] = replace(old, cues=_merged(old.cues, cues))
            return
        missing = [k for k in ("label", *_ISSUE_NOTES) if not getattr(table, k)]
        if missing:
            raise at.error(
                f"{code} is not a known issue: to define it give "
                + ", ".join(missing)
                + "; to add cues to an existing issue, fix the code",
                code,
            )
        self.issues[code] = Issue(
            code=code,
            group=code.split(".", 1)[0],
            label=table.label or "",
            definition=table.definition or "",
            include=table.include or "",
            exclude=table.exclude or "",
            cues=_merged((), cues),
            pax=table.pax,
            territories=table.territories,
            recognition=table.recognition,
            general=table.general,
            narrows=tuple(table.narrows),
            setting=table.setting,
        )
        self._origin[("issue", code)] = at.where()

    # --- places and areas -----------------------------------------------------------------

    def _place(self, at: Located, table: PlaceTable) -> None:
        code = table.code
        self._check_territory(at, code)
        old = self.places.get(code)
        defined = ("place", code) in self._origin
        if old is not None and table.name is not None and defined:
            raise at.error(
                f"{code} is already defined at {self._defined_at('place', code)}; "
                "omit `name` to add aliases to it",
                code,
            )
        if old is None and table.name is None:
            raise at.error(f"new place {code} needs a `name`", code)
        name = table.name or (old.name if old else code)
        aliases = _merged(old.aliases if old else (), table.aliases)
        self.places[code] = Place(code=code, name=name, aliases=aliases)
        if not defined:
            self._origin[("place", code)] = at.where()
        for alias in table.aliases:
            self._claim_place(at, alias, (code,))

    def _check_territory(self, at: Located, code: str) -> None:
        if ISO_FORM.match(code):
            if self._check_iso and not is_iso_territory(code):
                raise at.error(
                    f"{code!r} is not an ISO 3166 country or subdivision code known to "
                    "pycountry; check the code, or use a lowercase slug such as 'gaza-strip'",
                    code,
                )
        elif not SLUG_FORM.match(code):
            raise at.error(
                f"code {code!r} is neither an ISO 3166 code (UA-14, UA) nor a lowercase slug "
                "(words of a-z and 0-9 joined by '-', e.g. 'black-sea')",
                code,
            )

    def _area(self, at: Located, table: AreaTable) -> None:
        for code in table.codes:
            if code not in self.places:
                raise at.error(
                    f"{table.name!r} refers to unknown place {code!r}; declare it in a "
                    "[[place]] table first, or fix the code",
                    code,
                )
        codes = tuple(dict.fromkeys(table.codes))
        for alias in (table.name, *table.aliases):
            self._claim_place(at, alias, codes)

    def _claim_place(self, at: Located, alias: str, codes: tuple[str, ...]) -> None:
        other = self.place_index.claim(alias, codes)
        if other is not None:
            raise at.error(
                f"alias {alias!r} already names {', '.join(other)}; remove it from one of "
                "them, or declare an [[area]] if it stands for several places",
                alias,
            )

    # --- actors ---------------------------------------------------------------------------

    def _actor(self, at: Located, table: ActorTable) -> None:
        old = self.actors.get(table.id)
        if old is not None and (table.name is not None or table.kind is not None):
            raise at.error(
                f"{table.id} is already defined at {self._defined_at('actor', table.id)}; "
                "omit `name` and `kind` to add aliases, adjectives or members to it",
                table.id,
            )
        if old is None and table.name is None:
            raise at.error(
                f"{table.id} is not a known actor: give it a `name` (and `kind`) to define "
                "it, or fix the id to extend an existing actor",
                table.id,
            )
        try:
            actor = Actor(
                id=table.id,
                name=table.name or (old.name if old else ""),
                kind=table.kind or (old.kind if old else "state"),
                aliases=_merged(old.aliases if old else (), table.aliases),
                adjectives=_merged(old.adjectives if old else (), table.adjectives),
                members=_merged(old.members if old else (), table.members),
            )
        except ValidationError as exc:
            raise at.error(exc.errors()[0]["msg"], table.id) from None
        self.actors[actor.id] = actor
        if old is None:
            self._origin[("actor", actor.id)] = at.where()
        self._claim_actor(at, self.actor_index, table.aliases, actor.id, "alias")
        self._claim_actor(at, self.adjective_index, table.adjectives, actor.id, "adjective")

    def _claim_actor(
        self, at: Located, index: AliasIndex[str], words: list[str], actor: str, what: str
    ) -> None:
        for word in words:
            other = index.claim(word, actor)
            if other is not None:
                raise at.error(
                    f"{what} {word!r} of {actor} already belongs to {other} (defined at "
                    f"{self._defined_at('actor', other)}); remove it from one of them",
                    word,
                )

    def _check_members(self, at: Located, table: ActorTable) -> None:
        for member in table.members:
            if member not in self.actors:
                raise at.error(
                    f"{table.id} lists unknown member {member!r}; define that actor or fix the id",
                    member,
                )

    # --- conflicts ------------------------------------------------------------------------

    def _conflict(self, at: Located, table: ConflictTable) -> None:
        """Define a conflict, or extend one (aliases, actors around, places) named without
        `name`; parties and the start date belong to the definition, so a user file cannot
        quietly change who a built-in conflict is between."""
        if not CONFLICT_ID.match(table.id):
            raise at.error(
                f"id {table.id!r} must be lowercase words of a-z and 0-9 joined by '-' "
                "(e.g. ru-ua, il-gaza)",
                table.id,
            )
        old = self.conflicts.get(table.id)
        if old is not None and (table.name is not None or table.parties or table.start):
            raise at.error(
                f"{table.id} is already defined at {self._defined_at('conflict', table.id)}; "
                "omit `name`, `parties` and `start` to add aliases, actors around it or places",
                table.id,
            )
        if old is None and (table.name is None or not table.parties):
            raise at.error(
                f"{table.id} is not a known conflict: give it a `name` and `parties` to define "
                "it, or fix the id to extend an existing conflict",
                table.id,
            )
        for actor in (*table.parties, *table.around):
            self._check_conflict_actor(at, table.id, actor)
        for code in table.places:
            self._check_territory(at, code)
        conflict = self._merged_conflict(old, table)
        self.conflicts[conflict.id] = conflict
        if old is None:
            self._origin[("conflict", conflict.id)] = at.where()
        names = [conflict.id, conflict.name] if old is None else []
        self._claim_conflict_aliases(at, [*names, *table.aliases], conflict.id)

    @staticmethod
    def _merged_conflict(old: Conflict | None, table: ConflictTable) -> Conflict:
        return Conflict(
            id=table.id,
            name=table.name or (old.name if old else table.id),
            aliases=_merged(old.aliases if old else (), table.aliases),
            parties=_merged(old.parties if old else (), table.parties),
            around=_merged(old.around if old else (), table.around),
            places=_merged(old.places if old else (), table.places),
            start=table.start or (old.start if old else None),
        )

    def _check_conflict_actor(self, at: Located, conflict: str, actor: str) -> None:
        """An actor of the codebook, or a state by its ISO alpha-3 code: giving a state an
        [[actor]] entry makes extractors look for its name, which a conflict need not do."""
        if actor not in self.actors and iso_state_name(actor) is None:
            raise at.error(
                f"{conflict} names unknown actor {actor!r}; use an actor id from "
                "`peacetrack codebook actors`, a state's ISO 3166 alpha-3 code, or define it "
                "in an [[actor]] table",
                actor,
            )

    def _claim_conflict_aliases(self, at: Located, aliases: list[str], conflict: str) -> None:
        for alias in aliases:
            other = self.conflict_index.claim(alias, conflict)
            if other is not None:
                raise at.error(
                    f"alias {alias!r} of {conflict} already names {other} (defined at "
                    f"{self._defined_at('conflict', other)}); remove it from one of them",
                    alias,
                )
