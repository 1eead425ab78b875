"""The codebook's own entries: issues and places (actors are ``peacetrack.model.Actor``)."""

from __future__ import annotations

from dataclasses import dataclass


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


@dataclass(frozen=True)
class Place:
    """A territory a claim can be about: ISO 3166-2, ISO 3166-1 alpha-2, or a lowercase slug."""

    code: str
    name: str
    aliases: tuple[str, ...] = ()
