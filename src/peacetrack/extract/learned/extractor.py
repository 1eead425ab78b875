"""``learned.v1``: claims decided by small trained models over the rules' reading.

The rules read the text (segments, actor and place mentions, stance cues, their own
claims); the models say, segment by segment, which stance is stated, who holds it and on
which issues, and a last model weighs each (actor, stance, issue) over the whole report
(``tuples``); the rules then attach the details (places, recognition, sequencing,
obligor, proposal, source) to each claim, as they do to their own. The evidence is always
the segment's own text.

The model file shipped in the package was trained on the corpus in ``corpus/`` with
``peacetrack train``; ``model_file`` loads another (one trained on a store's reviews, or
on a teacher's claims).
"""

from __future__ import annotations

import hashlib
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

import peacetrack.extract.rules.details as details
from peacetrack.extract.learned.lexicon import Lexicon, issue_lexicon
from peacetrack.extract.learned.models import Models
from peacetrack.extract.learned.reader import Seen, Segments, read, ruled_in, rules_reader, seen
from peacetrack.extract.learned.tuples import Decision, Said, decisions, keep
from peacetrack.extract.learned.weights import YES, LinearModel, Together
from peacetrack.extract.rules.attribution import attribution
from peacetrack.extract.rules.extractor import Reading, segment_sequencing
from peacetrack.extract.rules.frames import Frame
from peacetrack.extract.rules.pipeline import Mention, Parsed
from peacetrack.extract.rules.proposals import proposal_name
from peacetrack.extract.rules.segments import Segment
from peacetrack.model import STANCE_BY_VALUE, Claim, Document, Stance

if TYPE_CHECKING:
    from peacetrack.codebook import Codebook

BUILTIN = Path(__file__).parent / "data" / "learned_v1.npz"
#: The coarse class of the stances the models do not tell apart (``Stance.coarse``:
#: demand, propose, offer); every other class is a stance of its own.
PUT_FORWARD = Stance.DEMAND.coarse


class LearnedExtractor:
    """Claims from trained models (``model_file``, default the shipped one)."""

    name = "learned.v1"

    def __init__(
        self, codebook: Codebook | None = None, model_file: Path | str | None = None
    ) -> None:
        self.rules = rules_reader(codebook)
        self.path = Path(model_file) if model_file is not None else BUILTIN
        self.models = Models.load(self.path)
        self.lexicon: Lexicon = issue_lexicon(self.rules.language.code)
        self._segment_models = Together(self.models.suggest, self.models.stance)

    @cached_property
    def model(self) -> str:
        """Which model made a claim: the file's name and the start of its digest."""
        digest = hashlib.sha256(self.path.read_bytes()).hexdigest()[:10]
        return f"{self.path.stem}@{digest}"

    @cached_property
    def variant(self) -> str:
        """What besides the version decides the claims (``runner.extract_store``): a model
        file other than the shipped one, so that extracting a store with a newly trained
        file does again the documents another file did (and going back to the shipped
        one does them again too). Empty for the shipped file, as for ``rules.v1``, so
        that a new release's file does not make a whole archive pending again."""
        return "" if self.path.resolve() == BUILTIN.resolve() else self.model

    def extract(self, document: Document) -> list[Claim]:
        parts = read(self.rules, document.text)
        segments = Segments(self._segment_models)
        viewed = seen(parts, self.lexicon, segments.suggest)
        hits = viewed.hits
        said = self._said(hits, segments)
        ruled = ruled_in(parts, hits)
        models = self.models
        kept = keep(said, ruled, viewed.parties_of(hits), models.position, models.limits)
        out: list[Claim] = []
        for index, decided in sorted(decisions(said, kept, models.limits).items()):
            out.extend(self._claims(hits[index], decided))
        return out

    def _said(self, hits: list[Seen], segments: Segments) -> list[Said]:
        """Each view's probabilities, the models asked once per document (not per segment)."""
        if not hits:
            return []
        models = self.models
        views = [hit.view for hit in hits]
        stances = _by_class(models.stance, segments.stances([v.features for v in views]))
        holder_rows = [o.features for v in views for o in v.actors]
        holders = _by_class(models.holder, models.holder.probabilities(holder_rows))
        issues = _yes(models.issue, [o.features for v in views for o in v.issues])
        out: list[Said] = []
        a = i = 0
        for view, stance in zip(views, stances, strict=True):
            held = {o.key: holders[a + k] for k, o in enumerate(view.actors)}
            meant = {o.key: issues[i + k] for k, o in enumerate(view.issues)}
            a, i = a + len(view.actors), i + len(view.issues)
            whence = {o.key: o.source for o in (*view.actors, *view.issues)}
            out.append(Said(stance, held, meant, whence))
        return out

    def _claims(self, hit: Seen, decided: list[Decision]) -> list[Claim]:
        """What one segment states, as claims with the rules' details, offsets in the
        whole text; the segment's source, proposal and sequencing are read once."""
        reading = hit.reading
        parsed = reading.parsed
        seg: Segment = parsed.segments[hit.view.segment]
        local, sequencing = reading.near.get(hit.view.segment) or _near(parsed, seg)
        said = _own_reading(parsed, seg, reading.readings.get(hit.view.segment))
        ruled = reading.claims.get(hit.view.segment, [])
        out: list[Claim] = []
        for decision in decided:
            stance = _fine(decision.stance, ruled, local, seg)
            frame = Frame(
                stance,
                decision.holders,
                Mention(seg.first, seg.first, ""),
                (seg.first, seg.last),
                decision.obligors,
            )
            claims = self.rules.claims_on(
                local, seg, frame, said, sequencing, list(decision.issues), self.name
            )
            update = {"model": self.model, "confidence": round(decision.confidence, 3)}
            out += [
                c.model_copy(
                    update={
                        "start": (c.start or 0) + hit.offset,
                        "end": (c.end or 0) + hit.offset,
                        **update,
                    }
                )
                for c in claims
            ]
        return out


