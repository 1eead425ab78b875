"""Near duplicates: the same wire story on two sites links; an unrelated story does not."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from peacetrack.model import Document
from peacetrack.store import Store, neardup
from peacetrack.store.neardup import BANDS, Signature, shingles

STORY = """\
GENEVA, March 3 - Negotiators from the two sides ended a third day of talks in Geneva on \
Tuesday without agreeing on the timing of a ceasefire, although both delegations said they \
would return next week for another round.

The head of one delegation told reporters that his government was prepared to halt strikes \
on energy facilities for thirty days if the other side did the same, describing the offer as \
a first step rather than a final settlement.

The other delegation insisted that any truce must cover the whole front line and be watched \
by international monitors, a condition it has repeated since the talks began in January.

Mediators from Switzerland and Turkey shuttled between the two hotels where the delegations \
are staying, according to two diplomats familiar with the discussions who asked not to be \
named because the sessions are closed.

One of the diplomats said the hardest question remained the future of the districts along \
the river, which both sides claim and where fighting has continued throughout the winter.

A draft paper circulated by the mediators on Monday proposes a buffer zone fifteen \
kilometres wide, the withdrawal of heavy artillery from that zone and an exchange of all \
prisoners within six weeks of a ceasefire taking effect.

Neither delegation has publicly accepted the paper. A spokesman for one side called parts \
of it a reasonable basis for work, while an adviser to the other said it ignored the \
question of compensation for damaged towns.

Humanitarian agencies have urged the negotiators to agree at least on safe passage for \
civilians leaving the frontline villages, where aid convoys have been unable to reach \
several thousand residents for a month.

Talks are expected to resume on Monday, the Swiss foreign ministry said in a brief \
statement, adding that it would continue to host the process for as long as the parties \
wished."""

#: The same story as another site runs it: its own headline, a word changed, a credit line.
REPRINT = (
    "Truce talks stall in Geneva as both sides trade offers\n\n"
    + STORY.replace("hardest question", "most difficult question").replace(
        "brief statement", "short statement"
    )
    + "\n\nReporting by Ana Example in Geneva; Editing by Sam Placeholder"
)

UNRELATED = """\
HARBOUR TOWN, April 9 - The regional fishing cooperative reported its best spring catch in \
a decade on Wednesday, crediting cooler water and a new rule that closes the northern bay \
to trawlers for two months each year. Members voted to spend part of the surplus on a cold \
store beside the quay, which should let smaller boats sell directly to restaurants inland \
instead of waiting for the weekly auction. The mayor welcomed the plan and promised to \
widen the access road before the summer festival, when visitors usually double the \
population of the town. Some older members warned that one good season proves little and \
asked the board to keep a reserve for the lean years that always follow."""


def test_shingles_fold_case_and_whitespace() -> None:
    assert shingles("One  two\nthree FOUR five six") == shingles("one two three four five six")
    assert shingles("too short") == {b"too short"}


def test_signature_survives_bytes_and_estimates_jaccard() -> None:
    signature = Signature.of_text(STORY)
    again = Signature.from_bytes(signature.to_bytes())
    assert again.jaccard(signature) == 1.0
    assert len(signature.buckets()) == BANDS
    assert Signature.of_text(REPRINT).jaccard(signature) >= 0.8
    assert Signature.of_text(UNRELATED).jaccard(signature) < 0.2


def test_reprint_links_and_unrelated_does_not(
    fresh_db: Store, sample_document: Callable[..., Document]
) -> None:
    assert len(STORY.split()) > 280
    first = fresh_db.add_document(sample_document(text=STORY, outlet="Wire One"))
    other = fresh_db.add_document(sample_document(text=UNRELATED))
    reprint = fresh_db.add_document(sample_document(text=REPRINT, outlet="Daily Two"))
    assert first.status == other.status == "added"
    assert reprint.status == "near_duplicate"
    assert reprint.near_duplicate_of == (first.document_id,)
    [(twin, similarity)] = fresh_db.near_duplicates(first.document_id)
    assert twin == reprint.document_id and 0.8 <= similarity < 1.0
    assert fresh_db.near_duplicates(reprint.document_id) == [(first.document_id, similarity)]
    assert fresh_db.near_duplicates(other.document_id) == []


def test_independent_groups_follow_links_transitively(
    fresh_db: Store, sample_document: Callable[..., Document]
) -> None:
    a = fresh_db.add_document(sample_document(text=STORY)).document_id
    b = fresh_db.add_document(sample_document(text=REPRINT)).document_id
    # A third copy close to the reprint links the three into one source.
    c_text = REPRINT.replace("for a month", "for five weeks")
    c = fresh_db.add_document(sample_document(text=c_text)).document_id
    d = fresh_db.add_document(sample_document(text=UNRELATED)).document_id
    assert fresh_db.independent_groups([d, c, b, a]) == [{a, b, c}, {d}]
    assert fresh_db.independent_groups([a, d]) == [{a}, {d}]
    assert fresh_db.independent_groups([]) == []


def test_a_story_with_more_copies_than_a_bucket_is_read_deep_still_joins_its_source(
    fresh_db: Store, sample_document: Callable[..., Document], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Candidates are read newest first and a bounded depth per bucket, so a story run by
    hundreds of sites costs each new copy the same; the copy still joins the copies' one
    source group through the latest of them."""
    monkeypatch.setattr(neardup, "PER_BUCKET", 3)
    monkeypatch.setattr(neardup, "_BUCKET", neardup._BUCKET.limit(3))
    copies = [
        fresh_db.add_document(
            sample_document(text=STORY.replace("Tuesday", f"Tuesday ({n})"), outlet=f"Site {n}")
        ).document_id
        for n in range(8)
    ]
    unrelated = fresh_db.add_document(sample_document(text=UNRELATED)).document_id
    late = fresh_db.add_document(sample_document(text=REPRINT, outlet="Late Site"))
    assert late.status == "near_duplicate"
    assert set(late.near_duplicate_of) < set(copies)  # some of them, not all eight
    assert fresh_db.independent_groups([*copies, late.document_id, unrelated]) == [
        {*copies, late.document_id},
        {unrelated},
    ]
