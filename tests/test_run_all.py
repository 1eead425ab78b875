"""``benchmarks/run_all.py --done-when``: one section holding every figure the issues' done-when
lines need, with its commit, machine, load and each target met or not. The benchmarks
themselves are not run here (they take an hour); fake ones stand in for them."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import run_all  # noqa: E402

from pgcluster import PgCluster  # noqa: E402


def _fine() -> list[dict[str, Any]]:
    return [
        {"benchmark": "fake", "measure": "a baseline", "value": 1, "unit": "s"},
        {"benchmark": "fake", "measure": "fast", "value": 0.2, "unit": "s",
         "target": "< 1 s", "met": True},
        {"benchmark": "fake", "measure": "slow", "value": 3, "unit": "s",
         "target": "< 1 s", "met": False, "versus": "a | b"},
    ]  # fmt: skip


def _broken() -> list[dict[str, Any]]:
    sys.exit("peacetrack batch failed: no workers")


def test_done_when_covers_every_figure_the_issues_ask_for() -> None:
    assert set(run_all.DONE_WHEN) == {
        "reads-sqlite", "reads-postgresql", "grow", "file-extract", "startup", "batch",
        "extract",
    }  # fmt: skip


def test_section_heads_the_rows_with_commit_machine_load_and_targets_met(
    capsys: pytest.CaptureFixture[str],
) -> None:
    suite = {"fine": (_fine, _fine), "broken": (_broken, _broken)}
    began = run_all.Stamp.now()
    rows, parts = run_all.run_suite(suite, ["fine", "broken"], quick=True)
    span = (began, run_all.Stamp.now())
    text = run_all.section(rows, parts, span, (run_all.commit(),) * 2, quick=False)

    assert re.search(r"- Commit: [0-9a-f]{10} \((clean tree|with uncommitted changes)", text)
    assert f"- Machine: {run_all.machine()}" in text
    assert re.search(r"Started \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC, load average [\d.]+, ", text)
    assert "ended " in text
    assert "- Parts: fine " in text and "; broken " in text
    assert "- Targets met: 1 of 2 (fake 1 of 2)" in text
    assert "- Failed: broken (peacetrack batch failed: no workers)" in text
    assert "| fake | fast | 0.2 | s | < 1 s | met |  |" in text
    assert "| fake | slow | 3 | s | < 1 s | NOT MET | a \\| b |" in text
    assert "| fake | a baseline | 1 | s |  |  |  |" in text
    assert "| broken | FAILED |  |  |  | failed |" in text
    assert "--quick" not in text.splitlines()[0]
    progress = capsys.readouterr().err
    assert "[1/2] fine: started" in progress and "[2/2] broken: done in" in progress


def test_a_quick_section_says_its_figures_are_not_the_done_when_ones() -> None:
    now = run_all.Stamp.now()
    title = run_all.section(_fine(), [], (now, now), ("a", "a"), quick=True).splitlines()[0]
    assert "--quick sizes" in title and "not the done-when figures" in title


def test_a_commit_made_during_the_run_shows() -> None:
    now = run_all.Stamp.now()
    text = run_all.section(_fine(), [], (now, now), ("abc (clean tree)", "def (clean tree)"), True)
    assert "- Commit: abc (clean tree); at the end def (clean tree)!" in text


def test_a_durable_cluster_keeps_postgresql_writing_to_disk() -> None:
    durable = PgCluster(Path("unused"), Path("unused"), 0, durable=True).settings()
    throwaway = PgCluster(Path("unused"), Path("unused"), 0).settings()
    assert "fsync=off" in throwaway and "synchronous_commit=off" in throwaway
    assert not [s for s in durable if s.endswith("=off")]
