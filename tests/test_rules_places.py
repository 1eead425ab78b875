"""Territories name what a term is about, not where the news was made."""

from __future__ import annotations

import peacetrack as pt


def places(text: str) -> list[list[str] | None]:
    return [c.territories for c in pt.extract_claims(text, "rules.v1")]


def test_a_capital_where_something_was_said_is_not_a_territory() -> None:
    text = "Zelenskiy rejected any withdrawal from the Kherson region, he told reporters in Kyiv."
    assert places(text) == [["UA-65"]]


def test_a_capital_a_term_is_about_is_a_territory() -> None:
    assert places("Moscow demanded that Ukraine withdraw from Kyiv.") == [["UA-30"]]


def test_a_zone_in_a_capital_is_about_the_capital() -> None:
    assert places("Moscow demanded a demilitarised zone in Kyiv.") == [["UA-30"]]


def test_the_country_a_territory_is_ceded_to_is_not_the_territory() -> None:
    assert places("Moscow demanded that Kyiv cede the Donetsk region to Russia.") == [["UA-14"]]
    assert places("Moscow demanded that Ukraine cede territory to Russia.") == [None]
