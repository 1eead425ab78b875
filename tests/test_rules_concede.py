"""A dropped demand is a concession, however the reporter puts it."""

from __future__ import annotations

import peacetrack as pt


def stances(text: str) -> set[tuple[tuple[str, ...], str, str]]:
    return {(tuple(c.actors), c.stance.value, c.issue) for c in pt.extract_claims(text, "rules.v1")}


def test_no_longer_insists_is_a_concession() -> None:
    text = "Moscow no longer insists that Kyiv pull its troops out of the Kherson region."
    assert stances(text) == {(("RUS",), "concede", "TER.WITHDRAW")}


def test_dropped_demand_is_a_concession() -> None:
    text = "Washington dropped its demand for elections in Ukraine before a deal."
    assert (("USA",), "concede", "GOV.ELECTIONS") in stances(text)


def test_no_longer_before_an_offer_says_nothing() -> None:
    assert stances("Ankara is no longer willing to host the talks.") == set()
