"""The vocabulary claims are written in: actors, issues, places, conflicts and code forms.

This module is a leaf: it imports nothing from PeaceTrack, so the domain model
(``model.py``) and the codebook (``codebook/``) both build on it without importing each
other. It says what a well-formed code looks like; which codes exist is the codebook's
business, and a codebook is always handed in (``check_issue(code, codebook)``), never
looked up from a global, so checking a claim needs no codebook loaded.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, field_validator

#: What ``--conflict`` takes for the claims that fit no conflict (stored as NULL).
UNASSIGNED = "unassigned"

ACTOR_ID = re.compile(r"^[A-Z][A-Z0-9_]*$")
ISSUE_CODE = re.compile(r"^[A-Z]+\.[A-Z_]+$")
CONFLICT_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TERRITORY = re.compile(r"^(?:[A-Z]{2}(?:-[A-Z0-9]{1,3})?|[a-z0-9]+(?:-[a-z0-9]+)*)$")


class IssueCodes(Protocol):
    """What checking an issue code needs of a codebook: its issues by code."""

    @property
    def issues(self) -> Mapping[str, object]: ...


def check_issue(code: str, codebook: IssueCodes | None = None) -> str:
    """``code`` if well formed and, when ``codebook`` is given, one of its issues.

    Without a codebook only the form is checked: a claim read back from a store or a file
    written under another codebook stays valid, and whoever takes a code from a user (a
    file, a form, a model's answer) passes the codebook in force, so a typo is an error
    there rather than a silent new issue.
    """
    if not ISSUE_CODE.match(code):
        raise ValueError(f"issue code {code!r} is not of the form GROUP.NAME (e.g. CF.GENERAL)")
    if codebook is not None and code not in codebook.issues:
        raise ValueError(
            f"unknown issue {code!r}; known issues are listed by `peacetrack codebook issues`"
        )
    return code


def check_actor_ids(values: list[str]) -> list[str]:
    """``values`` if every one is a well-formed actor id (RUS, HAMAS), else a ValueError."""
    for value in values:
        if not ACTOR_ID.match(value):
            raise ValueError(
                f"actor id {value!r} must be upper case letters, digits and _ (e.g. RUS, HAMAS)"
            )
    return values


def check_territories(values: list[str]) -> list[str]:
    """``values`` if every one is an ISO 3166 code or a lowercase slug, else a ValueError."""
    for value in values:
        if not TERRITORY.match(value):
            raise ValueError(
                f"territory {value!r} must be an ISO 3166 code (UA-14, UA) or a lowercase slug"
            )
    return values


class Actor(BaseModel):
    """A negotiating party, mediator or group, with the words reporters use for it."""

    #: The validator is built on first validation: a codebook read from the cache
    #: (``codebook/cache.py``) makes its actors without validating them again.
    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, defer_build=True
    )

    id: str
    name: str
    kind: Literal["state", "group", "organisation", "bloc"] = "state"
    aliases: tuple[str, ...] = ()
    #: Adjectives that name the actor only before a noun of agency ("Russian negotiators",
    #: "the Ukrainian delegation"), never alone: "a Ukrainian official" is a source, not Kyiv.
    adjectives: tuple[str, ...] = ()
    #: For a named group ("the Quad"): the ids its mentions expand to.
    members: tuple[str, ...] = ()

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        return check_actor_ids([v])[0]


@dataclass(frozen=True)
class Issue:
    """One negotiable issue, with the notes annotators need and the cues extractors match."""

    code: str
    group: str
    label: str
    definition: str
    include: str
    exclude: str
    cues: tuple[str, ...]
    #: Nearest category of the PA-X Peace Agreements Database, so records can be lined up
    #: with it; None where PA-X has no counterpart.
    pax: str | None = None
    #: How extractors treat the issue (``issues.toml`` documents each): its claims carry
    #: the places they are about; they carry a recognition, of this kind when the text
    #: names none; it is too general to stand beside a specific issue; the broader issues
    #: it stands for when both are named together; talks named as a setting ("at the
    #: talks") are not this issue.
    territories: bool = False
    recognition: str | None = None
    general: bool = False
    narrows: tuple[str, ...] = ()
    setting: bool = False


@dataclass(frozen=True)
class Place:
    """A territory a claim can be about: ISO 3166-2, ISO 3166-1 alpha-2, or a lowercase slug."""

    code: str
    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Conflict:
    """A war or peace process claims belong to (``ru-ua``): analysts read negotiations one
    conflict at a time, so its parties, the actors around it and its places are what a claim
    is assigned by (``peacetrack.codebook.conflicts.assign_conflict``)."""

    id: str
    name: str
    aliases: tuple[str, ...] = ()
    #: Who fights or signs: naming two of them marks a claim as this conflict's.
    parties: tuple[str, ...] = ()
    #: Mediators, guarantors, hosts and backers usually named: weaker evidence than a party.
    around: tuple[str, ...] = ()
    #: ISO 3166 codes (a country code covers its subdivisions) and slugs.
    places: tuple[str, ...] = ()
    start: date | None = None
