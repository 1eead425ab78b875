"""Timeline steps kept in the store equal the steps computed from the claims (issue #16).

A page of ``recent_steps`` on a store reads ``timeline_steps`` (migration 0010); the same
call on the store's claims in memory computes every track. Both must give the same steps,
in the same order, on a store with several conflicts, reversals and weaker steps, after
later reports (which extend tracks), earlier and undated ones (which rebuild them), a
rejected claim and a claim moved to another conflict, on both backends.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import pytest

from peacetrack.compare.timeline import (
    TimelineEntry,
    count_steps,
    newest_per_issue,
    recent_steps,
    timeline,
)
from peacetrack.store import Store, step_summaries
from peacetrack.store.review import reassign_claim, reject_claim
from peacetrack.support import parse_support
from test_aggregate import START, fill
from test_cell_summaries import _report, migrate_down_and_up

VIEWS: list[dict[str, Any]] = [
    {},
    {"actor": "RUS"},
    {"actor": "UKR", "issue": "TER.*"},
    {"issue": "CF.GENERAL"},
    {"conflict": "unassigned"},
]


def _shown(steps: list[TimelineEntry]) -> list[dict[str, Any]]:
    return [s.to_record() | {"evidence": [c.id for c in s.evidence]} for s in steps]


def _memory(store: Store, **view: Any) -> list[TimelineEntry]:
    """The page computed from the claims in memory, every track read."""
    claims = store.claims()
    return recent_steps(claims, independent_groups=store.independent_groups, **view)


def assert_steps_match(store: Store) -> None:
    conflicts = [n.conflict for n in store.conflict_counts() if n.conflict is not None]
    for view in [*VIEWS, *({"conflict": c} for c in conflicts)]:
        whole = _memory(store, limit=100_000, **view)
        assert count_steps(store, **view) == len(whole), view
        assert _shown(recent_steps(store, limit=100_000, **view)) == _shown(whole), view
        page = {"limit": 7, "offset": 5} | view
        assert _shown(recent_steps(store, **page)) == _shown(_memory(store, **page)), view
    since = START + timedelta(days=40)
    kept = recent_steps(store, since=since, limit=100_000)
    assert _shown(kept) == _shown(_memory(store, since=since, limit=100_000))
    assert kept and all(s.first is not None and s.first >= since for s in kept)
    assert count_steps(store, since=since) == len(kept)
    assert_newest_per_issue_match(store)


def assert_newest_per_issue_match(store: Store) -> None:
    """An actor's page reads each issue's newest steps in one windowed query: the same
    steps and counts as a page of each issue's timeline computed in memory."""
    issues = sorted({code for code, _ in store.cells.summaries("actor")})
    for actor in ("RUS", "UKR"):
        found = newest_per_issue(store, actor=actor, issues=issues, limit=3)
        for code in issues:
            whole = _memory(store, actor=actor, issue=code, limit=100_000)
            steps, total = found.get(code, ([], 0))
            assert (_shown(steps), total) == (_shown(whole[:3]), len(whole)), (actor, code)


@pytest.fixture
def filled(fresh_db: Store) -> Store:
    fill(fresh_db)
    return fresh_db


def test_kept_steps_are_the_timeline_s_own(filled: Store) -> None:
    whole = timeline(filled)
    # The data must hold what the steps record: reversals, weaker steps, several conflicts.
    assert any(s.changed for s in whole) and any(s.weaker for s in whole)
    assert len({s.conflict_id for s in whole}) >= 3
    assert_steps_match(filled)


def test_later_reports_extend_tracks_without_rebuilding_them(
    filled: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    recent_steps(filled)  # every track built

    def refuse(*_: object) -> None:
        raise AssertionError("a track was rebuilt from all its claims")

    later = START + timedelta(days=200)
    monkeypatch.setattr(step_summaries, "rebuilt", refuse)
    for n in range(200, 206):
        _report(filled, n, later + timedelta(days=(n - 200) * 4))
        recent_steps(filled)
    monkeypatch.undo()
    assert_steps_match(filled)


def add_earlier_undated_reject_and_reassign(store: Store) -> None:
    """What makes kept summaries rebuild rather than extend: reports dated inside the
    record and undated ones, a rejected claim and a claim moved to another conflict."""
    rng = random.Random(8)
    for n in range(300, 310):
        day: date | None = START + timedelta(days=rng.randint(0, 90)) if n % 4 else None
        _report(store, n, day)
    claims = store.claims()
    reject_claim(store, claims[5].id)
    moved = next(s for s in claims[10:] if s.conflict is not None)
    reassign_claim(store, moved.id, "unassigned")


def test_earlier_undated_rejected_and_reassigned_claims_rebuild_tracks(filled: Store) -> None:
    recent_steps(filled)
    add_earlier_undated_reject_and_reassign(filled)
    assert_steps_match(filled)


def test_upgrading_a_store_with_claims_fills_its_steps(filled: Store) -> None:
    """Migration 0010 on a store that has claims marks every track, so the next read
    fills the table."""
    recent_steps(filled)  # every cell fresh: only the migration's marks can fill the table
    migrate_down_and_up(filled, "0009")
    assert_steps_match(filled)


def test_other_floors_and_reviewed_claims_are_computed_from_the_claims(filled: Store) -> None:
    assert count_steps(filled, reviewed_only=True) is None
    low = parse_support("low")
    kept = recent_steps(filled, min_support=low, limit=100_000)
    assert _shown(kept) == _shown(_memory(filled, min_support=low, limit=100_000))
