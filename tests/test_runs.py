"""Runs whose process died before finishing are shown as interrupted, never running forever."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from peacetrack.cli import app
from peacetrack.store import Store
from peacetrack.store import store as store_module
from peacetrack.store.runs import list_runs, this_process


def dead_process() -> dict[str, Any]:
    """What a run records about a process that has since ended."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return {"pid": child.pid, "host": socket.gethostname(), "started": None}


def statuses(store: Store) -> dict[int, str]:
    return {run.id: run.status for run in list_runs(store)}


def test_a_run_records_its_process(fresh_db: Store) -> None:
    run = fresh_db.start_run("ingest", {"sources": ["a.txt"]})
    [info] = list_runs(fresh_db)
    assert (info.id, info.status, info.pid, info.host) == (
        run,
        "running",
        os.getpid(),
        socket.gethostname(),
    )
    assert info.params == {"sources": ["a.txt"]}


def test_runs_of_dead_processes_are_interrupted(
    fresh_db: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Listed or not, the next run to start marks them; live and foreign runs stay."""
    elsewhere = {"pid": os.getpid(), "host": "another-host", "started": None}
    for process in (dead_process(), elsewhere):
        monkeypatch.setattr(store_module, "this_process", lambda p=process: p)
        fresh_db.start_run("ingest", {})
    monkeypatch.undo()
    killed, foreign = 1, 2
    live = fresh_db.start_run("extract", {})  # marks the dead one as it starts
    finished = fresh_db.start_run("extract", {})
    fresh_db.finish_run(finished, "finished", {})
    assert statuses(fresh_db) == {
        killed: "interrupted",
        foreign: "running",
        live: "running",
        finished: "finished",
    }


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux's /proc")
def test_a_reused_pid_is_not_the_runs_process(
    fresh_db: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Containers reuse small pids: a live process that started later is someone else."""
    mine = this_process()
    reused = mine | {"started": mine["started"] - 1}
    monkeypatch.setattr(store_module, "this_process", lambda: reused)
    run = fresh_db.start_run("ingest", {})
    assert statuses(fresh_db)[run] == "interrupted"


def test_runs_command_shows_interrupted_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "runs.db"
    with Store.open(db) as store:
        monkeypatch.setattr(store_module, "this_process", dead_process)
        store.start_run("ingest", {"sources": ["reports/"]})
    result = CliRunner().invoke(app, ["runs", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "interrupted" in result.output
    assert "sources=['reports/']" in "".join(result.output.split())
