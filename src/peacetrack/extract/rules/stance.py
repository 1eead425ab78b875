"""Stance cues: the words and constructions reporters use to say what a side does with a term.

Each cue is a phrase (matched on lower-cased tokens) with the stance it signals and where
its term sits: most cues come before the term ("demanded a ceasefire"), some after it
("a ceasefire is a non-starter", "rejected by Kyiv" is handled as a passive). Nominal cues
("Putin's conditions", "the U.S. draft") take their actor from the word before them.
Negation and hedging are judged from the few words before a cue, because reporters put
them there ("will never accept", "could agree", "did not demand").
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

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


def _forms(stance: Stance, phrases: str, **kw: object) -> dict[str, Cue]:
    """Cues of one stance from a ``;``-separated list (kept as text to stay readable)."""
    cue = Cue(stance, **kw)  # type: ignore[arg-type]
    return dict.fromkeys((p.strip() for p in phrases.split(";") if p.strip()), cue)


#: A written text "says" what its authors put forward: "the memorandum also says ...",
#: "Kyiv's text says ...", "..., the draft states".
WRITTEN = ("text", "document", "memorandum", "draft", "plan", "proposal")
CONTENT_VERBS = ("says", "also says", "said", "states", "stated", "suggests")

D, P, OF = Stance.DEMAND, Stance.PROPOSE, Stance.OFFER
A, R, G = Stance.ACCEPT, Stance.REJECT, Stance.AGREE
N, X, C = Stance.NO_AGREEMENT, Stance.ABSENT, Stance.CONCEDE
BEFORE = Position.BEFORE

CUES: dict[str, Cue] = {
    **_forms(
        D,
        """demanded; demanding; insist; insists; insisted; insisting; insistence on;
        call for; called for; calling for; urge; urges; urged; urging; want; wants; wanted;
        pressing; pressed; presses; press; set out his terms; set out its terms;
        conditional on; depended on; depends on; must be met; ultimatum; seeks;
        sought; seeking; asks for; asked for; is fighting for; fighting for;
        made it conditional; conditioned;
        threatened; threatening; threats of; must include; should include; sees as essential;
        see as essential; regards as essential; considers essential; would like to see;
        would like; would also like; wants to see; must be applied; must be lifted""",
    ),
    **_forms(D, "demand; demands; conditions; terms; imperative; demand for", nominal=True),
    **_forms(OF, "offer of", nominal=True),
    **_forms(A, "acceptance of", nominal=True),
    **_forms(R, "refusal of; rejection of; refusal to", nominal=True),
    **_forms(D, "must stop; must end; has to stop; has to end", position=BEFORE),
    **_forms(
        P,
        """propose; proposes; proposed; proposing; envisages; envisaged; envisions;
        suggested; suggests; put forward; stipulated; stipulates; provides for; calls for;
        floated; presented; drafted; would include; reportedly included; would also include;
        reportedly involving; would involve; involves; placed emphasis on; places emphasis on;
        should instead;
        would see; favours; favors; pitched""",
    ),
    **_forms(
        P,
        """proposal; plan; draft; framework; memorandum; peace plan; counter-proposal;
        initiative""",
        nominal=True,
    ),
    **_forms(P, "submitted; handed over; unveiled; drew up; drawn up; tabled"),
    **_forms(P, ";".join(f"{noun} {verb}" for noun in WRITTEN for verb in CONTENT_VERBS)),
    **_forms(
        OF,
        """ready to; willing to; open to; prepared to; offered; offered to; offer to; pledged;
        pledge; pledges; committed to; commits to; commits; commit to; commit; will help;
        would agree to; is ready; are ready; undertakes to; will continue;
        expressed readiness; readiness to; would work to; will work; reaffirmed; promised;
        ready for; open to discussing; will resume; will lift; will provide; will ensure;
        remains committed to; remain committed to; would contribute;
        will contribute""",
    ),
    **_forms(
        A,
        """accept; accepts; accepted; accepting; welcome; welcomes; welcomed; supports;
        support; approved; approves; endorsed; endorses; backed; backs; signed off on;
        embraced""",
    ),
    **_forms(
        R,
        """reject; rejects; rejected; rejecting; ruled out; rules out; ruling out; refused;
        refuses; refusing; dismissed; dismisses; opposes; opposed; will never accept;
        would never accept; never accept; not accept; will not accept; pulled out of;
        would not give up; will not give up; not tolerate;
        would not tolerate; will not tolerate; resisted; backed out""",
    ),
    **_forms(
        R,
        """non-starter; non-starters; unacceptable; off the table; will never happen;
        won't happen; will not happen; would never happen""",
        position=BEFORE,
    ),
    **_forms(
        G,
        """agreed; agree; agreeing; signed; reached a deal; reached an agreement;
        agreement for; agreement on; agreed on; deal provides; struck a deal;
        brokered; agreed to exchange; jointly agreed; have agreed; initialled; initialed""",
    ),
    **_forms(
        G,
        """under the deal; under the arrangement; under the agreement; under the accord;
        under its terms; under the terms; under the first phase; under the truce;
        under the ceasefire;
        are to be; is to be; are to; are due to; is due to""",
        deal=True,
    ),
    **_forms(
        G,
        """will meet again; to meet again; round is planned; meeting is planned;
        talks are planned; next meeting will take place""",
        implies="PROC.TALKS",
    ),
    **_forms(
        N,
        """failed to agree; failed to reach; failed to secure; no agreement on;
        unable to agree; could not agree; did not agree; yet to be hammered out;
        no common ground; different views; no breakthrough on; disagree; disagreed;
        disagreement over; divided over; differ over; differ deeply over; differed on;
        differ on; differences over; areas of divergence; divergence; mutually exclusive;
        no breakthrough; central issue is whether; key sticking point; sticking point is;
        sticking points are; sticking point was""",
    ),
    **_forms(
        N,
        """sticking point; main sticking point; impossible to bridge; stalemate;
        remain unresolved; remains unresolved; remain at the heart of;
        remains at the heart of; most complicated issues; most difficult issues""",
        position=BEFORE,
    ),
    **_forms(N, "still unresolved; remained unresolved; left unresolved; remained disputed"),
    **_forms(
        N,
        "no deal; without a deal; without an agreement; without agreement",
        implies="GEN.DEAL",
    ),
    **_forms(
        N,
        "had not been reached; has not been reached; was not reached; were not reached",
        position=BEFORE,
        implies="GEN.DEAL",
    ),
    **_forms(N, "no deal was reached", position=BEFORE, implies="GEN.DEAL"),
    **_forms(
        X,
        """no such demand; was absent from; were absent from; absent from; did not include;
        does not include; not included in; no mention of; did not mention; does not mention;
        did not specify; does not specify; makes no mention of; made no mention of; silent on;
        does not cover; did not cover; not covered by; does not provide; did not provide;
        does not require; did not require""",
    ),
    **_forms(
        C,
        """dropped its demand; dropped his demand; dropped their demand; dropped his;
        dropped its; abandoned its demand; backed down on; softened its; dropped""",
    ),
}

