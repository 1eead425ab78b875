"""Runs (ingest, extract, batch loads) as recorded, and runs whose process died unfinished.

A run is recorded as ``running`` when it starts and gets its final status when it ends;
a process killed in between (SIGKILL, a power cut, a closed laptop) never writes that
status. So each run records the process that runs it (pid, host, and where the system
tells it, the process's start time, which tells a reused pid apart), and a running run
whose process is gone from this host is ``interrupted``: marked so whenever a new run
starts or runs are listed. A run on another host is left as it is: from here nobody can
tell whether its process still lives.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select, update

from peacetrack.store.tables import RUNS

if TYPE_CHECKING:
    from peacetrack.store.store import Store

#: The key of a run's params that records its process.
PROCESS = "process"


def _started(pid: int) -> int | None:
    """The process's start time in clock ticks since boot (Linux), or None where unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        return None
    # Field 22 of stat, counted after the command name, which may itself hold spaces.
    fields = stat.rpartition(")")[2].split()
    return int(fields[19]) if len(fields) > 19 and fields[19].isdigit() else None


def this_process() -> dict[str, Any]:
    """What a run records about the process running it."""
    pid = os.getpid()
    return {"pid": pid, "host": socket.gethostname(), "started": _started(pid)}


def process_gone(params: Mapping[str, Any]) -> bool:
    """Whether the process a run recorded has ended: only knowable on the same host."""
    process = params.get(PROCESS)
    if not isinstance(process, dict) or process.get("host") != socket.gethostname():
        return False
    pid = process.get("pid")
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, owned by someone else
        pass
    recorded, now = process.get("started"), _started(pid)
    return recorded is not None and now is not None and recorded != now


def mark_interrupted(connection: Connection) -> list[int]:
    """Mark running runs whose process is gone as interrupted; returns their ids."""
    running = connection.execute(select(RUNS.c.id, RUNS.c.params).where(RUNS.c.status == "running"))
    gone = [run_id for run_id, params in running if process_gone(params or {})]
    if gone:
        connection.execute(update(RUNS).where(RUNS.c.id.in_(gone)).values(status="interrupted"))
    return gone


@dataclass(frozen=True)
class RunInfo:
    """A run as listed; ``pid`` and ``host`` are None for runs recorded without them."""

    id: int
    kind: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    params: dict[str, Any]
    stats: dict[str, Any] | None
    pid: int | None
    host: str | None


def _info(row: Any) -> RunInfo:
    params = dict(row.params or {})
    process = params.pop(PROCESS, None)
    process = process if isinstance(process, dict) else {}
    return RunInfo(
        id=row.id,
        kind=row.kind,
        status=row.status,
        started_at=row.started_at,
        finished_at=row.finished_at,
        params=params,
        stats=row.stats,
        pid=process.get("pid"),
        host=process.get("host"),
    )


def list_runs(store: Store, limit: int | None = 20) -> list[RunInfo]:
    """The latest runs, newest first, with runs whose process died marked interrupted."""
    with store.writing() as connection:
        mark_interrupted(connection)
        rows = connection.execute(select(RUNS).order_by(RUNS.c.id.desc()).limit(limit))
        return [_info(row) for row in rows]
