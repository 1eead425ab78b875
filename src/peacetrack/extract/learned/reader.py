"""Reading a text for the learned extractor: the rules' parse, part by part, and the
views of each part with their place in the whole text."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from peacetrack.errors import PeaceTrackError
from peacetrack.extract.learned.features import Suggest, View, views
from peacetrack.extract.learned.lexicon import Lexicon
from peacetrack.extract.learned.tuples import Ruled, ruled_positions
from peacetrack.extract.learned.weights import LinearModel
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


def seen(read_parts: Parts, lexicon: Lexicon, suggest: Suggest | None) -> Iterator[Seen]:
    """Every view of a text read by ``read``."""
    for offset, reading in read_parts:
        segments = reading.parsed.segments
        for view in views(reading, lexicon, suggest):
            seg = segments[view.segment]
            yield Seen(view, reading, offset, offset + seg.start, offset + seg.end)


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
    names = issues.classes
    # The probabilities are single precision, and so is the floor they are compared with.
    floor = float(np.float32(FLOOR))

    def suggest(rows: Sequence[Sequence[str]]) -> list[Mapping[str, float]]:
        return [
            {name: p for name, p in zip(names, probs, strict=True) if p >= floor}
            for probs in issues.probabilities(rows).tolist()
        ]

    return suggest