def _by_class(model: LinearModel, probs: npt.NDArray[np.float32]) -> list[dict[str, float]]:
    """Each row's class probabilities by class name."""
    classes = model.classes
    return [dict(zip(classes, row, strict=True)) for row in probs.tolist()]


def _near(parsed: Parsed, seg: Segment) -> tuple[Parsed, details.Conditions]:
    """The parse near a segment and its sequencing, as the rules read them for a segment
    they read frames in (``TextReading.near``), for one they read none in."""
    local = parsed.near(seg.first, seg.last)
    return local, segment_sequencing(local, seg)


def _own_reading(parsed: Parsed, seg: Segment, ruled: Reading | None) -> Reading:
    """The source and the proposal a segment names itself: as the rules read them when
    they read its own frames, else read from its text."""
    if ruled is not None and ruled.own:
        return Reading((), ruled.attribution, ruled.proposal)
    text = parsed.text[seg.start : seg.end]
    pats = parsed.lang.patterns
    return Reading(
        (),
        attribution(text, pats.attribution, parsed.lang.words.attribution),
        proposal_name(text, pats.proposals),
    )


def _yes(model: LinearModel, rows: list[tuple[str, ...]]) -> list[float]:
    """Each row's probability of the class ``yes`` (none when the model lacks it)."""
    if not rows or YES not in model.classes:
        return [0.0] * len(rows)
    column: list[float] = model.probabilities(rows)[:, model.classes.index(YES)].tolist()
    return column


def _fine(coarse: str, ruled: list[Claim], parsed: Parsed, seg: Segment) -> Stance:
    """The stance itself: the coarse class's own, else (demand, propose or offer) the one
    the rules read in the segment or the first such cue, else demand."""
    own = STANCE_BY_VALUE.get(coarse)
    if own is not None and own.coarse == coarse:
        return own
    for claim in ruled:
        if claim.stance.coarse == PUT_FORWARD:
            return claim.stance
    cues = parsed.lang.cues
    for m in parsed.stances:
        stance: Stance = cues[m.key].stance
        if seg.first <= m.first < seg.last and stance.coarse == PUT_FORWARD:
            return stance
    return Stance.DEMAND
