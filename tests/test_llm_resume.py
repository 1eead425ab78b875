"""A SIGKILL in the middle of an llm.v1 extraction, then a re-run: nothing is asked twice
that was already answered, and every document ends with its claims exactly once."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from peacetrack.testing import FakeModel

pytestmark = pytest.mark.slow

DOCUMENTS = 12


def answer(text: str) -> str:
    """Code the one demand sentence of the report the request holds (our own test text)."""
    time.sleep(0.4)  # slow enough that the kill lands mid-run
    for line in text.splitlines():
        if line.startswith("Moscow demanded"):
            claim = {"actors": ["RUS"], "stance": "demand", "issue": "ECO.SANCTIONS",
                     "evidence": line, "confidence": 0.7}  # fmt: skip
            return json.dumps({"claims": [claim]})
    return json.dumps({"claims": []})


def saved_replies(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=30) as con:
            return int(con.execute("select count(*) from llm_responses").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def extract(db: Path, url: str) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "peacetrack", "extract", "--db", str(db), "-e", "llm.v1",
               "--model", "fake", "--base-url", url, "--concurrency", "1"]  # fmt: skip
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_killed_extraction_resumes_from_cached_replies(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    for n in range(DOCUMENTS):
        (folder / f"r{n:02d}.txt").write_text(
            f"Talks in round {n}\nMoscow demanded that sanctions on bank {n} be lifted first.\n"
        )
    db = tmp_path / "store.db"
    subprocess.run([sys.executable, "-m", "peacetrack", "ingest", str(folder), "--db", str(db)],
                   check=True, capture_output=True)  # fmt: skip
    model = FakeModel(answer)
    with model.serve() as url:
        first = extract(db, url)
        deadline = time.monotonic() + 60
        while saved_replies(db) < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
        answered = saved_replies(db)
        asked_before = len(model.requests)
        assert 4 <= answered < DOCUMENTS
        second = extract(db, url)
        out, err = second.communicate(timeout=120)
        assert second.returncode == 0, err.decode()
    asked_again = len(model.requests) - asked_before
    assert asked_again == DOCUMENTS - answered  # the answered ones came from the cache
    assert f"{asked_again} requests sent" in out.decode()
    with sqlite3.connect(db) as con:
        rows = con.execute("select document_id, count(*) from claims group by document_id")
        assert sorted(n for _, n in rows) == [1] * DOCUMENTS
