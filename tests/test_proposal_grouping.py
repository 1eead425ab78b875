"""The proposal grouping policy as pure functions: no database, only plain values.

Window (45 days), authors and kind families decide whether a mention joins a known
proposal; a specific name matches its alias at any date, a generic one only nearby.
"""

from __future__ import annotations

from datetime import date, timedelta

from peacetrack.model import Claim, Stance
from peacetrack.proposals import (
    WINDOW,
    Candidate,
    analysed,
    match,
    mention_of,
    proposal_key,
    readable_name,
)
from peacetrack.proposals.grouping import free_name, window
from peacetrack.proposals.phrases import words

DAY = date(2025, 4, 1)


def claim(phrase: str, actors: tuple[str, ...] = ("USA",), stance: str = "propose") -> Claim:
    return Claim(
        actors=list(actors),
        stance=Stance(stance),
        issue="CF.GENERAL",
        evidence=f"They spoke of the {phrase}.",
        proposal=phrase,
    )


def known(
    id_: int,
    name: str,
    *,
    kind: str = "draft",
    day: date | None = DAY,
    authors: tuple[str, ...] = ("USA",),
    in_document: bool = False,
) -> Candidate:
    return Candidate(
        id=id_,
        name=name,
        kind=kind,
        date=day,
        authors=frozenset(authors),
        keys={proposal_key(name)},
        generic=analysed(name).generic,
        in_document=in_document,
        has_claims=True,
    )


def test_a_generic_phrase_groups_with_the_same_authors_and_family_within_the_window() -> None:
    draft = known(1, "U.S. draft")
    mention = mention_of(claim("US proposal"))  # "proposal" and "draft" are one family
    assert match(mention, [draft], DAY + WINDOW) is draft
    assert match(mention, [draft], DAY + WINDOW + timedelta(days=1)) is None
    assert match(mention_of(claim("draft deal", ("RUS",))), [draft], DAY) is None
    assert window(DAY) == (DAY - timedelta(days=45), DAY + timedelta(days=45))


def test_a_specific_name_matches_its_alias_whenever_it_was_made() -> None:
    plan = known(7, "Trump's 20-point Gaza plan", kind="plan", day=date(2024, 1, 1))
    mention = mention_of(claim("Trump's 20-point Gaza plan"))
    assert not mention.phrase.generic
    assert match(mention, [plan], DAY) is plan
    other = mention_of(claim("Witkoff memo"))
    assert match(other, [plan], DAY) is None  # two specific names are two things


def test_the_nearest_compatible_candidate_wins() -> None:
    far = known(1, "U.S. draft", day=DAY - timedelta(days=40))
    near = known(2, "U.S. draft (Apr 2025)", day=DAY + timedelta(days=3))
    near.keys.add(proposal_key("US draft"))  # both go by "U.S. draft"
    assert match(mention_of(claim("U.S. draft")), [far, near], DAY) is near


def test_without_authors_only_the_one_proposal_of_the_same_document_groups() -> None:
    ours = known(3, "draft agreement", authors=(), in_document=True)
    mention = mention_of(claim("the draft", ("RUS",), stance="reject"))
    assert mention.authors == ()  # who rejects a draft is not its author
    assert match(mention, [ours], None) is ours
    assert (
        match(mention, [ours, known(4, "draft accord", authors=(), in_document=True)], None) is None
    )


def test_readable_names_and_free_names() -> None:
    assert readable_name(mention_of(claim("draft deal prepared by the United States"))) == (
        "U.S. draft"
    )
    demands = mention_of(claim("terms for a peace deal", ("RUS",), stance="demand"))
    assert readable_name(demands) == f"Russian {words().demands_name}"
    assert free_name("U.S. draft", {"u.s. draft"}, DAY) == "U.S. draft (Apr 2025)"
    assert free_name("U.S. draft", {"u.s. draft"}, None) == "U.S. draft (2)"
