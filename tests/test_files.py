"""Output files are written whole or not at all."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from peacetrack.errors import InputError
from peacetrack.files import atomic_path, write_text_atomic


def test_a_finished_write_replaces_the_file(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old", encoding="utf-8")
    write_text_atomic(target, "new")
    assert target.read_text(encoding="utf-8") == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_a_failed_write_keeps_the_old_file_and_leaves_nothing_behind(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half", encoding="utf-8")
        raise RuntimeError("disk full")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_a_pipe_is_written_in_place_not_replaced(tmp_path: Path) -> None:
    """``-o /dev/null`` or a FIFO: renaming over it would swap the device for a plain
    file, so it is written to directly (a FIFO here, so no device is at risk)."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text(encoding="utf-8")))
    reader.start()
    write_text_atomic(fifo, "through the pipe")
    reader.join(timeout=10)
    assert received == ["through the pipe"]
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["pipe"]


def test_a_missing_folder_or_a_folder_is_refused_with_what_to_do(tmp_path: Path) -> None:
    """``-o`` with a typo in its folder was a FileNotFoundError traceback."""
    with pytest.raises(InputError, match=r"folder .*gone does not exist; create it"):
        write_text_atomic(tmp_path / "gone" / "out.csv", "x")
    with pytest.raises(InputError, match="it is a folder"):
        write_text_atomic(tmp_path, "x")
    assert list(tmp_path.iterdir()) == []


def test_eval_refuses_an_unwritable_predictions_file_before_scoring(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from peacetrack.cli import app

    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"doc": "a.txt", "claims": []}\n', encoding="utf-8")
    (tmp_path / "a.txt").write_text("Russia demanded a truce.", encoding="utf-8")
    result = CliRunner().invoke(
        app,
        [
            "eval",
            str(gold),
            str(tmp_path),
            "-e",
            "rules.v1",
            "--predictions",
            str(tmp_path / "gone" / "p.jsonl"),
        ],
    )
    assert result.exit_code == 1
    assert "does not exist; create it" in result.output
    assert "primary" not in result.output
