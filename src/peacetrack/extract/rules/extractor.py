"""The rule-based extractor: frames per segment, one claim per issue in a frame's scope.

Reading goes segment by segment so that context flows the way a reader's does: the two
sides are the document's main pair, a pronoun is the last actor named, a list item
inherits its lead-in's frame, and "this demand was absent from ..." refers back to the
issues of the segment before.

A text longer than ``bounds.PART_CHARS`` is read in parts cut at paragraph breaks, each
part as a document of its own (context does not flow across a cut), with evidence offsets
mapped back into the whole text. No report comes near that size.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import peacetrack.extract.rules.details as details
from peacetrack.extract.rules.actors import holders, main_pair
from peacetrack.extract.rules.attribution import attribution
from peacetrack.extract.rules.bounds import parts
from peacetrack.extract.rules.frames import Frame, first_person, frames
from peacetrack.extract.rules.holders import Context
from peacetrack.extract.rules.language import Language, check_issues, language_pack
from peacetrack.extract.rules.pipeline import Mention, Parsed, Pipeline
from peacetrack.extract.rules.proposals import proposal_name
from peacetrack.extract.rules.segments import Segment
from peacetrack.extract.rules.treatment import Treatment
from peacetrack.model import Attribution, Claim, Condition, Document, Recognition, Stance

if TYPE_CHECKING:
    from peacetrack.codebook import Codebook

#: Responses to what was said before: with no issue of their own they take its issues.
RESPONSES = (Stance.REJECT, Stance.ACCEPT)


@dataclass(frozen=True)
class Reading:
    """A segment's frames and what its claims share (kept for list items and back-reference)."""

    frames: tuple[Frame, ...]
    attribution: Attribution | None
    proposal: str | None
    #: Whether the source and the proposal were read from the segment's own text, as they
    #: are when its frames are its own (not a lead-in's) and the reading is not bare.
    own: bool = False


@dataclass(frozen=True)
class TextReading:
    """What the rules read in one text: its parse, the pair "the two sides" means, each
    segment's reading and the claims made on each segment (by segment index)."""

    parsed: Parsed
    pair: tuple[str, ...]
    readings: dict[int, Reading]
    claims: dict[int, list[Claim]]
    #: For each segment the rules read frames in: the parse near it (``Parsed.near``) and
    #: its sequencing, which ``learned.v1`` reads again when it claims on the segment.
    near: dict[int, tuple[Parsed, details.Conditions]]


def segment_sequencing(local: Parsed, seg: Segment) -> details.Conditions:
    """What a segment says must come before or after what, read on the parse near it:
    the rules and ``learned.v1`` (for a segment the rules read no frame in) read it alike."""
    return details.conditions(
        local.doc, local.connectives, local.issues, seg.first, seg.last, local.lang
    )


