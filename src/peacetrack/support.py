"""How far a reader can trust a position: a claim's own grade and a position's support.

An extracted claim is one reading of one sentence of one report: it may be misread, it may
rest on an unnamed official, or it may be one of ten outlets saying the same. Comparisons
therefore weigh what they show. Each claim gets a *grade* from what is known of it alone:

- ``reviewed``: a person accepted, edited or added it;
- ``low``: its extractor gave it a confidence under ``LOW_CONFIDENCE``;
- ``anonymous``: the report credits an unnamed source ("officials said on condition of
  anonymity");
- ``named``: anything else: a named source, or the party or the outlet speaking on record.

An extractor that gives no confidence (``rules.v1``) is not taken to be sure or unsure:
its claims are graded by review and attribution only. ``llm.v1`` asks its model for about
0.9 when the text says a claim outright and about 0.6 for a judgement call, and takes an
answer without one at 0.5, so ``LOW_CONFIDENCE`` (0.7) sets judgement calls apart.

A *position* (the claims of one stance class in one cell, at one moment) is as strong as
its best claim, and ``corroborated`` when two or more independent outlets report it in
claims that are not low-confidence. Reports are independent unless they are near-duplicate
documents (syndicated copies, whatever outlet reprints them) or come from the same outlet
(a wire's updated story is not a second witness), and these join up: ``independent``
counts the groups left. The levels are ordered, so "markers only from positions at or
above ``named``" is one comparison.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import IntEnum

from peacetrack.errors import InputError

#: Under this confidence an extractor's claim is a judgement call, not a plain reading.
LOW_CONFIDENCE = 0.7
#: Statuses a person gave a claim that stands: it was checked against its sentence.
CHECKED_STATUSES = ("accepted", "edited", "added")


class Support(IntEnum):
    """Levels of support, weakest first."""

    LOW = 0
    ANONYMOUS = 1
    NAMED = 2
    CORROBORATED = 3
    REVIEWED = 4

    @property
    def label(self) -> str:
        """The level's name as users type it (``--min-support named``)."""
        return self.name.lower()


#: The level a position needs before it can mark a cell as changed or conflicting: a lone
#: anonymous report or a low-confidence reading shows, but moves no marker.
DEFAULT_SUPPORT = Support.NAMED
SUPPORT_LEVELS: tuple[str, ...] = tuple(level.label for level in Support)
#: Each level by its label, as the store keeps it and users type it.
BY_LABEL: dict[str, Support] = {level.label: level for level in Support}


def parse_support(value: str, levels: Sequence[str] = SUPPORT_LEVELS) -> Support:
    """The level a user named, or an InputError listing ``levels``, those the caller
    takes (a claim's own level is never ``corroborated``: ``parse_grade``)."""
    level = BY_LABEL.get(value.strip().lower())
    if level is not None:
        return level
    raise InputError(
        f"unknown support level {value!r}; choose one of {', '.join(levels)} (weakest first)"
    )


#: The levels one claim can have on its own (``claim_grade``): all but ``corroborated``.
GRADES: tuple[str, ...] = tuple(level.label for level in Support if level != Support.CORROBORATED)


def parse_grade(value: str) -> Support:
    """A claim's level as a user named it, to choose claims at or above it: any level but
    ``corroborated``, which no claim has alone (it takes independent sources)."""
    level = parse_support(value, GRADES)
    if level is Support.CORROBORATED:
        raise InputError(
            "a claim alone is never corroborated (that takes independent sources); "
            f"choose one of {', '.join(GRADES)} (weakest first)"
        )
    return level


def claim_grade(status: str, confidence: float | None, anonymous: bool | None) -> Support:
    """What one claim is worth alone (never ``corroborated``: that takes several sources).

    ``anonymous`` is the claim's attribution flag, None when it has no attribution (the
    party or the outlet speaks on record).
    """
    if status in CHECKED_STATUSES:
        return Support.REVIEWED
    if confidence is not None and confidence < LOW_CONFIDENCE:
        return Support.LOW
    return Support.ANONYMOUS if anonymous else Support.NAMED


#: A report as independence sees it: its document's near-duplicate group and its outlet.
Voice = tuple[int, str | None]


def independent(voices: Iterable[Voice]) -> int:
    """How many independent reporters these are: reports sharing a near-duplicate group or
    an outlet are one, and so, transitively, are the reports joined through them.

    Each group counts through the first outlet it reports through (a group with none is a
    reporter of its own); a group reporting through a second outlet joins the two. Joined
    outlets point straight at the one standing for them all, so counting looks each up
    once, and voices with nothing to join (nearly all: at a million claims every one of
    the 3,787 asked by ``compare --until 2024-06-01``) cost a dictionary look-up a voice.
    """
    first: dict[int, str | None] = {}
    joined = _Joined()
    for source, outlet in voices:
        held = first.get(source)
        if held is None:
            first[source] = outlet or None
        elif outlet:
            joined.join(held, outlet)
    named = [outlet for outlet in first.values() if outlet]
    reporters = {joined.stands_for.get(outlet, outlet) for outlet in named}
    return len(first) - len(named) + len(reporters)


class _Joined:
    """Outlets joined into sets, each outlet of a set pointing at the one standing for it.
    Joining two sets repoints the smaller, so an outlet is repointed at most log2(n) times
    and joining n outlets costs n log n, however the joins come."""

    def __init__(self) -> None:
        self.stands_for: dict[str, str] = {}
        self.members: dict[str, list[str]] = {}

    def join(self, one: str, other: str) -> None:
        low, high = self.stands_for.get(one, one), self.stands_for.get(other, other)
        if low == high:
            return
        if len(self.members.get(low, ())) > len(self.members.get(high, ())):
            low, high = high, low
        lows = self.members.pop(low, [low])
        for outlet in lows:
            self.stands_for[outlet] = high
        self.members.setdefault(high, [high]).extend(lows)


def position_support(reports: Iterable[tuple[Support, Voice]]) -> Support:
    """The support of a position from its claims' grades and voices.

    Reviewed if a person checked any of them; corroborated if independent outlets report it
    in claims that are not low-confidence; else its best claim's grade.
    """
    pairs = list(reports)
    if not pairs:
        raise ValueError("a position needs at least one claim")
    best = max(grade for grade, _ in pairs)
    if best is Support.REVIEWED:
        return best
    voices = [voice for grade, voice in pairs if grade > Support.LOW]
    if len(voices) > 1 and independent(voices) > 1:
        return Support.CORROBORATED
    return best
