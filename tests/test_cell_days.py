"""The kept cell days answer a comparison from a date or to one, as the claims do.

``compare(store, since=...)`` reads ``cell_days`` (migrations 0011, 0012, 0015, 0019): each
cell's moments from its first day on or after the date, folded at the floor in SQL, and
the entries of the moment it shows; ``until=...`` folds them from the cell's first day and
reads the moment the date cuts and the one shown before it. The same call on the
store's claims in memory tallies every claim in range. Both must give the same matrix, and
the kept rows must be the rows computed from every claim, on a store with several
conflicts, reprints, weaker claims and undated reports, after later reports (which extend
cells), earlier and undated ones (which rebuild them), a late reprint of an early report (a
source seen long before), a rejected claim, a claim moved to another conflict and the
migrations, on both backends.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from peacetrack.compare import compare
from peacetrack.model import Document
from peacetrack.moments import Entry, count_sources
from peacetrack.source import Key
from peacetrack.store import Store, cell_day_reads, cell_days, cell_moments, cell_summaries
from peacetrack.store.cell_days import day_rows
from peacetrack.store.cell_entries import KINDS, read_entries
from peacetrack.store.tables import CELL_DAYS, CELL_MOMENTS, CELL_SUMMARIES, STALE_CELLS
from peacetrack.support import Support
from test_aggregate import START, fill
from test_cell_summaries import _report, migrate_down_and_up
from test_step_summaries import add_earlier_undated_reject_and_reassign

VIEWS: list[dict[str, Any]] = [
    {"since": START + timedelta(days=20)},
    {"since": START + timedelta(days=40), "by": "proposal"},
    {"since": START + timedelta(days=33), "actors": ["UKR", "rus"]},
    {"since": START + timedelta(days=10), "issues": ["TER.*"], "min_support": Support.LOW},
    {"since": START + timedelta(days=25), "min_support": Support.CORROBORATED},
    {"since": START - timedelta(days=400)},
    {"since": START + timedelta(days=900)},
    {"since": START + timedelta(days=30), "min_support": Support.ANONYMOUS},
    {"until": START + timedelta(days=30)},
    {"until": START + timedelta(days=45), "min_support": Support.CORROBORATED},
    {"until": START + timedelta(days=20), "by": "proposal", "min_support": Support.LOW},
    {"until": START + timedelta(days=38), "actors": ["UKR", "rus"], "issues": ["TER.*"]},
    {"until": START + timedelta(days=2)},
    {"until": START - timedelta(days=400)},
    {"until": START + timedelta(days=900), "min_support": Support.REVIEWED},
]


def _views(store: Store) -> list[dict[str, Any]]:
    conflicts = [n.conflict for n in store.conflict_counts() if n.conflict is not None]
    since = START + timedelta(days=30)
    by_conflict = [
        {"conflict": c, "by": by, "since": since}
        for c in [*conflicts[:2], "unassigned"]
        for by in ("actor", "proposal")
    ]
    until = START + timedelta(days=35)
    by_conflict += [{"conflict": c, "until": until} for c in [conflicts[0], "unassigned"]]
    return [*VIEWS, *by_conflict]


def _kept(store: Store) -> list[dict[str, Any]]:
    with store.reading() as connection:
        rows = connection.execute(select(CELL_DAYS)).mappings()
        return sorted((dict(r) for r in rows), key=_order)


def _order(row: dict[str, Any]) -> tuple[str, str, str, date]:
    return row["kind"], row["issue"], row["col"], row["day"]


def _computed(store: Store) -> list[dict[str, Any]]:
    """Every cell's day rows from all its claims."""
    rows = []
    with store.reading() as connection:
        for kind in KINDS:
            cells: dict[Key, list[Entry]] = {}
            for key, entry in read_entries(connection, kind, []):
                cells.setdefault(key, []).append(entry)
            for key, found in cells.items():
                rows += day_rows(kind, key, found, count_sources(found))
    return sorted(rows, key=_order)


