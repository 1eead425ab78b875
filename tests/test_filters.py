"""One filter, compiled twice: the store's SQL and the in-memory predicate keep the same
claims, and a bad issue pattern is the same error everywhere (issue #12, item 1).

Before, ``store.claims(issues=["TER"])`` returned nothing while ``compare(issues=["TER"])``
meant ``TER.*``, and ``TRE.*`` gave 0 claims from the store and an error from compare.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from peacetrack.compare import compare, diff, timeline
from peacetrack.errors import InputError
from peacetrack.source import Filters, MemorySource
from peacetrack.store import Store
from test_aggregate import fill


@pytest.fixture
def filled(fresh_db: Store) -> Store:
    fill(fresh_db, reports=15)
    return fresh_db


def test_a_group_means_its_wildcard_in_the_store_and_in_compare(filled: Store) -> None:
    by_group = filled.claims(issues=["TER"])
    assert by_group, "TER names TER.WITHDRAW and TER.STATUS, which the store holds"
    assert [s.id for s in by_group] == [s.id for s in filled.claims(issues=["TER.*"])]
    assert {s.claim.issue for s in by_group} == {"TER.WITHDRAW", "TER.STATUS"}
    matrix = compare(filled, issues=["TER"])
    assert set(matrix.rows) == {"TER.WITHDRAW", "TER.STATUS"}
    groups = filled.independent_groups
    assert matrix == compare(filled.claims(), issues=["TER"], independent_groups=groups)
    assert sum(c.count for _, _, c in matrix) == sum(len(s.claim.actors) for s in by_group)


CALLS: dict[str, Callable[[Store, str], Any]] = {
    "store.claims": lambda store, pattern: store.claims(issues=[pattern]),
    "compare(store)": lambda store, pattern: compare(store, issues=[pattern]),
    "compare(list)": lambda store, pattern: compare(store.claims(), issues=[pattern]),
    "compare(dated)": lambda store, pattern: compare(
        store, issues=[pattern], since=date(2025, 1, 1)
    ),
    "timeline": lambda store, pattern: timeline(store, issue=pattern),
    "cell claims": lambda store, pattern: store.cells.claims("actor", pattern, "RUS"),
}


@pytest.mark.parametrize("call", list(CALLS))
def test_a_typo_is_the_same_error_naming_the_near_miss_everywhere(filled: Store, call: str) -> None:
    with pytest.raises(InputError, match=r"no issue matches 'TRE\.\*'.*Did you mean TER\.\*"):
        CALLS[call](filled, "TRE.*")


@pytest.mark.parametrize(
    "filters",
    [
        Filters(),
        Filters(issues=["TER"]),
        Filters(actors=["rus", " ukr "]),
        Filters(issues=["CF.GENERAL", "SEC.*"], actors=["USA"]),
        Filters(since=date(2025, 3, 20), until=date(2025, 4, 20)),
        Filters(stances=["Demand", "reject"], since=date(2025, 3, 1)),
    ],
)
def test_the_sql_and_the_predicate_keep_the_same_claims(filled: Store, filters: Filters) -> None:
    in_memory = MemorySource(filled.claims()).select_claims(filters)
    assert [s.id for s in filled.select_claims(filters)] == [s.id for s in in_memory]


def test_diff_names_a_side_the_same_way_from_both_sources(filled: Store) -> None:
    assert diff(filled, "Spring draft", "RUS") == diff(
        filled.claims(), "Spring draft", "RUS", independent_groups=filled.independent_groups
    )
