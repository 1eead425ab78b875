"""Stance cues: how the rules read the words reporters use to say what a side does with a term.

The cues themselves are data (``cues.toml`` of the language pack). Each cue is a phrase
(matched on lower-cased tokens) with the stance it signals and where
its term sits: most cues come before the term ("demanded a ceasefire"), some after it
("a ceasefire is a non-starter", "rejected by Kyiv" is handled as a passive). Nominal cues
("Putin's conditions", "the U.S. draft") take their actor from the word before them.
Negation and hedging are judged from the few words before a cue, because reporters put
them there ("will never accept", "could agree", "did not demand").
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from peacetrack.extract.rules.lexicon import StanceWords
from peacetrack.model import Stance


class Position(Enum):
    """Where the term sits relative to the cue."""

    AFTER = "after"  # "demanded the withdrawal": the term follows
    BEFORE = "before"  # "withdrawal is a non-starter": the term precedes


@dataclass(frozen=True)
class Cue:
    stance: Stance
    position: Position = Position.AFTER
    #: A noun ("proposal", "conditions"): its actor is the word just before it.
    nominal: bool = False
    #: The issue the cue itself names when its scope names none ("will meet again").
    implies: str | None = None
    #: States a term of an agreement already reported ("under the arrangement", "are to
    #: be released"): held by the agreement's parties, its term on either side of it.
    deal: bool = False


D, A, R = Stance.DEMAND, Stance.ACCEPT, Stance.REJECT
G, N, X, C = Stance.AGREE, Stance.NO_AGREEMENT, Stance.ABSENT, Stance.CONCEDE

#: Stances whose cue already carries its negation and so is not cancelled by one.
NEGATIVE = frozenset({N, X, C})


def negated(before: list[str], cue: Cue, words: StanceWords) -> bool:
    """True when a negator stands in the three words before a cue that is not negative in
    itself: "did not demand", "has not ruled out", "has yet to accept"."""
    if cue.stance in NEGATIVE:
        return False
    return any(w in words.negators for w in before[-3:]) or tuple(before[-2:]) == words.yet_to


def hedged(before: list[str], words: StanceWords) -> bool:
    """True when a modal of possibility or a conditional stands just before the cue."""
    return any(w in words.hedges for w in before[-2:])


def flip_negated(cue: Cue, before: list[str], words: StanceWords) -> Cue | None:
    """A negated acceptance or agreement is a refusal, and sides that have "yet to agree"
    have not agreed; a demand held "no longer" ("no longer insists", "no longer demands")
    is dropped; a refusal denied ("did not rule out") and other negated cues say nothing."""
    if tuple(before[-2:]) == words.no_longer:
        return Cue(C, cue.position, cue.nominal) if cue.stance is D else None
    if tuple(before[-2:]) == words.yet_to:
        return Cue(N, cue.position, cue.nominal) if cue.stance is G else None
    if cue.stance in (A, G):
        return Cue(R, cue.position, cue.nominal)
    return None
