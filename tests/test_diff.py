"""Diffs between proposals or actors: only in one, different, same; absent is explicit."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from peacetrack.compare import Diff, diff, render_diff
from peacetrack.errors import InputError
from test_compare import RUS_TERMS, US_DRAFT, istanbul_round, stored


def _codes(items: list) -> list[str]:  # type: ignore[type-arg]
    return [i.issue for i in items]


@pytest.fixture
def istanbul() -> Diff:
    return diff(istanbul_round(), RUS_TERMS, US_DRAFT)


def test_seed_situation_only_in_russian_demands(istanbul: Diff) -> None:
    assert set(_codes(istanbul.only_a)) == {
        "TER.WITHDRAW",
        "SEC.ALIGNMENT",
        "SEC.FORCE_LIMITS",
        "SEC.FOREIGN_FORCES",
    }
    assert istanbul.only_b == []
    stated = {i.issue: i.stated_absent for i in istanbul.only_a}
    assert stated["TER.WITHDRAW"] and stated["SEC.ALIGNMENT"]  # the draft says "not in it"
    assert not stated["SEC.FORCE_LIMITS"]  # merely unreported


def test_seed_situation_recognition_and_compensation_differ(istanbul: Diff) -> None:
    different = {i.issue: i for i in istanbul.different}
    assert set(different) == {"TER.RECOGNITION", "JUS.COMPENSATION"}
    recognition = different["TER.RECOGNITION"]
    assert "recognition" in recognition.differences
    assert recognition.a is not None and recognition.b is not None
    assert "international community" in recognition.a.summary
    assert "de jure" in recognition.b.summary and "de facto" in recognition.b.summary
    # nothing structured tells "renounce all claims" from "compensate Ukraine": read the words
    assert different["JUS.COMPENSATION"].differences == ("wording",)
    assert istanbul.same == []


def test_rows_follow_codebook_order(istanbul: Diff) -> None:
    assert _codes(istanbul.only_a).index("TER.WITHDRAW") < _codes(istanbul.only_a).index(
        "SEC.FOREIGN_FORCES"
    )


def test_proposal_names_can_be_abbreviated() -> None:
    result = diff(istanbul_round(), "russian demands", "U.S. draft")
    assert (result.a, result.b) == (RUS_TERMS, US_DRAFT)


def test_same_terms_and_stance_differences() -> None:
    claims = [
        stored("ISR", "accept", "GEN.DEAL", proposal="Plan A"),
        stored("HAMAS", "accept", "GEN.DEAL", proposal="Plan B"),
        stored("ISR", "propose", "HUM.DETAINEES", proposal="Plan A", obligor=["HAMAS"]),
        stored("HAMAS", "propose", "HUM.DETAINEES", proposal="Plan B", obligor=["HAMAS"]),
        stored("ISR", "propose", "CF.GENERAL", proposal="Plan A"),
        stored("HAMAS", "reject", "CF.GENERAL", proposal="Plan B"),
    ]
    result = diff(claims, "Plan A", "Plan B")
    assert set(_codes(result.same)) == {"GEN.DEAL", "HUM.DETAINEES"}
    assert [(i.issue, i.differences) for i in result.different] == [("CF.GENERAL", ("stance",))]


def test_actors_can_be_compared() -> None:
    claims = [
        stored("RUS", "demand", "SEC.ALIGNMENT", published=date(2025, 5, 1)),
        stored("UKR", "reject", "SEC.ALIGNMENT", published=date(2025, 5, 1)),
        stored("UKR", "propose", "CF.GENERAL", published=date(2025, 5, 1)),
    ]
    result = diff(claims, "RUS", "ukr")
    assert (result.a, result.b) == ("RUS", "UKR")
    assert _codes(result.only_b) == ["CF.GENERAL"]
    assert _codes(result.different) == ["SEC.ALIGNMENT"]


def test_unknown_side_names_it_and_lists_proposals() -> None:
    with pytest.raises(InputError, match=r"'Minsk' is neither.*Russian demands"):
        diff(istanbul_round(), "Minsk", US_DRAFT)


def test_ambiguous_abbreviation_is_an_error() -> None:
    with pytest.raises(InputError, match="several proposals"):
        diff(istanbul_round(), "s", US_DRAFT)


def test_render_diff_overview_reads_like_the_product(istanbul: Diff) -> None:
    md = render_diff(istanbul, "md")
    assert isinstance(md, str)
    assert f"only in {RUS_TERMS}: TER.WITHDRAW" in md
    assert "in both, different: TER.RECOGNITION, JUS.COMPENSATION" in md
    assert f"only in {US_DRAFT}: —" in md
    records = istanbul.to_records()
    assert {r["category"] for r in records} == {"only_a", "different"}


def test_an_actor_id_beats_a_part_of_several_proposal_names() -> None:
    """ "RUS" is a part of "Russian demands" and "Russian memorandum": it means the actor."""
    base = istanbul_round()
    renamed = [
        dataclasses.replace(s, proposal_name="Russian memorandum")
        for s in base
        if s.claim.actors == ["RUS"]
    ]
    result = diff([*base, *renamed], "RUS", "USA")
    assert result.only_a or result.different or result.same