def _moments(store: Store) -> list[tuple[Any, ...]]:
    with store.reading() as connection:
        return sorted(tuple(r) for r in connection.execute(select(CELL_MOMENTS)))


def _moments_followed_again(store: Store) -> list[tuple[Any, ...]]:
    """Every cell's kept moments written again from its first day."""
    summary = CELL_SUMMARIES.c
    with store.writing() as connection:
        for kind in KINDS:
            keys = connection.execute(
                select(summary.issue, summary.col).where(summary.kind == kind)
            )
            cell_moments.kept(connection, kind, dict.fromkeys((i, c) for i, c in keys))
    return _moments(store)


def assert_days_match(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object) -> None:
        raise AssertionError("a comparison the cell days answer read every claim in range")

    for view in _views(store):
        expected = compare(store.claims(), independent_groups=store.independent_groups, **view)
        with monkeypatch.context() as patched:
            patched.setattr(cell_summaries, "_computed", refuse)
            assert compare(store, **view) == expected, view
    assert _kept(store) == _computed(store)
    kept = _moments(store)
    assert kept and kept == _moments_followed_again(store)


@pytest.fixture
def filled(fresh_db: Store) -> Store:
    fill(fresh_db)
    return fresh_db


def test_kept_days_answer_every_date_and_floor(
    filled: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = compare(filled.claims(), since=START + timedelta(days=20))
    # The data must hold what the days decide: changes, conflicts, weaker claims.
    assert any(c.changed for _, _, c in whole) and any(c.weaker for _, _, c in whole)
    assert any(c.conflict for _, _, c in compare(filled.claims(), min_support=Support.LOW))
    assert_days_match(filled, monkeypatch)


@pytest.mark.parametrize("floor", [Support.NAMED, Support.CORROBORATED])
def test_a_cell_showing_its_latest_moment_reads_no_claims(
    filled: Store, monkeypatch: pytest.MonkeyPatch, floor: Support
) -> None:
    """From a date, a cell whose shown moment is the latest of its whole record takes
    that moment's entries from its summary; only the other cells' claims are read."""
    since = START + timedelta(days=20)
    asked: list[int] = []
    read = cell_day_reads._entries_of

    def spy(connection: Any, kind: Any, wanted: dict[Key, set[int]]) -> Any:
        asked.append(len(wanted))
        return read(connection, kind, wanted)

    monkeypatch.setattr(cell_day_reads, "_entries_of", spy)
    found = compare(filled, since=since, min_support=floor)
    groups = filled.independent_groups
    assert found == compare(
        filled.claims(), independent_groups=groups, since=since, min_support=floor
    )
    assert asked and asked[0] < len(list(found))


def _spy(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, set[Key]]]:
    """Each call of ``cell_days.extended``: how many cells grew, and which it sent back to
    be rebuilt."""
    calls: list[tuple[int, set[Key]]] = []
    extend = cell_days.extended

    def spy(connection: Any, kind: Any, grown: dict[Key, Any]) -> set[Key]:
        calls.append((len(grown), extend(connection, kind, grown)))
        return calls[-1][1]

    monkeypatch.setattr(cell_days, "extended", spy)
    return calls