class RulesExtractor:
    """Rule-based claim extraction on spaCy's blank pipeline, a language pack and the codebook.

    ``get_extractor`` hands it the codebook (the one in force unless told otherwise); built
    directly without one, it reads the codebook in force. ``language`` is a loaded pack, a
    pack folder, or the code of a shipped pack; English by default.
    """

    name = "rules.v1"

    def __init__(
        self, codebook: Codebook | None = None, language: Language | Path | str | None = None
    ) -> None:
        if codebook is None:
            from peacetrack.codebook import default_codebook

            codebook = default_codebook()
        self.codebook = codebook
        self.language = language_pack(language)
        check_issues(self.language, codebook.issues)
        self.pipeline = Pipeline(codebook, self.language)
        self.treatment = self.pipeline.treatment
        self.place_codes = codebook.place_aliases()

    def extract(self, document: Document) -> list[Claim]:
        """Claims of the whole text, read part by part; offsets index into the text."""
        return [
            _shifted(claim, offset)
            for offset, text in parts(document.text)
            for claim in self._extract_text(text)
        ]

    def _extract_text(self, text: str) -> list[Claim]:
        """Claims of one text short enough for spaCy, offsets relative to it."""
        return [c for made in self.read_text(text).claims.values() for c in made]

    def read_text(self, text: str, bare: bool = False) -> TextReading:
        """The parse of one text short enough for spaCy and the claims of each segment.

        Other extractors built on these rules (``learned.v1``) read the same parse and
        take what the rules found as evidence of their own; a ``bare`` reading holds only
        that evidence (``bare_claims``, no source or proposal read), at a fraction of the
        cost of the details."""
        parsed = self.pipeline.parse(text)
        ctx = Context(
            pair=main_pair(parsed.lower, parsed.actors, parsed.lang),
            we=first_person(parsed),
            signed=bool(parsed.lang.patterns.extractor.signed.search(parsed.text)),
        )
        readings: dict[int, Reading] = {}
        claims: dict[int, list[Claim]] = {}
        previous: tuple[str, ...] = ()
        seen: set[tuple[Any, ...]] = set()
        near: dict[int, tuple[Parsed, details.Conditions]] = {}
        for index, seg in enumerate(parsed.segments):
            # A segment with no cue of its own and no lead-in to inherit from has no
            # frame, whatever mentions are near: it is read on the whole parse as it is.
            cued = seg.parent is not None or _cued(parsed, seg)
            local = parsed.near(seg.first, seg.last) if cued else parsed
            reading = self._read(local, seg, ctx, readings, bare)
            ctx.remember(local, seg)
            readings[index] = reading
            if seg.lead_in or not reading.frames:
                continue
            sequencing = segment_sequencing(local, seg)
            near[index] = (local, sequencing)
            made = [
                c
                for f in reading.frames
                for issues in [self._frame_issues(local, seg, f, previous, sequencing)]
                for c in (
                    bare_claims(local, seg, f, issues)
                    if bare
                    else self.claims_on(local, seg, f, reading, sequencing, issues)
                )
            ]
            if made:
                previous = tuple(dict.fromkeys(c.issue for c in made))
            claims[index] = _dedupe(made, seen)
        return TextReading(parsed, ctx.pair, readings, claims, near)

    def _read(
        self,
        parsed: Parsed,
        seg: Segment,
        ctx: Context,
        readings: dict[int, Reading],
        bare: bool = False,
    ) -> Reading:
        """A segment's frames, own or its lead-in's, and the source and proposal its claims
        share; a ``bare`` reading leaves those two to whoever needs them (``own`` False)."""
        own = tuple(frames(parsed, seg, ctx))
        text = parsed.text[seg.start : seg.end]
        lead = readings.get(seg.parent) if seg.parent is not None else None
        pats = parsed.lang.patterns
        if lead is not None and not own:
            inherited = tuple(
                replace(f, scope=(seg.first, seg.last), obligor=()) for f in lead.frames
            )
            named = None if bare else lead.proposal or proposal_name(text, pats.proposals)
            return Reading(inherited, lead.attribution, named)
        if not own or bare:
            return Reading(own, None, None)  # nothing to attribute, or not asked: no regexes
        credit = attribution(text, pats.attribution, parsed.lang.words.attribution)
        return Reading(own, credit, proposal_name(text, pats.proposals), own=True)

    def claims_on(
        self,
        parsed: Parsed,
        seg: Segment,
        frame: Frame,
        reading: Reading,
        sequencing: details.Conditions,
        issues: list[str],
        extractor: str = name,
    ) -> list[Claim]:
        """A frame's claims on ``issues``, with the details the rules read for each: the
        obligor, places, recognition, sequencing, proposal and source."""
        evidence = parsed.text[seg.start : seg.end]
        out: list[Claim] = []
        for issue in issues:
            relations = sequencing.relations.get(issue, ())
            base: dict[str, Any] = dict(
                actors=list(frame.actors),
                stance=frame.stance,
                issue=issue,
                obligor=list(frame.obligor or _obligor(parsed, frame)) or None,
                conditions=[Condition(relation=r, issue=i) for r, i in relations] or None,
                proposal=reading.proposal,
                attribution=reading.attribution,
                evidence=evidence,
                start=seg.start,
                end=seg.end,
                extractor=extractor,
            )
            for extra in self._places_and_recognition(parsed, frame, issue):
                out.append(Claim(**base, **extra))
        return out

    def _frame_issues(
        self,
        parsed: Parsed,
        seg: Segment,
        frame: Frame,
        previous: tuple[str, ...],
        sequencing: details.Conditions,
    ) -> list[str]:
        """The issues a frame's claims are about: those named in its scope, else those of
        the segment before when the frame refers back, else the one its cue implies."""
        general = self.treatment.general
        issues = _issues_in(parsed, frame.scope, sequencing.tokens, self.treatment)
        cue = parsed.lang.cues[frame.cue.key]
        if cue.nominal or frame.stance is Stance.ABSENT or cue.deal:
            # A noun cue, an absence or a deal's term ("the deal is to be carried out in
            # phases") names a whole deal only as a reference, not a term.
            issues = [i for i in issues if i not in general]
        text = parsed.text[seg.start : seg.end]
        patterns = parsed.lang.patterns.extractor
        if all(i in general for i in issues) and (
            (frame.stance is Stance.ABSENT and not issues and patterns.absent_anaphor.search(text))
            or (frame.stance in RESPONSES and patterns.anaphor.search(text))
        ):
            issues = list(previous) or issues  # "this demand was absent", "rejected such terms"
        if not issues and cue.implies:
            issues = [cue.implies]  # "another round is planned", "no deal was reached"
        return issues

    def _places_and_recognition(
        self, parsed: Parsed, frame: Frame, issue: str
    ) -> list[dict[str, Any]]:
        """Territories for territorial issues; one claim per recognition kind named."""
        doc = parsed.doc
        first, last = frame.scope
        if issue == self.treatment.recognition:
            return _recognitions(doc, parsed, self.place_codes, frame, self.treatment)
        if issue not in self.treatment.territories:
            return [{}]
        places = details.territories(
            doc, parsed.places, parsed.actors, self.place_codes, first, last, parsed.lang
        )
        return [dict(territories=places or None)]


