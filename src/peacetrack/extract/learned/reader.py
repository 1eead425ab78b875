"""Reading a text for the learned extractor: the rules' parse, part by part, and the
views of each part with their place in the whole text."""

from __future__ import annotations

import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from peacetrack.errors import PeaceTrackError
from peacetrack.extract.learned.features import Suggest, View, views
from peacetrack.extract.learned.lexicon import Lexicon
from peacetrack.extract.learned.tuples import Ruled, ruled_positions
from peacetrack.extract.learned.weights import LinearModel, Together
from peacetrack.extract.rules.bounds import parts
from peacetrack.extract.rules.extractor import RulesExtractor, TextReading

if TYPE_CHECKING:
    from peacetrack.codebook import Codebook

#: A text as the rules read it: each part and where it starts in the whole text.
Parts = list[tuple[int, TextReading]]
#: Smallest issue-model probability passed on as a feature.
FLOOR = 0.03


@dataclass(frozen=True)
class Seen:
    """A view, the part of the text it was read in, and its segment's characters in the
    whole text."""

    view: View
    reading: TextReading
    offset: int
    start: int
    end: int


def rules_reader(codebook: Codebook | None) -> RulesExtractor:
    """The rules extractor of ``codebook`` that ``get_extractor`` keeps, so that learned.v1
    and rules.v1 in one process share one spaCy pipeline and its matchers."""
    from peacetrack.extract import get_extractor

    rules = get_extractor(RulesExtractor.name, codebook=codebook)
    if not isinstance(rules, RulesExtractor):
        raise PeaceTrackError(
            f"learned.v1 reads with the rules, but {RulesExtractor.name} is registered as "
            f"{type(rules).__name__}"
        )
    return rules


def read(rules: RulesExtractor, text: str) -> Parts:
    """The rules' reading of each part of a text (one part for any report), their claims
    bare: who, which stance, which issue and who must act is all the models read of them."""
    return [(offset, rules.read_text(part, bare=True)) for offset, part in parts(text)]


@dataclass(frozen=True)
class Viewed:
    """Every view of a text read by ``read``, and each part's parties to its agreements
    (``features.Views.parties``) by the part's offset: a report's, not a view's."""

    hits: list[Seen]
    parties: Mapping[int, tuple[str, ...]]

    def parties_of(self, hits: Sequence[Seen]) -> tuple[str, ...]:
        """The report's parties to its agreements for the views the models answer on
        (``hits``, of this text): those of the part the first one is read in (one part
        for any report), none when there is no view."""
        return self.parties[hits[0].offset] if hits else ()


def seen(read_parts: Parts, lexicon: Lexicon, suggest: Suggest | None) -> Viewed:
    """Every view of a text read by ``read``, with its parties to its agreements."""
    hits: list[Seen] = []
    parties: dict[int, tuple[str, ...]] = {}
    for offset, reading in read_parts:
        segments = reading.parsed.segments
        found = views(reading, lexicon, suggest)
        parties[offset] = found.parties
        for view in found.views:
            seg = segments[view.segment]
            hits.append(Seen(view, reading, offset, offset + seg.start, offset + seg.end))
    return Viewed(hits, parties)


def ruled_in(read_parts: Parts, hits: Sequence[Seen]) -> Ruled:
    """The positions of the rules' claims in a text, each with the first of ``hits`` that
    reads its segment (the views the models answered on, in their order)."""
    where: dict[tuple[int, int], int] = {}
    for index, hit in enumerate(hits):
        where.setdefault((id(hit.reading), hit.view.segment), index)
    return ruled_positions(
        (claim, where.get((id(reading), segment)))
        for _, reading in read_parts
        for segment, found in reading.claims.items()
        for claim in found
    )


def suggester(issues: LinearModel) -> Suggest:
    """The issue model as ``views`` asks for it: probabilities by issue, for each of a
    text's segments at once."""

    def suggest(rows: Sequence[Sequence[str]]) -> list[Mapping[str, float]]:
        return likely(issues.classes, issues.probabilities(rows))

    return suggest


def likely(names: Sequence[str], probs: npt.NDArray[np.float32]) -> list[Mapping[str, float]]:
    """Each row's classes at ``FLOOR`` or above, with their probabilities, in class order."""
    # The probabilities are single precision, and so is the floor they are compared with.
    rows, columns = np.nonzero(probs >= np.float32(FLOOR))
    found = zip(rows.tolist(), columns.tolist(), probs[rows, columns].tolist(), strict=True)
    out: list[dict[str, float]] = [{} for _ in range(len(probs))]
    for row, column, p in found:
        out[row][names[column]] = p
    return list(out)


class Segments:
    """The issue-suggestion and stance models over one text's segments. Both read each
    segment's shared features, so when ``views`` asks for the issues of all its segments
    at once (``suggest``), the stances are scored too, with one lookup per name
    (``Together``), and kept for ``stances``."""

    def __init__(self, both: Together) -> None:
        self.both = both
        self.rows: list[Sequence[str]] = []
        self.stance: list[npt.NDArray[np.float32]] = []

    def suggest(self, rows: Sequence[Sequence[str]]) -> list[Mapping[str, float]]:
        issues, stances = self.both.probabilities(rows)
        self.rows += rows
        self.stance.append(stances)
        return likely(self.both.models[0].classes, issues)

    def stances(self, rows: Sequence[Sequence[str]]) -> npt.NDArray[np.float32]:
        """The stance model's probabilities for ``rows``: those scored with the issues
        when the rows are the ones ``views`` gave (always, unless what a view keeps of
        its segment changes), else scored now."""
        stance = self.both.models[1]
        if len(rows) == len(self.rows) and all(map(_same, rows, self.rows)):
            return np.concatenate(self.stance) if self.stance else stance.probabilities(rows)
        return stance.probabilities(rows)


def _same(row: Sequence[str], other: Sequence[str]) -> bool:
    return len(row) == len(other) and all(map(operator.is_, row, other))
