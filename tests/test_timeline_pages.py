"""The timeline a page at a time, newest first (issue #16): the same steps as the whole
timeline, read a track at a time so a page costs what it shows."""

from __future__ import annotations

from datetime import date

import pytest
from typer.testing import CliRunner

from peacetrack.cli import app
from peacetrack.compare.timeline import TimelineEntry, recent_steps, timeline
from peacetrack.store import Store
from peacetrack.support import Support
from web_support import filled_store

runner = CliRunner()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    return Store.open(filled_store(tmp_path_factory.mktemp("pages") / "examples.db"))


def _newest_first(steps: list[TimelineEntry]) -> list[tuple[date | None, str, str]]:
    keys = [(s.first or date.min, s.actor, s.issue) for s in steps]
    return sorted(keys, reverse=True)


def _keys(steps: list[TimelineEntry]) -> list[tuple[date | None, str, str]]:
    return [(s.first or date.min, s.actor, s.issue) for s in steps]


@pytest.mark.parametrize(("limit", "offset"), [(20, 0), (5, 0), (7, 10), (20, 40), (1000, 0)])
def test_a_page_is_that_slice_of_the_whole_timeline_newest_first(
    store: Store, limit: int, offset: int
) -> None:
    whole = _newest_first(timeline(store))
    page = recent_steps(store, limit=limit, offset=offset)
    assert _keys(page) == whole[offset : offset + limit]


def test_steps_of_a_page_are_the_timeline_s_own(store: Store) -> None:
    """Sources, stance, change and evidence: the page's steps are the timeline's."""
    whole = {(s.first, s.actor, s.issue): s for s in timeline(store)}
    for step in recent_steps(store, limit=30):
        same = whole[(step.first, step.actor, step.issue)]
        assert step.to_record() == same.to_record()


def test_filters_choose_the_tracks(store: Store) -> None:
    whole = _newest_first(timeline(store, actor="RUS", issue="TER.*"))
    assert _keys(recent_steps(store, actor="RUS", issue="TER.*", limit=10)) == whole[:10]


def test_past_the_end_is_empty(store: Store) -> None:
    assert recent_steps(store, offset=10_000) == []


def test_the_command_pages_newest_first_and_all_gives_every_step(store: Store) -> None:
    db = store.url.removeprefix("sqlite:///")
    page = runner.invoke(app, ["timeline", "--db", db, "--format", "csv", "--limit", "5"])
    whole = runner.invoke(app, ["timeline", "--db", db, "--format", "csv", "--all"])
    table = runner.invoke(app, ["timeline", "--db", db, "--offset", "5", "--limit", "5"])
    assert page.exit_code == whole.exit_code == table.exit_code == 0, table.output
    rows = whole.output.splitlines()
    assert len(page.output.splitlines()) == 6 and len(rows) == len(timeline(store)) + 1
    firsts = [line.split(",")[2] for line in page.output.splitlines()[1:]]
    assert firsts == sorted(firsts, reverse=True)
    total = len(timeline(store))
    assert f"steps 6-10 of {total}, newest first; older: --offset 10" in table.output


def test_the_command_since_a_day_pages_the_steps_that_began_on_or_after_it(
    store: Store,
) -> None:
    """`--since` as the web timeline has it: the steps that began on or after the day,
    with their total; with `--all`, every such step, oldest first."""
    db = store.url.removeprefix("sqlite:///")
    days = sorted({s.first for s in timeline(store) if s.first is not None})
    day = days[len(days) // 2]
    later = [s for s in timeline(store) if s.first is not None and s.first >= day]
    page = runner.invoke(app, ["timeline", "--db", db, "--since", day.isoformat()])
    assert page.exit_code == 0, page.output
    assert f"of {len(later)}, newest first" in " ".join(page.output.split())
    every = runner.invoke(
        app, ["timeline", "--db", db, "--since", day.isoformat(), "--all", "--format", "csv"]
    )
    assert every.exit_code == 0, every.output
    assert len(every.output.splitlines()) == len(later) + 1


@pytest.mark.parametrize("level", list(Support))
def test_a_page_keeps_the_timeline_s_support_floor(store: Store, level: Support) -> None:
    whole = timeline(store, min_support=level)
    page = recent_steps(store, min_support=level, limit=15)
    assert [s.to_record() for s in page] == [
        s.to_record()
        for s in sorted(whole, key=lambda s: (s.first or date.min, s.actor, s.issue))[::-1][:15]
    ]