def bare_claims(parsed: Parsed, seg: Segment, frame: Frame, issues: list[str]) -> list[Claim]:
    """A frame's claims on ``issues`` with who holds them, the stance and who must act,
    and none of the other details (places, recognition, sequencing, proposal, source):
    what ``learned.v1`` weighs of the rules' claims, built without validation since
    every value comes from the codebook and the pack, as ``claims_on``'s do. One claim
    per issue, where ``claims_on`` makes one per kind of recognition named."""
    obligor = list(frame.obligor or _obligor(parsed, frame)) or None
    evidence = parsed.text[seg.start : seg.end]
    return [
        Claim.model_construct(
            actors=list(frame.actors),
            stance=frame.stance,
            issue=issue,
            obligor=obligor,
            evidence=evidence,
            start=seg.start,
            end=seg.end,
            extractor=RulesExtractor.name,
        )
        for issue in issues
    ]


def _cued(parsed: Parsed, seg: Segment) -> bool:
    """True when a stance cue starts in the segment."""
    at = bisect_left(parsed.stance_starts, seg.first)
    return at < len(parsed.stance_starts) and parsed.stance_starts[at] < seg.last


def _shifted(claim: Claim, offset: int) -> Claim:
    """The claim with its evidence offsets moved from a part into the whole text."""
    if not offset or claim.start is None or claim.end is None:
        return claim
    return claim.model_copy(update={"start": claim.start + offset, "end": claim.end + offset})


def _obligor(parsed: Parsed, frame: Frame) -> tuple[str, ...]:
    """Who would have to act on a demand or proposal: the first other actor its term names
    as an agent ("the withdrawal of Ukrainian troops", "Ukraine becomes neutral")."""
    if frame.stance not in (Stance.DEMAND, Stance.PROPOSE):
        return ()
    first, last = frame.scope
    agents = holders(parsed.doc, parsed.actors, set(), first, last, parsed.lang)
    return next(((m.key,) for m in agents if m.key not in frame.actors), ())


def _issues_in(
    parsed: Parsed, scope: tuple[int, int], skip: frozenset[int], treatment: Treatment
) -> list[str]:
    """Issues named in a scope, the general ones only when nothing specific is named.
    Weak issue words ("the implementation of the energy agreement") usually modify another
    term: they count only when the scope names nothing else."""
    inside = [
        m
        for m in parsed.issues
        if scope[0] <= m.first < scope[1]
        and m.first not in skip
        and not _setting(parsed, m, treatment)
    ]
    weak = parsed.lang.words.extractor.weak_words
    strong = [m for m in inside if parsed.lower[m.first] not in weak]
    found = [m.key for m in (strong or inside)]
    specific = [i for i in found if i not in treatment.general]
    for broad, narrow in treatment.subsumed:
        if narrow in specific:
            specific = [i for i in specific if i != broad]
    return list(dict.fromkeys(specific or found))


def _setting(parsed: Parsed, mention: Mention, treatment: Treatment) -> bool:
    """True for talks named as where or when something happened, not as a term: "agreed at
    their talks in Istanbul", "at Malaysia-brokered talks", "at the next round"; a verb of
    holding talks keeps them a term ("at least to hold talks")."""
    if mention.key not in treatment.settings:
        return False
    words = parsed.lang.words.extractor
    before = parsed.lower[max(0, mention.first - 3) : mention.first]
    return any(w in words.setting for w in before) and not set(before) & words.talk_verbs


def _recognitions(
    doc: Any, parsed: Parsed, codes: Any, frame: Frame, treatment: Treatment
) -> list[dict[str, Any]]:
    """ "U.S. de jure recognition for Crimea, and de facto recognition for ...": one claim
    per kind named, each with its recogniser (the actor just before it, the international
    community's actor when the span says so, else the claim's holders) and the places up
    to the next kind. With no kind named, the codebook's kind for the issue."""
    first, last = frame.scope
    ends = {m.last: m for m in parsed.actors}
    found = details.recognition_marks(parsed.recognitions, first, last)
    marks, kinds = [i for i, _ in found], [kind for _, kind in found]
    if not marks:  # no kind named: recognition of sovereignty, i.e. in law
        ends, marks, kinds = {}, [first], [treatment.recognition_kind]
    words = parsed.lang.words.extractor
    starts = [ends[i].first if i in ends else i for i in marks]
    out: list[dict[str, Any]] = []
    bounds = zip(marks, kinds, [first, *starts[1:]], [*starts[1:], last], strict=True)
    for mark, kind, left, right in bounds:
        span = doc[left:right]
        if mark in ends:
            by = [ends[mark].key]
        elif words.international in span.text.lower():
            by = [words.international_actor]
        else:
            by = list(frame.actors)
        places = details.territories(
            doc, parsed.places, parsed.actors, codes, left, right, parsed.lang
        )
        out.append(dict(territories=places or None, recognition=Recognition(by=by, type=kind)))
    return out


def _dedupe(claims: list[Claim], seen: set[tuple[Any, ...]]) -> list[Claim]:
    """One claim per actors, stance, issue and evidence in a text (``seen`` holds those
    already kept): cue chains can repeat a frame."""
    out: list[Claim] = []
    for c in claims:
        key = (tuple(c.actors), c.stance, c.issue, c.start, repr(c.recognition))
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out
