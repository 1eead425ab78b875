"""Which of a segment's named issues a stance cue is about: its object is mostly the first
issue named after it ("agreed on a truce"), while those further on are its conditions or
context ("in exchange for prisoners", "after talks on the border"). Features of the issue
model, in words that carry over from one conflict to another."""

from __future__ import annotations

from collections.abc import Sequence

from peacetrack.extract.rules.pipeline import Mention

#: Where an issue option must come from to be named in the segment's words.
NAMED = frozenset({"word", "cue", "lex"})
#: Words that close a clause: an issue after one is seldom the object of the cue before.
BREAKS = frozenset({",", ";", ":", "but", "while", "whereas", "although", "after", "before"})


def order_features(
    lower: Sequence[str], stances: Sequence[Mention], named: Sequence[int], at: int
) -> list[str]:
    """For the issue named at token ``at``: which of the segment's named issues (``named``,
    their tokens in text order) it is, how many of them stand between it and the stance
    cue before it, that cue's phrase, and whether a clause break (a comma, a semicolon,
    "but", "while") stands between them. ``lower`` is the text's lower-cased words."""
    feats = [f"i:order={min(named.index(at), 3)}", f"i:named={min(len(named), 3)}"]
    earlier = [m for m in stances if m.last <= at]
    if not earlier:
        return feats
    cue = earlier[-1]
    nth = min(len([a for a in named if cue.last <= a < at]), 2)
    feats += [f"i:nth_after_cue={nth}", f"i:cue={cue.key}", f"i:cue={cue.key}:nth={nth}"]
    if not set(lower[cue.last : at]).isdisjoint(BREAKS):
        feats.append("i:break_after_cue")
    return feats
