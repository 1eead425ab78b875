"""Filter values are checked before a query: a typo is an error with a suggestion, never an
empty answer that reads as a finding."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from peacetrack.compare.vocabulary import (
    check_actors,
    check_issues,
    check_proposal,
    check_stances,
)
from peacetrack.errors import InputError
from peacetrack.model import Claim, Document, Stance
from peacetrack.store import Store

Factory = Callable[..., Document]
TEXT = "The Freedonian delegation demanded a general ceasefire under the Lakeside plan."


def test_stances_are_the_models_and_near_misses_are_named() -> None:
    assert check_stances(None) is None
    assert check_stances([" Demand ", "no_agreement"]) == ["demand", "no_agreement"]
    with pytest.raises(InputError, match="Did you mean no_agreement"):
        check_stances(["no-agreement"])


def test_issue_patterns_become_the_codes_they_name() -> None:
    assert check_issues(["CF.GENERAL", "cf.general"]) == ["CF.GENERAL"]
    assert "TER.WITHDRAW" in (check_issues(["TER"]) or [])
    assert check_issues(["TER.*"]) == check_issues(["ter"])
    with pytest.raises(
        InputError, match=r"no issue matches 'CF\.GENERALL'.*Did you mean CF\.GENERAL"
    ):
        check_issues(["CF.GENERALL"])


def test_actors_outside_the_codebook_are_known_by_their_claims(
    fresh_db: Store, sample_document: Factory
) -> None:
    """A reviewer's own actor id stays a valid filter once a stored claim names it."""
    with pytest.raises(InputError, match="unknown actor 'FRE'"):
        check_actors(["FRE"], fresh_db)
    added = fresh_db.add_document(sample_document(text=TEXT))
    claim = Claim(
        actors=["FRE"],
        stance=Stance.DEMAND,
        issue="CF.GENERAL",
        evidence=TEXT,
        proposal="the Lakeside plan",
    )
    fresh_db.save_extraction(added.document_id, "rules.v1", [claim])
    assert check_actors(["fre", "RUS"], fresh_db) == ["FRE", "RUS"]
    assert check_proposal("the Lakeside plan", fresh_db) == "the Lakeside plan"
    with pytest.raises(InputError, match="no claim belongs to a proposal 'Lakeside plna'"):
        check_proposal("Lakeside plna", fresh_db)