def test_later_reports_extend_days_without_rebuilding_cells(
    filled: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    compare(filled)  # every cell built
    calls = _spy(monkeypatch)

    def refuse(*_: object) -> None:
        raise AssertionError("a cell was rebuilt from all its claims")

    later = START + timedelta(days=72)
    with monkeypatch.context() as patched:
        patched.setattr(cell_summaries, "_rebuild", refuse)
        for n in range(200, 208):
            _report(filled, n, later + timedelta(days=(n - 200) * 3))
            compare(filled, since=START + timedelta(days=60))
    assert sum(grown for grown, _ in calls) > 20 and not any(redo for _, redo in calls)
    assert_days_match(filled, monkeypatch)


def test_earlier_undated_rejected_and_reassigned_claims_rebuild_days(
    filled: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    compare(filled)
    add_earlier_undated_reject_and_reassign(filled)
    assert_days_match(filled, monkeypatch)


def test_a_late_reprint_of_an_early_report_rebuilds_its_cells(
    filled: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reprint joins the source of a report weeks older: the days between them count
    that source again, so its cells are rebuilt, not extended."""
    compare(filled)
    calls = _spy(monkeypatch)
    first = min((s for s in filled.claims() if s.published is not None), key=lambda s: s.published)
    original = filled.get_document(first.document_id)
    reprint = Document(
        name="reprint.txt",
        text=f"{original.text}\n\nReporting by a late desk",
        outlet="Late outlet",
        published=START + timedelta(days=75),
    )
    added = filled.add_document(reprint)
    assert filled.independent_groups([added.document_id, first.document_id]) == [
        {added.document_id, first.document_id}
    ]
    filled.save_extraction(
        added.document_id, "gen", [s.claim for s in filled.claims(document=first.document_id)]
    )
    compare(filled)
    assert any(redo for _, redo in calls)
    assert_days_match(filled, monkeypatch)


def test_upgrading_a_store_with_claims_fills_its_days(
    filled: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Migration 0011 on a store that has claims marks every cell, so the next read fills
    the table."""
    compare(filled)
    migrate_down_and_up(filled, "0010")
    assert_days_match(filled, monkeypatch)


def _rows_of_0012(store: Store) -> list[tuple[Any, ...]]:
    """The days' columns as migration 0012 left them (``seen`` came with 0015, the next
    moment's columns with 0019)."""
    columns = [c for c in CELL_DAYS.c if c.name != "seen" and not c.name.startswith("next_")]
    with store.reading() as connection:
        return sorted(tuple(r) for r in connection.execute(select(*columns)))


def _stale(store: Store) -> int:
    with store.reading() as connection:
        return connection.scalar(select(func.count()).select_from(STALE_CELLS)) or 0


def test_upgrading_days_to_level_columns_keeps_them_without_a_rebuild(
    filled: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Migration 0012 turns each day's decisions list into the levels' columns in place:
    the rows equal those computed from the claims with no cell marked for a rebuild (and
    the store taken down to 0011 has them as its list again). Migration 0015 then marks
    every cell, whose rebuild gives every floor and each day's sources seen."""
    compare(filled, min_support=Support.LOW)
    kept = _rows_of_0012(filled)
    migrate_down_and_up(filled, "0011", up_to="0014")
    assert _stale(filled) == 0 and _rows_of_0012(filled) == kept
    migrate_down_and_up(filled, "0014")
    with filled.reading() as connection:
        cells = connection.scalar(select(func.count()).select_from(CELL_SUMMARIES))
    assert _stale(filled) == cells
    assert_days_match(filled, monkeypatch)


def test_upgrading_to_kept_moments_writes_them_from_the_days(
    filled: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Migration 0018 writes every cell's kept moments from its days, as the refresh keeps
    them, with no cell marked for a rebuild."""
    compare(filled)
    kept = _moments(filled)
    migrate_down_and_up(filled, "0017")
    assert _stale(filled) == 0 and _moments(filled) == kept
    assert_days_match(filled, monkeypatch)


def test_upgrading_to_next_moments_in_each_day_copies_them_from_the_days(
    filled: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Migration 0019 copies into each day the moment beginning on its ``next``, from that
    day's row, as the refresh keeps them, with no cell marked for a rebuild."""
    compare(filled)
    kept = _kept(filled)
    assert any(row["next_next"] is not None for row in kept)
    migrate_down_and_up(filled, "0018")
    assert _stale(filled) == 0 and _kept(filled) == kept
    assert_days_match(filled, monkeypatch)
