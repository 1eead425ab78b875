"""A SIGKILL in the middle of an ingest, then a re-run, stores each document exactly once."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

SENTENCES = [
    "Negotiators met again in {city} on {day} for talks that lasted {hours} hours.",
    "Officials said the delegation from {side} asked for a pause in strikes on ports.",
    "A spokesman described round {n} as businesslike but said no text was agreed.",
    "Both teams exchanged lists of detainees, according to a person briefed on the meeting.",
    "Observers expect a further meeting in {city} within {hours} days.",
]
CITIES = ["Vienna", "Oslo", "Doha", "Ankara", "Rome", "Baku", "Nairobi", "Lima"]


def write_reports(folder: Path, count: int) -> None:
    """Distinct, news-like reports: different enough that none is a near-duplicate."""
    folder.mkdir()
    for n in range(count):
        words = {
            "city": CITIES[n % len(CITIES)],
            "day": f"day {n}",
            "hours": n % 11 + 2,
            "side": f"party number {n}",
            "n": n,
        }
        body = " ".join(s.format(**words) for s in SENTENCES)
        (folder / f"report-{n:04d}.txt").write_text(f"Report {n} on round {n}\n{body}\n")


def stored(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=30) as con:
            return int(con.execute("select count(*) from documents").fetchone()[0])
    except sqlite3.OperationalError:  # the schema is not created yet
        return 0


def run_ingest(folder: Path, db: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "peacetrack", "ingest", str(folder), "--db", str(db)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def test_sigkill_then_rerun_stores_each_document_once(tmp_path: Path) -> None:
    folder, db, count = tmp_path / "reports", tmp_path / "store.db", 400
    write_reports(folder, count)

    proc = run_ingest(folder, db)
    deadline = time.monotonic() + 120
    while stored(db) < 20 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    if proc.poll() is not None:
        pytest.fail(f"ingest finished before it could be killed: {proc.stderr!r}")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = stored(db)
    assert 0 < partial < count, "the kill must land in the middle of the run"

    again = run_ingest(folder, db)
    _, err = again.communicate(timeout=300)
    assert again.returncode == 0, err.decode()

    with sqlite3.connect(db) as con:
        assert con.execute("pragma integrity_check").fetchone()[0] == "ok"
        names = [row[0] for row in con.execute("select name from documents")]
        runs = con.execute("select kind, status from runs order by id").fetchall()
    assert len(names) == count
    assert len(set(names)) == count
    # The killed run never wrote its end; the next run saw its process was gone.
    assert runs == [("ingest", "interrupted"), ("ingest", "finished")]
