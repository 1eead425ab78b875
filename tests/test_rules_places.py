"""Territories name what a term is about, not where the news was made."""

from __future__ import annotations

import peacetrack as pt


def places(text: str) -> list[list[str] | None]:
    return [c.territories for c in pt.extract_claims(text)]


def test_a_capital_where_something_was_said_is_not_a_territory() -> None:
    text = "Zelenskiy rejected any withdrawal from the Kherson region, he told reporters in Kyiv."
    assert places(text) == [["UA-65"]]


def test_a_capital_a_term_is_about_is_a_territory() -> None:
    assert places("Moscow demanded that Ukraine pull its forces back from Kyiv.") == [["UA-30"]]