#: Words just before a cue that cancel it ("did not demand"), unless the cue is itself negative.
NEGATORS = frozenset({"not", "n't", "never", "no", "nor", "without"})
#: Words just before a cue that make it a guess or a condition, not a position.
HEDGES = frozenset({"could", "might", "may", "if", "whether", "unless", "reportedly could"})

#: Stances whose cue already carries its negation and so is not cancelled by one.
NEGATIVE = frozenset({N, X, C})


def negated(before: list[str], cue: Cue) -> bool:
    """True when a negator stands in the three words before a cue that is not negative in
    itself: "did not demand", "has not ruled out", "has yet to accept"."""
    if cue.stance in NEGATIVE:
        return False
    return any(w in NEGATORS for w in before[-3:]) or before[-2:] == ["yet", "to"]


def hedged(before: list[str]) -> bool:
    """True when a modal of possibility or a conditional stands just before the cue."""
    return any(w in HEDGES for w in before[-2:])


def flip_negated(cue: Cue, before: list[str]) -> Cue | None:
    """A negated acceptance or agreement is a refusal, and sides that have "yet to agree"
    have not agreed; a demand held "no longer" ("no longer insists", "no longer demands")
    is dropped; a refusal denied ("did not rule out") and other negated cues say nothing."""
    if before[-2:] == ["no", "longer"]:
        return Cue(C, cue.position, cue.nominal) if cue.stance is D else None
    if before[-2:] == ["yet", "to"]:
        return Cue(N, cue.position, cue.nominal) if cue.stance is G else None
    if cue.stance in (A, G):
        return Cue(R, cue.position, cue.nominal)
    return None
