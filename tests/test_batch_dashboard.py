"""A local `peacetrack batch` run opens no network socket (#11).

The local run once started a Dask cluster whose dashboard showed task names (shard labels:
file names) and listened on every interface. A local run now has no cluster: its workers
are the driver's own thread or processes forked from it, so nothing listens at all.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

pytest.importorskip("dask")
psutil = pytest.importorskip("psutil")

from peacetrack.batch import run_batch  # noqa: E402

pytestmark = pytest.mark.slow


def _listening() -> list[tuple[str, int]]:
    """(address, port) of every listening socket of this process and its children."""
    me = psutil.Process()
    return [
        (c.laddr.ip, c.laddr.port)
        for process in (me, *me.children(recursive=True))
        for c in process.net_connections(kind="inet")
        if c.status == psutil.CONN_LISTEN
    ]


def test_a_local_run_listens_on_no_socket(tmp_path: Path) -> None:
    corpus = tmp_path / "news.jsonl"
    text = "Russia demanded that Ukraine withdraw its troops from the Donetsk region."
    corpus.write_text("".join(json.dumps({"text": text}) + "\n" for _ in range(6)))
    before = set(_listening())
    seen: list[tuple[str, int]] = []
    workers: list[int] = []

    def look(done: int, total: int) -> None:
        if 0 < done < total:  # while the worker processes are alive
            workers.append(len(psutil.Process(os.getpid()).children()))
            seen.extend(set(_listening()) - before)

    summary = run_batch([corpus], tmp_path / "out", workers=2, shard_size=2, progress=look)
    assert summary.ok and workers and max(workers) >= 2
    assert seen == []
